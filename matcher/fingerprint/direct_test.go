package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestCommitDirect: whatever the size (under a block, across the output
// buffer) and the file system (the test's temporary directory, where
// O_DIRECT is used; tmpfs, which may refuse it), the committed file is
// exactly as long as its content, its digest is FileSHA256, and it opens
// with every row in it.
func TestCommitDirect(t *testing.T) {
	dirs := []string{t.TempDir()}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "semak-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			dirs = append(dirs, d)
		}
	}
	for _, dir := range dirs {
		for _, n := range []int{0, 1, 37, 45_000} {
			path := filepath.Join(dir, "s.fp")
			w, err := Create(path, testHeader())
			if err != nil {
				t.Fatal(err)
			}
			wt := addRealRows(t, w, n, uint64(n))
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != w.FileSHA256() {
				t.Errorf("%s, %d rows: the file's SHA-256 is not FileSHA256", dir, n)
			}
			s, err := Open(path)
			if err != nil {
				t.Fatalf("%s, %d rows: %v", dir, n, err)
			}
			if got := s.Header().Rows; got != wt.rows {
				t.Errorf("%s: %d rows, want %d", dir, got, wt.rows)
			}
			for a := range wt.anchors {
				if _, ok := s.Anchor(a); !ok {
					t.Fatalf("%s, %d rows: anchor %#x missing", dir, n, a)
				}
			}
			if n == 45_000 && len(b) <= directBuf {
				t.Fatalf("%s: %d bytes, not across the %d-byte output buffer", dir, len(b), directBuf)
			}
			s.Close()
			os.Remove(path)
		}
	}
}

// TestFileOutFallback: a first direct write the system refuses (here, an
// unaligned buffer) goes through the page cache instead, and so does the
// rest; the bytes are the same.
func TestFileOutFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(magic); err != nil {
		t.Fatal(err)
	}
	d, err := openDirect(f)
	if err != nil {
		t.Skipf("no O_DIRECT here: %v", err)
	}
	buf := alignedBuf(directBuf + directAlign)[1 : 1+directBuf] // misaligned
	o := &fileOut{plain: f, direct: d, buf: buf, n: copy(buf, magic)}
	want := []byte(magic)
	r := rand.New(rand.NewPCG(1, 1))
	for range 3 * directBuf / 1000 {
		p := make([]byte, 1+r.IntN(2000))
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		if _, err := o.Write(p); err != nil {
			t.Fatal(err)
		}
		want = append(want, p...)
	}
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	if o.direct != nil {
		t.Error("still writing directly after EINVAL")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("file of %d bytes, want %d, or different bytes", len(got), len(want))
	}
}

// TestAlignedBuf: the buffers direct writes use start on a block.
func TestAlignedBuf(t *testing.T) {
	for range 20 {
		b := alignedBuf(directAlign * 3)
		if len(b) != 3*directAlign || addr(b)%directAlign != 0 {
			t.Fatalf("len %d, address %#x", len(b), addr(b))
		}
	}
}
