package fingerprint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the FuzzOpen seed corpus in testdata/fuzz/FuzzOpen")

// seedFiles builds the small snapshot files of the seed corpus: no rows,
// a few rows over two fields, and one damaged copy of each kind.
func seedFiles(t testing.TB) map[string][]byte {
	dir := t.TempDir()
	out := map[string][]byte{}
	build := func(name string, rows int) []byte {
		path := filepath.Join(dir, name)
		w, err := Create(path, Header{Source: "seed/source", AsOf: "2024-01-31", Anchor: "ic", Fields: []string{"phone", "ic", "email"}, Created: testCreated})
		if err != nil {
			t.Fatal(err)
		}
		h := NewHasher(testKey(5))
		for i := range rows {
			ic := fmt.Sprintf("8501011456%02d", i%7)
			a := h.Anchor("ic", ic)
			phone := fmt.Sprintf("+6012345%04d", i)
			r := Row{Anchor: a, Name: h.Name(a, "ahmad siti"), Bound: make([]uint64, 3), Unbound: make([]uint64, 3)}
			r.Bound[0], r.Unbound[0] = h.Bound("phone", ic, phone), h.Unbound("phone", phone)
			if i%2 == 0 {
				r.Bound[2], r.Unbound[2] = h.Bound("email", ic, "a@b.c"), h.Unbound("email", "a@b.c")
			}
			if err := w.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	out["valid-empty"] = build("empty.fp", 0)
	small := build("small.fp", 12)
	out["valid-small"] = small
	out["invalid-truncated"] = small[:len(small)-40]
	flipped := bytes.Clone(small)
	flipped[len(flipped)/2] ^= 1
	out["invalid-flipped"] = flipped
	out["invalid-text"] = []byte("no_kp,nama\n850101145678,siti\n")
	return out
}

func corpusEntry(b []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
}

// TestFuzzSeeds keeps the committed seed corpus in step with the writer:
// run with -update after a format change.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	for name, b := range seedFiles(t) {
		path := filepath.Join(dir, name)
		want := corpusEntry(b)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("seed %s is missing or stale: run go test ./matcher/fingerprint -run TestFuzzSeeds -update", path)
		}
	}
}

// FuzzOpen feeds Open arbitrary bytes and mutated snapshot files: it must
// return an error or a Snapshot whose lookups answer, never panic. The
// checksum would stop almost every mutation at the door, so the structure
// is also checked with the checksum skipped, which is what lets the fuzzer
// reach the section table, the bucket indexes and the lookups.
func FuzzOpen(f *testing.F) {
	// An indexed snapshot (too big for the committed corpus).
	p, _ := buildSynthetic(f, f.TempDir(), indexMin+10, 1, 11)
	if b, err := os.ReadFile(p); err == nil {
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, verify := range []bool{false, true} {
			s, err := parse("fuzz", data, verify)
			if err != nil {
				continue
			}
			probe(s, data)
		}
		fh, err := os.CreateTemp(dir, "fuzz-*.fp")
		if err != nil {
			t.Fatal(err)
		}
		defer os.Remove(fh.Name())
		if _, err := fh.Write(data); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if s, err := Open(fh.Name()); err == nil {
			probe(s, data)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// probe looks up fingerprints taken from the data itself (so some hit) and
// a few edge values, in every field and one past.
func probe(s *Snapshot, data []byte) {
	fps := []uint64{0, 1, maxFP, maxFP + 1, 1 << 63}
	for i := 0; i+6 <= len(data) && len(fps) < 64; i += 1 + len(data)/60 {
		fps = append(fps, load48(data[i:]))
	}
	nf := len(s.Header().Fields)
	for _, fp := range fps {
		s.Anchor(fp)
		for f := -1; f <= nf; f++ {
			s.Bound(f, fp)
			s.Unbound(f, fp)
		}
	}
	s.Stats()
}
