package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
)

// Snapshot is an open snapshot file, mapped read-only. Its lookups are safe
// for concurrent use by any number of goroutines, allocate nothing and make
// no system call: a lookup is one read of the bucket index and a binary
// search over the bucket, about count/65536 entries.
//
// The file must not change while it is open (snapshot files never do: they
// are written once under another name and linked into place); a file
// truncated under a live mapping would fault.
type Snapshot struct {
	path    string
	data    []byte
	unmap   func([]byte) error
	h       Header
	anchor  section
	bound   []section // by field; the anchor's slot is empty
	unbound []section
	stats   Stats
}

// Stats describes a snapshot file's size.
type Stats struct {
	FileBytes           int64   // the whole file
	Fingerprints        int64   // stored entries: anchors + bound + unbound
	Anchors             int64   // distinct anchors
	BytesPerFingerprint float64 // FileBytes / Fingerprints (header, indexes and name filters included)
	DuplicateAnchors    int64   // rows of the export whose anchor an earlier row had
}

type section struct {
	idx   []byte // 2^ib big-endian uint32, or nil
	ent   []byte // n entries of width bytes
	n     int
	width int
	shift uint // Bits - ib: a fingerprint's bucket is fp >> shift
	nb    int  // buckets
}

// bucket returns the entries [lo, hi) of fp's bucket.
func (s *section) bucket(fp uint64) (lo, hi int) {
	b := int(fp >> s.shift)
	lo = int(binary.BigEndian.Uint32(s.idx[4*b:]))
	hi = s.n
	if b+1 < s.nb {
		hi = int(binary.BigEndian.Uint32(s.idx[4*b+4:]))
	}
	return lo, min(hi, s.n) // Open checked the index; min keeps a lookup safe regardless
}

// find returns the position of fp in the section, or -1.
func (s *section) find(fp uint64) int {
	if fp == None || fp > maxFP {
		return -1
	}
	lo, hi := 0, s.n
	if s.idx != nil {
		lo, hi = s.bucket(fp)
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		v := load48(s.ent[m*s.width:])
		switch {
		case v < fp:
			lo = m + 1
		case v > fp:
			hi = m
		default:
			return m
		}
	}
	return -1
}

// Open maps the snapshot file at path read-only and checks it: the magic
// and format version, the JSON header and section table, the SHA-256
// trailer over everything before it, and that every section is sorted,
// free of duplicates and agrees with its bucket index. A truncated, altered
// or foreign file fails with an error naming the file and wrapping
// ErrCorrupt. Checking reads the whole file once (about a second per GB).
func Open(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fingerprint: open snapshot: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fingerprint: open snapshot: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("fingerprint: open snapshot %s: not a regular file", path)
	}
	if fi.Size() < int64(len(magic)+4+trailerLen) {
		return nil, corrupt(path, "%d bytes is too short for a snapshot (truncated?)", fi.Size())
	}
	data, unmap, err := mapFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("fingerprint: open snapshot %s: map: %w", path, err)
	}
	s, err := parse(path, data, true)
	if err != nil {
		_ = unmap(data)
		return nil, err
	}
	s.unmap = unmap
	adviseRandom(data)
	return s, nil
}

func corrupt(path, format string, args ...any) error {
	return fmt.Errorf("fingerprint: snapshot %s: %w: %s; build it again from the export", path, ErrCorrupt, fmt.Sprintf(format, args...))
}

// parse checks data as a snapshot file and returns a Snapshot over it.
// verify=false skips the checksum, so the fuzz target can reach the
// structural checks that lookups rely on.
func parse(path string, data []byte, verify bool) (*Snapshot, error) {
	const pre = len(magic) + 4
	if len(data) < pre+trailerLen {
		return nil, corrupt(path, "%d bytes is too short for a snapshot (truncated?)", len(data))
	}
	if string(data[:len(magic)-1]) != magic[:len(magic)-1] {
		return nil, corrupt(path, "no snapshot magic: not a semak fingerprint file")
	}
	if v := data[len(magic)-1]; v != magic[len(magic)-1] {
		return nil, corrupt(path, "format version %d, this build reads version %d", v, version)
	}
	hl := int(binary.BigEndian.Uint32(data[len(magic):]))
	if hl > maxHeaderLen || hl > len(data)-pre-trailerLen {
		return nil, corrupt(path, "header length %d does not fit the file (truncated?)", hl)
	}
	var fh fileHeader
	if err := json.Unmarshal(data[pre:pre+hl], &fh); err != nil {
		return nil, corrupt(path, "header: %v", err)
	}
	if fh.Version != version {
		return nil, corrupt(path, "header version %d, want %d", fh.Version, version)
	}
	anchor, err := fh.Header.check()
	if err != nil {
		return nil, corrupt(path, "%v", err)
	}
	body := data[pre+hl : len(data)-trailerLen]

	// The section table must be exactly what a Writer writes: the anchors,
	// then bound and unbound of every other field, back to back.
	nf := len(fh.Header.Fields)
	if len(fh.Sections) != 2*nf-1 {
		return nil, corrupt(path, "%d sections for %d fields, want %d", len(fh.Sections), nf, 2*nf-1)
	}
	s := &Snapshot{
		path:    path,
		data:    data,
		h:       fh.Header,
		bound:   make([]section, nf),
		unbound: make([]section, nf),
	}
	var off int64
	k := 0
	for i := -1; i < nf; i++ {
		if i == anchor {
			continue
		}
		kinds := []string{kindBound, kindUnbound}
		field := i
		if i < 0 {
			kinds, field = []string{kindAnchor}, anchor
		}
		for _, kind := range kinds {
			si := fh.Sections[k]
			k++
			if si.Kind != kind || si.Field != field {
				return nil, corrupt(path, "section %d is %s of field %d, want %s of field %d", k-1, si.Kind, si.Field, kind, field)
			}
			w := si.width()
			if si.Count < 0 || si.Count > int64(len(body))/w || si.IndexBits != indexBits(si.Count) || si.Offset != off {
				return nil, corrupt(path, "section %d (%s of %q): count %d, offset %d, index bits %d do not fit a body of %d bytes (truncated?)",
					k-1, kind, fh.Header.Fields[field], si.Count, si.Offset, si.IndexBits, len(body))
			}
			end := off + si.size()
			if end > int64(len(body)) {
				return nil, corrupt(path, "section %d (%s of %q) ends at byte %d of a %d-byte body (truncated?)", k-1, kind, fh.Header.Fields[field], end, len(body))
			}
			sec := section{n: int(si.Count), width: int(w)}
			p := body[off:end]
			if ib := si.IndexBits; ib > 0 {
				sec.nb, sec.shift = 1<<ib, uint(Bits-ib)
				sec.idx, p = p[:4*sec.nb], p[4*sec.nb:]
			}
			sec.ent = p
			switch kind {
			case kindAnchor:
				s.anchor = sec
			case kindBound:
				s.bound[field] = sec
			case kindUnbound:
				s.unbound[field] = sec
			}
			off = end
		}
	}
	if off != int64(len(body)) {
		return nil, corrupt(path, "sections end at byte %d of a %d-byte body", off, len(body))
	}
	if verify {
		adviseSequential(data)
		got := sha256.Sum256(data[:len(data)-trailerLen])
		if !bytes.Equal(got[:], data[len(data)-trailerLen:]) {
			return nil, corrupt(path, "SHA-256 checksum mismatch: the file was altered or truncated")
		}
	}
	if err := checkSection(&s.anchor); err != nil {
		return nil, corrupt(path, "anchor section: %v", err)
	}
	for i := range nf {
		if i == anchor {
			continue
		}
		if err := checkSection(&s.bound[i]); err != nil {
			return nil, corrupt(path, "bound section of %q: %v", fh.Header.Fields[i], err)
		}
		if err := checkSection(&s.unbound[i]); err != nil {
			return nil, corrupt(path, "unbound section of %q: %v", fh.Header.Fields[i], err)
		}
	}

	st := &s.stats
	st.FileBytes = int64(len(data))
	st.Anchors = int64(s.anchor.n)
	st.Fingerprints = st.Anchors
	for i := range nf {
		st.Fingerprints += int64(s.bound[i].n + s.unbound[i].n)
	}
	if st.Fingerprints > 0 {
		st.BytesPerFingerprint = float64(st.FileBytes) / float64(st.Fingerprints)
	}
	st.DuplicateAnchors = s.h.DuplicateAnchors
	return s, nil
}

// checkSection checks that entries are strictly increasing, not None, and
// each lies in the bucket its index gives, which is what find relies on.
func checkSection(s *section) error {
	var prev uint64
	for i := range s.n {
		v := load48(s.ent[i*s.width:])
		if v <= prev {
			return fmt.Errorf("entry %d is out of order, repeated or zero", i)
		}
		prev = v
		if s.idx != nil {
			if lo, hi := s.bucket(v); i < lo || i >= hi {
				return fmt.Errorf("entry %d is outside its index bucket", i)
			}
		}
	}
	if s.idx != nil {
		// Empty buckets are not visited above: the whole index must still
		// be non-decreasing and within the entries.
		prev := uint32(0)
		for b := range s.nb {
			v := binary.BigEndian.Uint32(s.idx[4*b:])
			if v < prev || int(v) > s.n {
				return fmt.Errorf("bucket index is not monotone at bucket %d", b)
			}
			prev = v
		}
	}
	return nil
}

// Header returns the snapshot's header (a copy).
func (s *Snapshot) Header() Header { return s.h.clone() }

// Path is the file the snapshot was opened from.
func (s *Snapshot) Path() string { return s.path }

// Field returns the index of the named field in Header.Fields.
func (s *Snapshot) Field(name string) (int, bool) {
	for i, f := range s.h.Fields {
		if f == name {
			return i, true
		}
	}
	return -1, false
}

// Stats returns the file's size figures.
func (s *Snapshot) Stats() Stats { return s.stats }

// Anchor reports whether the anchor fingerprint fp is in the snapshot, and
// the name filter stored with it (zero if the record had no name).
func (s *Snapshot) Anchor(fp uint64) (name NameFilter, ok bool) {
	i := s.anchor.find(fp)
	if i < 0 {
		return NameFilter{}, false
	}
	copy(name[:], s.anchor.ent[i*anchorWidth+fpWidth:])
	return name, true
}

// Bound reports whether the bound fingerprint fp (Hasher.Bound) of the
// field with index field in Header.Fields is in the snapshot. The anchor
// field has no bound section: for it Bound is always false.
func (s *Snapshot) Bound(field int, fp uint64) bool {
	if uint(field) >= uint(len(s.bound)) {
		return false
	}
	return s.bound[field].find(fp) >= 0
}

// Unbound reports whether the unbound fingerprint fp (Hasher.Unbound) of
// the field with index field is in the snapshot. The anchor field has no
// unbound section (its values are the anchors: use Anchor).
func (s *Snapshot) Unbound(field int, fp uint64) bool {
	if uint(field) >= uint(len(s.unbound)) {
		return false
	}
	return s.unbound[field].find(fp) >= 0
}

// Close unmaps the file. No lookup may be running or start afterwards:
// after Close every lookup reports false, but a lookup racing with Close
// would read unmapped memory.
func (s *Snapshot) Close() error {
	if s.data == nil {
		return nil
	}
	data := s.data
	s.data, s.anchor, s.bound, s.unbound = nil, section{}, nil, nil
	if s.unmap == nil {
		return nil
	}
	if err := s.unmap(data); err != nil {
		return fmt.Errorf("fingerprint: close snapshot %s: %w", s.path, err)
	}
	return nil
}
