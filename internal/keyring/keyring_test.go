package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	// Small argon2id parameters keep the tests fast; they are written to
	// keyring.json, so reopening in a test uses them too.
	defaultKDF = kdfParams{Algorithm: kdfName, Time: 1, MemoryKiB: 64, Threads: 1}
	os.Exit(m.Run())
}

func newDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "keys")
}

func mustOpen(t *testing.T, dir string, pass []byte) *Keyring {
	t.Helper()
	r, err := Open(dir, pass)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func keyBytes(k Key) []byte { return k.m.bytes()[:] }

func TestValidateID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"perkeso/contributors", true},
		{"bpjs-kes/peserta_2024", true},
		{"0/0", true},
		{strings.Repeat("a", 63) + "/x", true},
		{strings.Repeat("a", 64) + "/x", false},
		{"perkeso", false},
		{"perkeso/", false},
		{"/contributors", false},
		{"Perkeso/contributors", false},
		{"perkeso/contributors/x", false},
		{"../etc/passwd", false},
		{"perkeso/..", false},
		{"perkeso/a.b", false},
		{"-perkeso/a", false},
		{"perkeso/_a", false},
		{"perkeso/a b", false},
		{"", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, _, err := validateID(tc.id)
			if tc.ok && err != nil {
				t.Fatalf("validateID(%q) = %v, want ok", tc.id, err)
			}
			if !tc.ok && !errors.Is(err, ErrBadID) {
				t.Fatalf("validateID(%q) = %v, want ErrBadID", tc.id, err)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		pass []byte
	}{
		{"unsealed", nil},
		{"sealed", []byte("correct horse battery staple")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDir(t)
			r := mustOpen(t, dir, tc.pass)

			if ids, err := r.IDs(); err != nil || len(ids) != 0 {
				t.Fatalf("IDs on empty keyring = %v, %v", ids, err)
			}
			if _, err := r.Get("perkeso/contributors"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get absent = %v, want ErrNotFound", err)
			}
			if r.Has("perkeso/contributors") {
				t.Fatal("Has absent = true")
			}

			k1, err := r.Create("perkeso/contributors")
			if err != nil {
				t.Fatal(err)
			}
			k2, err := r.Create("bpjs/peserta")
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(keyBytes(k1), keyBytes(k2)) || bytes.Equal(keyBytes(k1), make([]byte, KeySize)) {
				t.Fatal("keys are not random")
			}
			if _, err := r.Create("perkeso/contributors"); !errors.Is(err, ErrExists) {
				t.Fatalf("Create twice = %v, want ErrExists", err)
			}
			if _, err := r.Create("Perkeso/x"); !errors.Is(err, ErrBadID) {
				t.Fatalf("Create bad id = %v, want ErrBadID", err)
			}
			if !r.Has("perkeso/contributors") || r.Has("perkeso/other") || r.Has("bad id") {
				t.Fatal("Has wrong")
			}
			got, err := r.Get("perkeso/contributors")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(keyBytes(got), keyBytes(k1)) {
				t.Fatal("Get returned a different key")
			}
			ids, err := r.IDs()
			if err != nil || strings.Join(ids, ",") != "bpjs/peserta,perkeso/contributors" {
				t.Fatalf("IDs = %v, %v", ids, err)
			}

			// Persistence across Open.
			r2 := mustOpen(t, dir, tc.pass)
			got, err = r2.Get("bpjs/peserta")
			if err != nil || !bytes.Equal(keyBytes(got), keyBytes(k2)) {
				t.Fatalf("after reopen Get = %v", err)
			}
			// Same key, same HMAC.
			h1, h2 := k2.NewHMAC(), got.NewHMAC()
			h1.Write([]byte("850101145678"))
			h2.Write([]byte("850101145678"))
			if !bytes.Equal(h1.Sum(nil), h2.Sum(nil)) {
				t.Fatal("HMACs differ for the same key")
			}

			if err := r2.Delete("bpjs/peserta"); err != nil {
				t.Fatal(err)
			}
			if err := r2.Delete("bpjs/peserta"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Delete twice = %v, want ErrNotFound", err)
			}
			if r.Has("bpjs/peserta") {
				t.Fatal("Has after Delete = true")
			}
			ids, _ = r.IDs()
			if strings.Join(ids, ",") != "perkeso/contributors" {
				t.Fatalf("IDs after Delete = %v", ids)
			}
		})
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	dir := newDir(t)
	r := mustOpen(t, dir, []byte("pw"))
	if _, err := r.Create("a/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Create("a/b"); !errors.Is(err, ErrExists) {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a.b.key,keyring.json" {
		t.Fatalf("dir holds %v", names)
	}
}

func TestConcurrentCreate(t *testing.T) {
	dir := newDir(t)
	r := mustOpen(t, dir, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, exists := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := r.Create("a/b")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrExists):
				exists++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || exists != 7 {
		t.Fatalf("wins=%d exists=%d, want 1 and 7", wins, exists)
	}
}

func TestModes(t *testing.T) {
	dir := newDir(t)
	r := mustOpen(t, dir, nil)
	if _, err := r.Create("a/b"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %o, want 700", fi.Mode().Perm())
	}
	for _, name := range []string{"a.b.key", "keyring.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o, want 600", name, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a.b.key")); fi.Size() != KeySize {
		t.Errorf("unsealed key file is %d bytes, want %d", fi.Size(), KeySize)
	}
}

func TestLoosePermissionsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string // relative to dir; "" is dir itself
		mode os.FileMode
		fix  string
	}{
		{"dir group readable", "", 0o750, "chmod 700"},
		{"dir world readable", "", 0o705, "chmod 700"},
		{"key group readable", "a.b.key", 0o640, "chmod 600"},
		{"key world readable", "a.b.key", 0o604, "chmod 600"},
		{"key group writable", "a.b.key", 0o620, "chmod 600"},
		{"meta world readable", "keyring.json", 0o644, "chmod 600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDir(t)
			r := mustOpen(t, dir, nil)
			if _, err := r.Create("a/b"); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, tc.path)
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, nil)
			if err == nil {
				t.Fatal("Open accepted loose permissions")
			}
			if msg := err.Error(); !strings.Contains(msg, p) || !strings.Contains(msg, tc.fix) {
				t.Fatalf("error %q does not name %s and %q", msg, p, tc.fix)
			}
			if tc.path == "a.b.key" {
				// An already open keyring refuses the key too.
				if _, err := r.Get("a/b"); err == nil || !strings.Contains(err.Error(), tc.fix) {
					t.Fatalf("Get on loose key file = %v", err)
				}
			}
		})
	}
}

func TestSymlinkRefused(t *testing.T) {
	dir := newDir(t)
	r := mustOpen(t, dir, nil)
	if _, err := r.Create("a/b"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "a.b.key"), filepath.Join(dir, "a.c.key")); err != nil {
		t.Skip(err)
	}
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Open with symlinked key = %v", err)
	}
	if _, err := r.Get("a/c"); err == nil {
		t.Fatal("Get followed a symlink")
	}
}

func TestSealingModes(t *testing.T) {
	pass := []byte("s3cret passphrase")
	sealed := newDir(t)
	rs := mustOpen(t, sealed, pass)
	k, err := rs.Create("perkeso/contributors")
	if err != nil {
		t.Fatal(err)
	}
	unsealed := newDir(t)
	ru := mustOpen(t, unsealed, nil)
	if _, err := ru.Create("perkeso/contributors"); err != nil {
		t.Fatal(err)
	}

	t.Run("sealed file does not hold the key", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(sealed, "perkeso.contributors.key"))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) != sealedSize || bytes.Contains(data, keyBytes(k)) {
			t.Fatalf("sealed key file is %d bytes or holds the raw key", len(data))
		}
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		if _, err := Open(sealed, []byte("s3cret passphrasE")); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Open = %v, want ErrWrongPassphrase", err)
		}
	})
	t.Run("sealed without passphrase", func(t *testing.T) {
		for _, p := range [][]byte{nil, {}} {
			_, err := Open(sealed, p)
			if !errors.Is(err, ErrSealed) || !strings.Contains(err.Error(), "SEMAK_KEYRING_PASSPHRASE") {
				t.Fatalf("Open(%q) = %v, want ErrSealed", p, err)
			}
		}
	})
	t.Run("unsealed with passphrase", func(t *testing.T) {
		if _, err := Open(unsealed, pass); !errors.Is(err, ErrNotSealed) {
			t.Fatalf("Open = %v, want ErrNotSealed", err)
		}
	})
	t.Run("sealed round trip", func(t *testing.T) {
		r := mustOpen(t, sealed, pass)
		got, err := r.Get("perkeso/contributors")
		if err != nil || !bytes.Equal(keyBytes(got), keyBytes(k)) {
			t.Fatalf("Get = %v", err)
		}
	})
	t.Run("params stored", func(t *testing.T) {
		m, err := readMeta(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Sealed || m.KDF.Time != defaultKDF.Time || m.KDF.MemoryKiB != defaultKDF.MemoryKiB ||
			m.KDF.Threads != defaultKDF.Threads || len(m.KDF.Salt) != saltSize {
			t.Fatalf("keyring.json = %+v", m)
		}
		if m, _ := readMeta(unsealed); m.Sealed || m.KDF != nil {
			t.Fatalf("unsealed keyring.json = %+v", m)
		}
	})
}

func TestRenamedKeyFileFails(t *testing.T) {
	pass := []byte("pw")
	dir := newDir(t)
	r := mustOpen(t, dir, pass)
	if _, err := r.Create("perkeso/contributors"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Create("kkm/mysejahtera"); err != nil {
		t.Fatal(err)
	}
	// Put perkeso's sealed key in place of kkm's.
	src := filepath.Join(dir, "perkeso.contributors.key")
	dst := filepath.Join(dir, "kkm.mysejahtera.key")
	if err := os.Rename(src, dst); err != nil {
		t.Fatal(err)
	}
	_, err := r.Get("kkm/mysejahtera")
	if err == nil {
		t.Fatal("a key file renamed to another source opened")
	}
	if errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), dst) {
		t.Fatalf("Get = %v", err)
	}
}

func TestTamperedAndForeignFiles(t *testing.T) {
	t.Run("key files without keyring.json", func(t *testing.T) {
		dir := newDir(t)
		r := mustOpen(t, dir, nil)
		if _, err := r.Create("a/b"); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, metaName)); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "no keyring.json") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("unknown version", func(t *testing.T) {
		dir := newDir(t)
		mustOpen(t, dir, nil)
		p := filepath.Join(dir, metaName)
		if err := os.WriteFile(p, []byte(`{"format":"semak-keyring","version":99,"sealed":false}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "version 99") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("absurd kdf memory", func(t *testing.T) {
		dir := newDir(t)
		mustOpen(t, dir, []byte("pw"))
		p := filepath.Join(dir, metaName)
		m, err := readMeta(dir)
		if err != nil {
			t.Fatal(err)
		}
		m.KDF.MemoryKiB = 1 << 31
		b, _ := json.Marshal(m)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, []byte("pw")); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("truncated key file", func(t *testing.T) {
		dir := newDir(t)
		r := mustOpen(t, dir, nil)
		if _, err := r.Create("a/b"); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(filepath.Join(dir, "a.b.key"), 10); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Get("a/b"); err == nil || !strings.Contains(err.Error(), "10 bytes") {
			t.Fatalf("Get = %v", err)
		}
	})
	t.Run("other files ignored by IDs", func(t *testing.T) {
		dir := newDir(t)
		r := mustOpen(t, dir, nil)
		if _, err := r.Create("a/b"); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"README", "x.key.bak", ".a.c.key.tmp-1"} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := r.IDs()
		if err != nil || strings.Join(ids, ",") != "a/b" {
			t.Fatalf("IDs = %v, %v", ids, err)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p, nil); err == nil {
			t.Fatal("Open on a file succeeded")
		}
	})
}

func TestConcurrentFirstOpen(t *testing.T) {
	dir := newDir(t)
	var wg sync.WaitGroup
	rings := make([]*Keyring, 4)
	for i := range rings {
		wg.Go(func() {
			r, err := Open(dir, []byte("pw"))
			if err != nil {
				t.Error(err)
				return
			}
			rings[i] = r
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Whichever Open created keyring.json, all of them agree on it.
	k, err := rings[0].Create("a/b")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rings[1:] {
		got, err := r.Get("a/b")
		if err != nil || !bytes.Equal(keyBytes(got), keyBytes(k)) {
			t.Fatalf("Get from a concurrently opened keyring = %v", err)
		}
	}
}
