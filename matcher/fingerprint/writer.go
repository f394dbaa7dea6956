package fingerprint

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
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

// anchorEntry is one entry of the anchor section as written.
type anchorEntry struct {
	fp   uint64
	name NameFilter
}

// Writer builds one snapshot file. It is not safe for concurrent use.
//
// Everything is kept in memory until Commit: 10 bytes per field per row
// (a bound and an unbound fingerprint, each without its top byte: lowKey)
// plus 40 per anchor, about 1.1 GB for a 10M-row, 8-field export, where
// the file will be about 0.9 GB. Commit
// sorts that memory in place (radix.go), needing only a few MB of scratch
// per core. That is acceptable on the machines snapshots are built on; if
// it must shrink, the path is an external merge sort (sorted runs of each
// section spilled to temporary files, merged while writing), which the
// file format already allows since sections are written one after the
// other.
type Writer struct {
	path, tmp string
	f         *os.File
	h         Header
	anchor    int
	// Rows as added, in buckets by their top digit (radix.go): anchor
	// fingerprints with their name filters, bound and unbound per field.
	anchors bucketed[anchorEntry]
	bound   []bucketed[lowKey]
	unbound []bucketed[lowKey]
	stage   []Row    // rows Add staged, not yet in the sections
	slab    []uint64 // the staged rows' Bound and Unbound
	done    bool
	fileSum string // hex SHA-256 of the whole file, once committed
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
		bound:   make([]bucketed[lowKey], len(h.Fields)),
		unbound: make([]bucketed[lowKey], len(h.Fields)),
	}
	return w, nil
}

// Add records one row. Duplicated anchors are allowed: the first row with
// an anchor keeps its name filter, later ones are counted in
// Header.DuplicateAnchors, and the bound and unbound fingerprints of every
// row are kept. A row without an anchor (Anchor None) keeps only its
// unbound fingerprints and is counted in Header.NoAnchor.
//
// Rows are staged (copied) and go to the sections stageRows at a time,
// one section after the other (see bucketed).
func (w *Writer) Add(r Row) error {
	if w.done {
		return errWriterDone
	}
	if err := w.check(&r); err != nil {
		return err
	}
	w.count(&r)
	nf := len(w.h.Fields)
	if w.stage == nil {
		w.stage = make([]Row, 0, stageRows)
		w.slab = make([]uint64, 2*nf*stageRows)
	}
	k := len(w.stage)
	s := Row{Anchor: r.Anchor, Name: r.Name}
	if r.Bound != nil {
		s.Bound = w.slab[2*nf*k : 2*nf*k+nf : 2*nf*k+nf]
		copy(s.Bound, r.Bound)
	}
	if r.Unbound != nil {
		s.Unbound = w.slab[2*nf*k+nf : 2*nf*(k+1) : 2*nf*(k+1)]
		copy(s.Unbound, r.Unbound)
	}
	w.stage = append(w.stage, s)
	if len(w.stage) == stageRows {
		w.flushStage()
	}
	return nil
}

// stageRows is how many rows Add collects before they go to the sections.
const stageRows = 1024

// AddRows is Add of each row in turn, for a caller that has its rows in
// batches already (a Loader's): they go to the sections as they are,
// without being staged (copied) first. It keeps nothing of rows. When a
// row is wrong nothing of the batch is added and the error says which.
func (w *Writer) AddRows(rows []Row) error {
	if w.done {
		return errWriterDone
	}
	for i := range rows {
		if err := w.check(&rows[i]); err != nil {
			return fmt.Errorf("row %d of the batch: %w", i, err)
		}
	}
	w.flushStage() // rows added one by one before go first
	for i := range rows {
		w.count(&rows[i])
	}
	w.addRows(rows)
	return nil
}

func (w *Writer) flushStage() {
	w.addRows(w.stage)
	w.stage = w.stage[:0]
}

func (w *Writer) count(r *Row) {
	w.h.Rows++
	if r.Anchor == None {
		w.h.NoAnchor++
	}
}

// addRows puts checked rows in the sections, one section at a time for
// all of them (see bucketed).
func (w *Writer) addRows(rows []Row) {
	for i := range rows {
		if r := &rows[i]; r.Anchor != None {
			w.anchors.add(r.Anchor, anchorEntry{r.Anchor, r.Name})
		}
	}
	for f := range w.h.Fields {
		b, u := &w.bound[f], &w.unbound[f]
		for i := range rows {
			if r := &rows[i]; r.Bound != nil && r.Bound[f] != None {
				b.add(r.Bound[f], packLow(r.Bound[f]))
			}
		}
		for i := range rows {
			if r := &rows[i]; r.Unbound != nil && r.Unbound[f] != None {
				u.add(r.Unbound[f], packLow(r.Unbound[f]))
			}
		}
	}
}

// check says what is wrong with a row, if anything.
func (w *Writer) check(r *Row) error {
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
	return nil
}

// Header returns the header as it stands: the counts are final after
// Commit.
func (w *Writer) Header() Header { return w.h.clone() }

// FileSHA256 is the hex SHA-256 of the whole file Commit wrote (the
// checksum a registry keeps of it), computed while writing, so the file
// need not be read again; "" before a successful Commit.
func (w *Writer) FileSHA256() string { return w.fileSum }

// Commit sorts and deduplicates every section, writes the file, and puts
// it at path. On error nothing is at path and the partial file is removed.
// The writer is finished either way.
func (w *Writer) Commit() error {
	if w.done {
		return errWriterDone
	}
	w.done = true
	err := w.commit()
	w.drop()
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
	w.drop()
	err := w.f.Close()
	if rerr := os.Remove(w.tmp); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("fingerprint: abort %s: %w", w.path, err)
	}
	return nil
}

// drop lets the rows go.
func (w *Writer) drop() {
	w.anchors, w.bound, w.unbound, w.stage, w.slab = bucketed[anchorEntry]{}, nil, nil, nil, nil
}

// sort sorts and deduplicates every section in place, the sections
// concurrently on all cores, biggest first so no core idles at the end. It
// returns the number of anchor rows dropped as repeats.
func (w *Writer) sort() (dups int64, err error) {
	w.flushStage()
	if n := int64(w.anchors.n); n > math.MaxUint32 {
		return 0, fmt.Errorf("%d anchors, more than a section can hold", n)
	}
	type job struct {
		n    int // elements before sorting
		keys *bucketed[lowKey]
	}
	jobs := []job{{n: w.anchors.n}} // the anchors: 40 bytes an entry
	for i := range w.h.Fields {
		jobs = append(jobs, job{w.bound[i].n, &w.bound[i]}, job{w.unbound[i].n, &w.unbound[i]})
	}
	slices.SortStableFunc(jobs[1:], func(a, b job) int { return cmp.Compare(b.n, a.n) })
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() (job, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next == len(jobs) {
			return job{}, false
		}
		next++
		return jobs[next-1], true
	}
	procs := runtime.GOMAXPROCS(0)
	wg.Add(procs)
	for range procs {
		go func() {
			defer wg.Done()
			var s sorter
			for {
				j, ok := take()
				if !ok {
					return
				}
				if j.keys == nil {
					_, d := s.sortAnchors(&w.anchors)
					dups = int64(d)
				} else {
					s.sortKeys(j.keys)
				}
			}
		}()
	}
	wg.Wait()
	return dups, nil
}

func (w *Writer) commit() error {
	dups, err := w.sort()
	if err != nil {
		return err
	}
	w.h.DuplicateAnchors = dups
	w.h.Distinct = make(map[string]int64, len(w.h.Fields))
	w.h.Distinct[w.h.Anchor] = int64(w.anchors.n)
	for i := range w.h.Fields {
		if i != w.anchor {
			w.h.Distinct[w.h.Fields[i]] = int64(w.unbound[i].n)
		}
	}

	// The section table: the anchors, then bound and unbound of every
	// other field in header order.
	var secs []sectionInfo
	var off int64
	add := func(kind string, field, count int) error {
		if int64(count) > math.MaxUint32 {
			return fmt.Errorf("%s section of field %q has %d entries, more than a bucket index can address", kind, w.h.Fields[field], count)
		}
		s := sectionInfo{Kind: kind, Field: field, Count: int64(count), Offset: off, IndexBits: indexBits(int64(count))}
		secs = append(secs, s)
		off += s.size()
		return nil
	}
	if err := add(kindAnchor, w.anchor, w.anchors.n); err != nil {
		return err
	}
	for i := range w.h.Fields {
		if i == w.anchor {
			continue
		}
		if err := add(kindBound, i, w.bound[i].n); err != nil {
			return err
		}
		if err := add(kindUnbound, i, w.unbound[i].n); err != nil {
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
	// The file's size is known: allocating its blocks at once makes the
	// writes a third cheaper on ext4 (best effort; see sys_linux.go).
	size := int64(len(magic)+4+len(js)) + off + trailerLen
	preallocate(w.f, size)
	out := newFileOut(w.f)
	defer out.abort()
	cw := newChunkWriter(out, sum, int(min(size, chunkBytes)))
	cw.u32(uint32(len(js)))
	cw.bytes(js)
	for _, sec := range secs {
		switch sec.Kind {
		case kindAnchor:
			if sec.IndexBits > 0 {
				var ix indexer
				for _, ch := range w.anchors.all {
					for i := range ch {
						ix.key(cw, sec.IndexBits, ch[i].fp)
					}
				}
				ix.end(cw, sec.IndexBits)
			}
			for _, ch := range w.anchors.all {
				for i := range ch {
					b := cw.room(anchorWidth)
					put48(b, ch[i].fp)
					copy(b[fpWidth:], ch[i].name[:])
				}
			}
		case kindBound, kindUnbound:
			fps := &w.bound[sec.Field]
			if sec.Kind == kindUnbound {
				fps = &w.unbound[sec.Field]
			}
			if sec.IndexBits > 0 {
				var ix indexer
				for d, ch := range fps.all {
					for _, l := range ch {
						ix.key(cw, sec.IndexBits, l.key(d))
					}
				}
				ix.end(cw, sec.IndexBits)
			}
			for d, ch := range fps.all {
				cw.fps(d, ch)
			}
		}
	}
	if err := cw.close(); err != nil {
		return err
	}
	trailer := sum.Sum(nil)
	if _, err := out.Write(trailer); err != nil {
		return err
	}
	if err := out.close(); err != nil {
		return err
	}
	// The whole file's digest goes on from the same state: what it hashed
	// so far is everything before the trailer.
	sum.Write(trailer)
	w.fileSum = hex.EncodeToString(sum.Sum(nil))

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

// chunkWriter batches a file's bytes into large writes. Two goroutines
// take the filled buffers in turn, one computing the file's SHA-256 and
// one making the write system calls, so both overlap with encoding the
// next entries and with each other (at 10M rows each takes about a second
// on its own). close returns the first error.
type chunkWriter struct {
	buf  []byte
	hash chan []byte // buffers to hash, in order
	out  chan []byte // hashed buffers to write, in order
	free chan []byte // written buffers, to fill again
	done chan struct{}
	err  error // set by the writing goroutine; read after done
}

const (
	chunkBytes   = 1 << 20
	chunkBuffers = 4
)

// newChunkWriter returns a chunkWriter of buffers of size bytes.
func newChunkWriter(f io.Writer, sum hash.Hash, size int) *chunkWriter {
	c := &chunkWriter{
		hash: make(chan []byte, chunkBuffers), out: make(chan []byte, chunkBuffers),
		free: make(chan []byte, chunkBuffers), done: make(chan struct{}),
	}
	for range chunkBuffers - 1 {
		c.free <- make([]byte, 0, size)
	}
	c.buf = make([]byte, 0, size)
	go func() {
		defer close(c.out)
		for b := range c.hash {
			sum.Write(b)
			c.out <- b
		}
	}()
	go func() {
		defer close(c.done)
		for b := range c.out {
			if c.err == nil {
				_, c.err = f.Write(b)
			}
			c.free <- b[:0]
		}
	}()
	return c
}

func (c *chunkWriter) flush() {
	if len(c.buf) > 0 {
		c.hash <- c.buf
		c.buf = <-c.free
	}
}

// close writes what is buffered, stops the goroutines and returns the
// first error.
func (c *chunkWriter) close() error {
	c.flush()
	close(c.hash)
	<-c.done
	return c.err
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
	for len(b) > 0 {
		if len(c.buf) == cap(c.buf) {
			c.flush()
		}
		n := copy(c.buf[len(c.buf):cap(c.buf)], b)
		c.buf = c.buf[:len(c.buf)+n]
		b = b[n:]
	}
}

// indexer writes a section's bucket index as its sorted keys go by:
// entry k is the position of the first key whose top ib bits are at least
// k.
type indexer struct {
	i int    // keys seen
	k uint64 // entries written
}

func (x *indexer) key(c *chunkWriter, ib int, v uint64) {
	for top := v >> (Bits - ib); x.k <= top; x.k++ {
		c.u32(uint32(x.i))
	}
	x.i++
}

// end writes the entries after the last key's.
func (x *indexer) end(c *chunkWriter, ib int) {
	for ; x.k < 1<<ib; x.k++ {
		c.u32(uint32(x.i))
	}
}

// fps writes the fingerprints of bucket top, fpWidth bytes each.
func (c *chunkWriter) fps(top int, fps []lowKey) {
	for len(fps) > 0 {
		k := min(len(fps), (cap(c.buf)-len(c.buf))/fpWidth)
		if k == 0 {
			c.flush()
			continue
		}
		b := c.buf[len(c.buf) : len(c.buf)+k*fpWidth]
		for i, l := range fps[:k] {
			put48(b[i*fpWidth:], l.key(top))
		}
		c.buf = c.buf[:len(c.buf)+k*fpWidth]
		fps = fps[k:]
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
