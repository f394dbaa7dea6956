package keyring

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

var (
	// ErrNotFound: no key for this source id.
	ErrNotFound = errors.New("keyring: no key for this source")
	// ErrExists: Create for a source that already has a key.
	ErrExists = errors.New("keyring: a key for this source already exists")
	// ErrSealed: a sealed keyring opened without a passphrase.
	ErrSealed = errors.New("the keyring is sealed: set SEMAK_KEYRING_PASSPHRASE")
	// ErrWrongPassphrase: the passphrase does not open this keyring.
	ErrWrongPassphrase = errors.New("keyring: wrong passphrase")
	// ErrNotSealed: an unsealed keyring opened with a passphrase. The
	// passphrase is refused rather than ignored, so nobody believes keys are
	// sealed when they are not.
	ErrNotSealed = errors.New("the keyring is not sealed (its keys are stored raw), but a passphrase was given: unset SEMAK_KEYRING_PASSPHRASE, or create a new sealed keyring")
	// ErrBadID: a source id that is not "org/source"; wrapped with the reason.
	ErrBadID = errors.New("keyring: bad source id")
)

const (
	metaName    = "keyring.json"
	metaFormat  = "semak-keyring"
	metaVersion = 1
	keySuffix   = ".key"

	dirPerm  = 0o700
	filePerm = 0o600

	cipherName = "xchacha20poly1305"
	kdfName    = "argon2id"
	saltSize   = 16
	sealedSize = chacha20poly1305.NonceSizeX + KeySize + chacha20poly1305.Overhead

	// Associated data. The key id goes into a key's AD so that a key file
	// renamed (or copied) to stand for another source fails to open.
	adCheck     = "semak-keyring/v1/check"
	adKeyPrefix = "semak-keyring/v1/key/"
	checkValue  = "semak keyring passphrase check v1"

	// maxFile bounds what is read from the directory: key files are 32 or
	// 72 bytes and keyring.json well under 1 KiB.
	maxFile = 64 << 10
)

// kdfParams are the argon2id parameters, stored in keyring.json with the
// salt so that they can be raised later without breaking existing keyrings.
type kdfParams struct {
	Algorithm string `json:"algorithm"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// defaultKDF are the parameters for new sealed keyrings: argon2id with
// time=3, memory=64 MiB, threads=2. That is RFC 9106's second recommended
// setting (t=3, m=64 MiB) with two lanes instead of four, for small servers;
// it costs a fraction of a second once per Open. Existing keyrings keep the
// parameters recorded in their keyring.json, so these can be raised for new
// keyrings without breaking old ones. Tests lower them through this
// variable; it is not configurable otherwise.
var defaultKDF = kdfParams{Algorithm: kdfName, Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

type meta struct {
	Format  string     `json:"format"`
	Version int        `json:"version"`
	Sealed  bool       `json:"sealed"`
	Cipher  string     `json:"cipher,omitempty"`
	KDF     *kdfParams `json:"kdf,omitempty"`
	Check   []byte     `json:"check,omitempty"` // nonce || sealed checkValue
}

// Keyring is a directory of per-source keys. It is safe for concurrent use,
// and several processes may share one directory.
type Keyring struct {
	dir  string
	aead cipher.AEAD // nil when the keyring is not sealed
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// validateID checks that id is "org/source" with both parts slugs. The file
// name is derived from the id only after this check.
func validateID(id string) (org, source string, err error) {
	org, source, ok := strings.Cut(id, "/")
	if !ok {
		return "", "", fmt.Errorf("%w %q: want \"org/source\", e.g. \"perkeso/contributors\"", ErrBadID, id)
	}
	if !slugRE.MatchString(org) {
		return "", "", fmt.Errorf("%w %q: org part must match ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, '_' and '-', at most 63)", ErrBadID, id)
	}
	if !slugRE.MatchString(source) {
		return "", "", fmt.Errorf("%w %q: source part must match ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, '_' and '-', at most 63)", ErrBadID, id)
	}
	return org, source, nil
}

// fileName maps a validated id to its file name. Slugs hold no '.', so the
// mapping is one to one.
func fileName(org, source string) string { return org + "." + source + keySuffix }

// idFromFileName is the inverse of fileName; ok is false for other files.
func idFromFileName(name string) (string, bool) {
	stem, ok := strings.CutSuffix(name, keySuffix)
	if !ok {
		return "", false
	}
	org, source, ok := strings.Cut(stem, ".")
	if !ok || !slugRE.MatchString(org) || !slugRE.MatchString(source) {
		return "", false
	}
	return org + "/" + source, true
}

// Open opens the keyring in dir, creating dir (mode 0700) and the keyring if
// absent. An empty or nil passphrase means keys are stored raw; a non-empty
// one means they are sealed. Which of the two is fixed when the keyring is
// created: later opens must match it (ErrSealed, ErrNotSealed), and a wrong
// passphrase fails here with ErrWrongPassphrase rather than on first use.
//
// Open refuses a directory or file in it that group or others can access.
func Open(dir string, passphrase []byte) (*Keyring, error) {
	if dir == "" {
		return nil, errors.New("keyring: no directory given")
	}
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("keyring: create directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("keyring: %s is not a directory", dir)
	}
	if err := checkPerm(dir, fi, dirPerm); err != nil {
		return nil, err
	}
	if err := checkFiles(dir); err != nil {
		return nil, err
	}

	m, err := readMeta(dir)
	if errors.Is(err, fs.ErrNotExist) {
		m, err = createMeta(dir, passphrase)
	}
	if err != nil {
		return nil, err
	}

	r := &Keyring{dir: dir}
	switch {
	case m.Sealed && len(passphrase) == 0:
		return nil, ErrSealed
	case !m.Sealed && len(passphrase) > 0:
		return nil, ErrNotSealed
	case !m.Sealed:
		return r, nil
	}
	aead, err := newAEAD(passphrase, m.KDF)
	if err != nil {
		return nil, err
	}
	if len(m.Check) < chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("keyring: %s: check value is truncated", filepath.Join(dir, metaName))
	}
	nonce, ct := m.Check[:chacha20poly1305.NonceSizeX], m.Check[chacha20poly1305.NonceSizeX:]
	pt, err := aead.Open(nil, nonce, ct, []byte(adCheck))
	if err != nil || string(pt) != checkValue {
		return nil, ErrWrongPassphrase
	}
	r.aead = aead
	return r, nil
}

// checkFiles applies the permission rule to keyring.json and every key file.
func checkFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if name != metaName && !strings.HasSuffix(name, keySuffix) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil {
			return fmt.Errorf("keyring: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("keyring: %s is not a regular file (symbolic links are not followed): replace it with the file itself", p)
		}
		if err := checkPerm(p, fi, filePerm); err != nil {
			return err
		}
	}
	return nil
}

// checkPerm refuses any access for group or others. Write access matters as
// much as read: whoever can replace a key file chooses the key.
func checkPerm(path string, fi fs.FileInfo, want fs.FileMode) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("keyring: %s has mode %04o, which lets group or others access it; keyring files must be private to their owner: run chmod %o %s",
			path, perm, want, path)
	}
	return nil
}

func readMeta(dir string) (meta, error) {
	p := filepath.Join(dir, metaName)
	b, err := readPrivate(p)
	if err != nil {
		return meta{}, err
	}
	var m meta
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return meta{}, fmt.Errorf("keyring: %s is not a valid keyring file: %w", p, err)
	}
	if m.Format != metaFormat {
		return meta{}, fmt.Errorf("keyring: %s is not a semak keyring file (format %q)", p, m.Format)
	}
	if m.Version != metaVersion {
		return meta{}, fmt.Errorf("keyring: %s has format version %d; this semak reads version %d: use a matching semak", p, m.Version, metaVersion)
	}
	if m.Sealed {
		if m.Cipher != cipherName {
			return meta{}, fmt.Errorf("keyring: %s: unknown cipher %q (want %q)", p, m.Cipher, cipherName)
		}
		if err := m.KDF.validate(); err != nil {
			return meta{}, fmt.Errorf("keyring: %s: %w", p, err)
		}
	}
	return m, nil
}

func (k *kdfParams) validate() error {
	switch {
	case k == nil:
		return errors.New("sealed keyring without kdf parameters")
	case k.Algorithm != kdfName:
		return fmt.Errorf("unknown kdf %q (want %q)", k.Algorithm, kdfName)
	case len(k.Salt) != saltSize:
		return fmt.Errorf("kdf salt is %d bytes, want %d", len(k.Salt), saltSize)
	case k.Threads < 1:
		return errors.New("kdf threads must be at least 1")
	case k.Time < 1 || k.Time > 1000:
		return fmt.Errorf("kdf time %d out of range 1..1000", k.Time)
	case k.MemoryKiB < 8*uint32(k.Threads) || k.MemoryKiB > 4<<20:
		// 4 GiB: a tampered keyring.json must not make Open allocate without bound.
		return fmt.Errorf("kdf memory %d KiB out of range %d..%d", k.MemoryKiB, 8*uint32(k.Threads), 4<<20)
	}
	return nil
}

func newAEAD(passphrase []byte, k *kdfParams) (cipher.AEAD, error) {
	kek := argon2.IDKey(passphrase, k.Salt, k.Time, k.MemoryKiB, k.Threads, chacha20poly1305.KeySize)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return aead, nil
}

// createMeta writes a new keyring.json. If another process created one in
// the meantime, that one wins and is returned, so concurrent first opens
// agree on one keyring.
func createMeta(dir string, passphrase []byte) (meta, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return meta{}, fmt.Errorf("keyring: %w", err)
	}
	for _, e := range entries {
		if _, ok := idFromFileName(e.Name()); ok {
			return meta{}, fmt.Errorf("keyring: %s holds key files but no %s: restore %s from backup; semak will not guess whether the keys are sealed",
				dir, metaName, metaName)
		}
	}
	m := meta{Format: metaFormat, Version: metaVersion}
	if len(passphrase) > 0 {
		k := defaultKDF
		k.Salt = make([]byte, saltSize)
		if _, err := rand.Read(k.Salt); err != nil {
			return meta{}, fmt.Errorf("keyring: %w", err)
		}
		aead, err := newAEAD(passphrase, &k)
		if err != nil {
			return meta{}, err
		}
		nonce := make([]byte, chacha20poly1305.NonceSizeX)
		if _, err := rand.Read(nonce); err != nil {
			return meta{}, fmt.Errorf("keyring: %w", err)
		}
		m.Sealed, m.Cipher, m.KDF = true, cipherName, &k
		m.Check = aead.Seal(nonce, nonce, []byte(checkValue), []byte(adCheck))
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return meta{}, fmt.Errorf("keyring: %w", err)
	}
	if err := writeNew(dir, metaName, append(b, '\n')); errors.Is(err, fs.ErrExist) {
		return readMeta(dir)
	} else if err != nil {
		return meta{}, err
	}
	return m, nil
}

// readPrivate reads a small file that must be regular and private. It opens
// then checks the open file, so what is checked is what is read.
func readPrivate(p string) ([]byte, error) {
	if fi, err := os.Lstat(p); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: %s is not a regular file (symbolic links are not followed): replace it with the file itself", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: %s is not a regular file", p)
	}
	if err := checkPerm(p, fi, filePerm); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", p, err)
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("keyring: %s is too large to be a keyring file", p)
	}
	return b, nil
}

// writeNew writes data to dir/name without ever replacing an existing file:
// temp file, fsync, hard link into place (fails if the name exists), remove
// the temp name, fsync the directory. It returns an error wrapping
// fs.ErrExist if name exists.
func writeNew(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("keyring: %w", rmErr)
		}
	}()
	if err := f.Chmod(filePerm); err != nil {
		f.Close()
		return fmt.Errorf("keyring: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("keyring: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keyring: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	final := filepath.Join(dir, name)
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keyring: %s: %w", final, fs.ErrExist)
		}
		// Some file systems have no hard links. Fall back to check and
		// rename, which is exclusive only within one process's caller.
		if _, statErr := os.Lstat(final); statErr == nil {
			return fmt.Errorf("keyring: %s: %w", final, fs.ErrExist)
		}
		if err := os.Rename(tmp, final); err != nil {
			return fmt.Errorf("keyring: %w", err)
		}
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("keyring: sync directory %s: %w", dir, err)
	}
	return nil
}

func (r *Keyring) path(id string) (string, error) {
	org, source, err := validateID(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(r.dir, fileName(org, source)), nil
}

func (r *Keyring) ad(id string) []byte { return []byte(adKeyPrefix + id) }

// Create makes a new random key for source id ("org/source") and stores it.
// It returns ErrExists if the source already has one: a key is never
// replaced, since every snapshot fingerprinted under it would become
// unmatchable.
func (r *Keyring) Create(id string) (Key, error) {
	p, err := r.path(id)
	if err != nil {
		return Key{}, err
	}
	b := new([KeySize]byte)
	if _, err := rand.Read(b[:]); err != nil {
		return Key{}, fmt.Errorf("keyring: %w", err)
	}
	var data []byte
	if r.aead != nil {
		nonce := make([]byte, chacha20poly1305.NonceSizeX, sealedSize)
		if _, err := rand.Read(nonce); err != nil {
			return Key{}, fmt.Errorf("keyring: %w", err)
		}
		data = r.aead.Seal(nonce, nonce, b[:], r.ad(id))
	} else {
		data = append([]byte(nil), b[:]...)
	}
	defer clear(data)
	if err := writeNew(r.dir, filepath.Base(p), data); errors.Is(err, fs.ErrExist) {
		return Key{}, fmt.Errorf("%w: %s", ErrExists, id)
	} else if err != nil {
		return Key{}, err
	}
	return newKey(b), nil
}

// Get returns the key of source id, or ErrNotFound.
func (r *Keyring) Get(id string) (Key, error) {
	p, err := r.path(id)
	if err != nil {
		return Key{}, err
	}
	data, err := readPrivate(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	} else if err != nil {
		return Key{}, err
	}
	defer clear(data)
	b := new([KeySize]byte)
	if r.aead == nil {
		if len(data) != KeySize {
			return Key{}, fmt.Errorf("keyring: %s is %d bytes, want %d for an unsealed key: the file is damaged or from a sealed keyring", p, len(data), KeySize)
		}
		copy(b[:], data)
		return newKey(b), nil
	}
	if len(data) != sealedSize {
		return Key{}, fmt.Errorf("keyring: %s is %d bytes, want %d for a sealed key: the file is damaged or from an unsealed keyring", p, len(data), sealedSize)
	}
	nonce, ct := data[:chacha20poly1305.NonceSizeX], data[chacha20poly1305.NonceSizeX:]
	pt, err := r.aead.Open(b[:0], nonce, ct, r.ad(id))
	if err != nil || len(pt) != KeySize {
		// The passphrase was checked at Open, so this is not a wrong
		// passphrase: the file was altered, or belongs to another source
		// or another keyring.
		return Key{}, fmt.Errorf("keyring: %s does not open as the key of %s: it was altered, renamed or copied from another source, or comes from another keyring; restore it from backup", p, id)
	}
	return newKey(b), nil
}

// Has reports whether source id has a key. An invalid id has none.
func (r *Keyring) Has(id string) bool {
	p, err := r.path(id)
	if err != nil {
		return false
	}
	_, err = os.Lstat(p)
	return err == nil
}

// Delete removes the key of source id, or returns ErrNotFound. Fingerprints
// made under the key can never be matched again.
func (r *Keyring) Delete(id string) error {
	p, err := r.path(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	} else if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	return syncDir(r.dir)
}

// IDs lists the source ids that have keys, sorted. Files in the directory
// that are not key files are ignored.
func (r *Keyring) IDs() ([]string, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	ids := []string{}
	for _, e := range entries {
		if id, ok := idFromFileName(e.Name()); ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}
