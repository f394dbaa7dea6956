package fingerprint

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Row is one record of an export, as fingerprints. Bound and Unbound are
// indexed like Header.Fields, the anchor's own slot included; that slot
// must hold None (the anchor is Row.Anchor). A field the record lacks holds
// None. Either slice may be nil when the record has no such fingerprints.
//
// Add reads the slices and keeps nothing of them, so one Row and its two
// slices can be reused for every record: adding a row allocates nothing
// beyond the Writer's own growing slices.
type Row struct {
	Anchor  uint64     // Hasher.Anchor; None when the record has no anchor value
	Name    NameFilter // Hasher.Name; zero when the record has no name
	Bound   []uint64   // Hasher.Bound per field
	Unbound []uint64   // Hasher.Unbound per field
}

type anchorEntry struct {
	fp   uint64
	seq  int64 // the row's position, so the first of duplicated anchors wins
	name NameFilter
}

// Writer builds one snapshot file. It is not safe for concurrent use.
//
// Everything is kept in memory until Commit: 16 bytes per field per row
// (a bound and an unbound uint64) plus 48 per anchor, about 1.7 GB for a
// 10M-row, 8-field export, where the file will be about 1 GB. That is
// acceptable on the machines snapshots are built on; if it must shrink,
// the path is an external merge sort (sorted runs of each section spilled
// to temporary files, merged while writing), which the file format already
// allows since sections are written one after the other.
type Writer struct {
	path, tmp string
	f         *os.File
	h         Header
	anchor    int
	anchors   []anchorEntry
	bound     [][]uint64
	unbound   [][]uint64
	done      bool
}

var errWriterDone = errors.New("fingerprint: the writer is already committed or aborted")

// Create starts a snapshot file at path. Everything is written to a
// temporary file in the same directory, path + ".partial-<random>", created
// with mode 0600 and held under an exclusive flock; only Commit puts the
// file at path, after fsync of the file and the directory. A crash or kill
// -9 before Commit leaves nothing at path, and a partial file that
// CleanPartials removes. Create fails, wrapping fs.ErrExist, if path
// exists.
//
// h.Source, AsOf, Anchor, Fields and Created must be set; the counts are
// set by the Writer.
func Create(path string, h Header) (*Writer, error) {
	anchor, err := h.check()
	if err != nil {
		return nil, fmt.Errorf("fingerprint: create %s: %w", path, err)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("fingerprint: create %s: %w; a snapshot file is never replaced, choose a new name", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("fingerprint: create: %w", err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("fingerprint: create %s: %w", path, err)
	}
	fail := func(err error) (*Writer, error) {
		f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("fingerprint: create %s: %w", path, err)
	}
	if ok, err := tryLock(f); err != nil {
		return fail(err)
	} else if !ok {
		return fail(fmt.Errorf("%s is locked by another writer", f.Name()))
	}
	// The magic goes first, so CleanPartials can tell our partial files
	// from anything else that happens to share the name pattern.
	if _, err := io.WriteString(f, magic); err != nil {
		return fail(err)
	}
	h = h.clone()
	h.Rows, h.Distinct, h.DuplicateAnchors, h.NoAnchor = 0, nil, 0, 0
	w := &Writer{
		path: path, tmp: f.Name(), f: f, h: h, anchor: anchor,
		bound:   make([][]uint64, len(h.Fields)),
		unbound: make([][]uint64, len(h.Fields)),
	}
	return w, nil
}

// Add records one row. Duplicated anchors are allowed: the first row with
// an anchor keeps its name filter, later ones are counted in
// Header.DuplicateAnchors, and the bound and unbound fingerprints of every
// row are kept. A row without an anchor (Anchor None) keeps only its
// unbound fingerprints and is counted in Header.NoAnchor.
func (w *Writer) Add(r Row) error {
	if w.done {
		return errWriterDone
	}
	n := len(w.h.Fields)
	if r.Bound != nil && len(r.Bound) != n || r.Unbound != nil && len(r.Unbound) != n {
		return fmt.Errorf("fingerprint: add: row has %d bound and %d unbound fingerprints, want %d (one per header field) or none", len(r.Bound), len(r.Unbound), n)
	}
	if r.Anchor > maxFP {
		return fmt.Errorf("fingerprint: add: anchor %#x is not a %d-bit fingerprint", r.Anchor, Bits)
	}
	for i := range n {
		var b, u uint64
		if r.Bound != nil {
			b = r.Bound[i]
		}
		if r.Unbound != nil {
			u = r.Unbound[i]
		}
		switch {
		case b > maxFP || u > maxFP:
			return fmt.Errorf("fingerprint: add: field %q: value is not a %d-bit fingerprint", w.h.Fields[i], Bits)
		case i == w.anchor && (b != None || u != None):
			return fmt.Errorf("fingerprint: add: field %q is the anchor: pass it as Row.Anchor and leave its slot None", w.h.Fields[i])
		case r.Anchor == None && b != None:
			return fmt.Errorf("fingerprint: add: field %q has a bound fingerprint but the row has no anchor", w.h.Fields[i])
		}
	}
	if r.Anchor == None && !r.Name.IsZero() {
		return errors.New("fingerprint: add: row has a name filter but no anchor")
	}
	w.h.Rows++
	if r.Anchor == None {
		w.h.NoAnchor++
	} else {
		w.anchors = append(w.anchors, anchorEntry{fp: r.Anchor, seq: w.h.Rows, name: r.Name})
	}
	for i := range n {
		if r.Bound != nil && r.Bound[i] != None {
			w.bound[i] = append(w.bound[i], r.Bound[i])
		}
		if r.Unbound != nil && r.Unbound[i] != None {
			w.unbound[i] = append(w.unbound[i], r.Unbound[i])
		}
	}
	return nil
}

// Header returns the header as it stands: the counts are final after
// Commit.
func (w *Writer) Header() Header { return w.h.clone() }

// Commit sorts and deduplicates every section, writes the file, and puts
// it at path. On error nothing is at path and the partial file is removed.
// The writer is finished either way.
func (w *Writer) Commit() error {
	if w.done {
		return errWriterDone
	}
	w.done = true
	err := w.commit()
	w.anchors, w.bound, w.unbound = nil, nil, nil
	if err != nil {
		w.f.Close()
		_ = os.Remove(w.tmp)
		return fmt.Errorf("fingerprint: commit %s: %w", w.path, err)
	}
	return nil
}

// Abort drops the snapshot: the partial file is removed and nothing is put
// at path. Abort after Commit does nothing, so `defer w.Abort()` right
// after Create is the way to clean up on every error path.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.anchors, w.bound, w.unbound = nil, nil, nil
	err := w.f.Close()
	if rerr := os.Remove(w.tmp); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("fingerprint: abort %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) commit() error {
	// The sections are sorted concurrently, one goroutine per core at a
	// time: sorting a 10M-row snapshot's 170M fingerprints one section
	// after another was a tenth of a load.
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	sortIn := func(f func()) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f()
		}()
	}
	for i := range w.h.Fields {
		sortIn(func() { slices.Sort(w.bound[i]) })
		sortIn(func() { slices.Sort(w.unbound[i]) })
	}
	// Anchors: by fingerprint, then by row, so the first row of a
	// duplicated anchor is the one kept.
	slices.SortFunc(w.anchors, func(a, b anchorEntry) int {
		if c := cmp.Compare(a.fp, b.fp); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	wg.Wait()
	anchors := w.anchors[:0]
	for _, e := range w.anchors {
		if len(anchors) > 0 && anchors[len(anchors)-1].fp == e.fp {
			w.h.DuplicateAnchors++
			continue
		}
		anchors = append(anchors, e)
	}
	w.h.Distinct = make(map[string]int64, len(w.h.Fields))
	w.h.Distinct[w.h.Anchor] = int64(len(anchors))
	for i := range w.h.Fields {
		w.bound[i] = slices.Compact(w.bound[i])
		w.unbound[i] = slices.Compact(w.unbound[i])
		if i != w.anchor {
			w.h.Distinct[w.h.Fields[i]] = int64(len(w.unbound[i]))
		}
	}

	// The section table: the anchors, then bound and unbound of every
	// other field in header order.
	var secs []sectionInfo
	var off int64
	add := func(kind string, field, count int) error {
		if count > math.MaxUint32 {
			return fmt.Errorf("%s section of field %q has %d entries, more than a bucket index can address", kind, w.h.Fields[field], count)
		}
		s := sectionInfo{Kind: kind, Field: field, Count: int64(count), Offset: off, IndexBits: indexBits(int64(count))}
		secs = append(secs, s)
		off += s.size()
		return nil
	}
	if err := add(kindAnchor, w.anchor, len(anchors)); err != nil {
		return err
	}
	for i := range w.h.Fields {
		if i == w.anchor {
			continue
		}
		if err := add(kindBound, i, len(w.bound[i])); err != nil {
			return err
		}
		if err := add(kindUnbound, i, len(w.unbound[i])); err != nil {
			return err
		}
	}
	js, err := json.Marshal(fileHeader{Version: version, Header: w.h, Sections: secs})
	if err != nil {
		return err
	}
	if len(js) > maxHeaderLen {
		return fmt.Errorf("header is %d bytes, more than %d", len(js), maxHeaderLen)
	}

	sum := sha256.New()
	sum.Write([]byte(magic))
	cw := &chunkWriter{w: io.MultiWriter(w.f, sum), buf: make([]byte, 0, 1<<16)}
	cw.u32(uint32(len(js)))
	cw.bytes(js)
	for _, s := range secs {
		switch s.Kind {
		case kindAnchor:
			cw.section(len(anchors), s.IndexBits, func(i int) uint64 { return anchors[i].fp }, func(b []byte, i int) {
				put48(b, anchors[i].fp)
				copy(b[fpWidth:], anchors[i].name[:])
			}, anchorWidth)
		case kindBound, kindUnbound:
			fps := w.bound[s.Field]
			if s.Kind == kindUnbound {
				fps = w.unbound[s.Field]
			}
			cw.section(len(fps), s.IndexBits, func(i int) uint64 { return fps[i] }, func(b []byte, i int) { put48(b, fps[i]) }, fpWidth)
		}
	}
	cw.flush()
	if cw.err != nil {
		return cw.err
	}
	if _, err := w.f.Write(sum.Sum(nil)); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	if err := place(w.tmp, w.path); err != nil {
		return err
	}
	// The file is at path: from here a failure leaves a complete snapshot
	// (and at worst a partial file for CleanPartials), so keep going.
	err = w.f.Close()
	if rerr := os.Remove(w.tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	if serr := syncDir(filepath.Dir(w.path)); serr != nil && err == nil {
		err = serr
	}
	return err
}

// place puts the finished file at path without ever replacing a file
// there: a hard link fails if path exists. On a file system without hard
// links it falls back to a rename after a check, which leaves a narrow
// race with another writer of the same path.
func place(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		if err != nil {
			return fmt.Errorf("%w: another snapshot was put there meanwhile", fs.ErrExist)
		}
		return nil
	}
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%w: another snapshot was put there meanwhile", fs.ErrExist)
	}
	return os.Rename(tmp, path)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// chunkWriter batches fixed-width entries into large writes and keeps the
// first error.
type chunkWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (c *chunkWriter) flush() {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}

func (c *chunkWriter) room(n int) []byte {
	if len(c.buf)+n > cap(c.buf) {
		c.flush()
	}
	c.buf = c.buf[:len(c.buf)+n]
	return c.buf[len(c.buf)-n:]
}

func (c *chunkWriter) u32(v uint32) { binary.BigEndian.PutUint32(c.room(4), v) }

func (c *chunkWriter) bytes(b []byte) {
	c.flush()
	if c.err == nil {
		_, c.err = c.w.Write(b)
	}
}

// section writes a sorted section: the bucket index when it has one (the
// index of bucket k is the position of its first entry whose top ib bits
// are at least k), then the entries.
func (c *chunkWriter) section(n, ib int, key func(int) uint64, put func([]byte, int), width int) {
	if ib > 0 {
		i := 0
		for k := range uint64(1) << ib {
			for i < n && key(i)>>(Bits-ib) < k {
				i++
			}
			c.u32(uint32(i))
		}
	}
	for i := range n {
		put(c.room(width), i)
	}
}

// CleanPartials removes the partial files that writers killed before Commit
// left in dir, and returns how many it removed. A partial file still held
// by a live writer (its flock) is left alone, and so is any file whose name
// matches but which does not start with the snapshot magic. On systems
// without flock (not Linux; see sys_other.go) call it only when no writer
// runs.
func CleanPartials(dir string) (removed int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("fingerprint: clean partials: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.Contains(e.Name(), ".partial-") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		ok, err := removePartial(p)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			removed++
		}
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("fingerprint: clean partials: %w", err)
	}
	return removed, nil
}

func removePartial(p string) (bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if ok, err := tryLock(f); err != nil || !ok {
		return false, err // held by a live writer (or no lock to be had)
	}
	var b [len(magic)]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || string(b[:]) != magic {
		return false, nil // not one of ours
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}
