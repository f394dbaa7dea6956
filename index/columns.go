package index

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Search reads a few values of every matching posting: its facet terms,
// its date (to sort), its id (to break ties and make the cursor). bleve
// reads them from doc values, which zap stores snappy-compressed in chunks
// of 1024 documents and decompresses per hit: a search matching one
// posting in 80 decompressed a whole chunk for nearly every match, and at
// 1M postings that was 80% of a search's time (12 µs a hit). Segments
// never change once written, so the values are read once per segment
// instead, into the columns below, and searches index them by document
// number. They are read from the terms dictionaries, not the doc values:
// walking a dictionary visits each value once, in order, with its posting
// list, which costs a fraction of decoding doc values document by
// document.

// noValue marks a posting without a date or a claimed record count.
const noValue = math.MinInt64

// segCols holds the values Search needs of one segment's documents, by the
// segment's local document number. Deleted documents are included: the
// snapshot says which are deleted.
type segCols struct {
	ids     []string // external ids, substrings of one string
	idKeys  []uint64 // idKey of each id
	posted  []int64  // posted_at in Unix nanoseconds, or noValue
	records []int64  // claimed_records, or noValue
	// facetField's terms in sorted order ("field:value") and the
	// documents of term o, posts[postOff[o]:postOff[o+1]], ascending; the
	// terms of document d as numbers of the index-wide termTable,
	// facets[off[d]:off[d+1]].
	dict    []string
	postOff []uint32
	posts   []uint32
	off     []uint32
	facets  []uint32

	// The documents holding each common word asked for so far, in the
	// title or body, read from seg's postings (see word). seg is used
	// only during a search, while a snapshot holding it is open.
	seg     segment.Segment
	wordsMu sync.Mutex
	words   map[string]bitset
}

// word returns the documents holding w, a common word, in the title or
// the body. The set is kept: there are few common words and a set is one
// bit per document.
func (c *segCols) word(w string) (bitset, error) {
	c.wordsMu.Lock()
	defer c.wordsMu.Unlock()
	if b, ok := c.words[w]; ok {
		return b, nil
	}
	b := newBitset(len(c.posted))
	for _, field := range []string{"title", "body"} {
		dict, err := c.seg.Dictionary(field)
		if err == nil && dict != nil {
			var walk postingsWalk
			err = walk.docs(dict, []byte(w), func(d uint32) {
				if int(d) < len(c.posted) {
					b.set(d)
				}
			})
		}
		if err != nil {
			return nil, fmt.Errorf("read index field %s: %w", field, err)
		}
	}
	if c.words == nil {
		c.words = map[string]bitset{}
	}
	c.words[w] = b
	return b, nil
}

func (c *segCols) docFacets(d uint32) []uint32 { return c.facets[c.off[d]:c.off[d+1]] }
func (c *segCols) termDocs(o int) []uint32     { return c.posts[c.postOff[o]:c.postOff[o+1]] }

// colCache keeps the columns of the segments recent searches used. A
// segment is immutable, so its columns never go stale; they are dropped
// when the segment leaves the index (merged away or rebuilt).
type colCache struct {
	dir   string     // where the columns of persisted segments are kept; "" for none
	terms *termTable // numbers the facet terms

	mu   sync.Mutex
	segs map[segment.Segment]*colEntry
}

// termTable numbers the facet terms of all segments in one sequence, so
// that a search counts the matches of every segment into one array, and
// the terms of a facet field with tens of thousands of values (actor) are
// not merged across segments by string per search. Only terms of
// FacetFields are numbered, not the lower-case twins filters use, which
// would double the array every faceted search clears and scans. Numbers
// are never reused; the table lives as long as the index generation.
type termTable struct {
	mu    sync.Mutex
	ids   map[string]uint32
	field []int8   // index into FacetFields
	value []string // the term without "field:"
}

// facetOf returns the index in FacetFields of a facet term's field, and
// its value; -1 for a term of no facet field.
func facetOf(term string) (int8, string) {
	field, value, _ := strings.Cut(term, ":")
	return int8(slices.Index(FacetFields, field)), value
}

// intern returns the number of a term of facet field f.
func (t *termTable) intern(term string, f int8, value string) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.ids[term]; ok {
		return id
	}
	if t.ids == nil {
		t.ids = map[string]uint32{}
	}
	id := uint32(len(t.value))
	t.ids[term] = id
	t.field = append(t.field, f)
	t.value = append(t.value, value)
	return id
}

// current returns the table as it is: both slices only ever grow, so
// what they hold now stays valid.
func (t *termTable) current() ([]int8, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.field, t.value
}

type colEntry struct {
	once sync.Once
	cols *segCols
	err  error
}

// snapCols is the columns of every segment of one index snapshot, with
// the global document number where each segment starts (scorch numbers a
// snapshot's documents segment after segment, counting deleted ones).
type snapCols struct {
	segs  []*segCols
	base  []uint64 // len(segs)+1; segment i holds [base[i], base[i+1])
	snaps []*scorch.SegmentSnapshot
	// the termTable, holding at least every term of segs
	termField []int8
	termValue []string
}

// of returns the columns of every segment of snap, reading those not yet
// read, and forgets segments that are no longer in the index.
func (c *colCache) of(snap *scorch.IndexSnapshot) (*snapCols, error) {
	ss := snap.Segments()
	out := &snapCols{base: make([]uint64, 0, len(ss)+1), snaps: ss}
	entries := make([]*colEntry, len(ss))
	fresh := false
	c.mu.Lock()
	if c.segs == nil {
		c.segs = map[segment.Segment]*colEntry{}
	}
	terms, dir := c.terms, c.dir
	for i, s := range ss {
		e := c.segs[s.Segment()]
		if e == nil {
			e = &colEntry{}
			c.segs[s.Segment()] = e
			fresh = true
		}
		entries[i] = e
	}
	c.mu.Unlock()
	if fresh {
		// A new segment appeared (a write or a merge): forget the ones
		// that have gone. A search still using an older snapshot holds
		// its own references to their columns.
		c.sweep(ss)
	}
	var running uint64
	for i, s := range ss {
		e := entries[i]
		seg := s.Segment()
		e.once.Do(func() { e.cols, e.err = loadCols(dir, seg, terms) })
		if e.err != nil {
			// Not kept: the next search tries the segment again.
			c.mu.Lock()
			if c.segs[seg] == e {
				delete(c.segs, seg)
			}
			c.mu.Unlock()
			return nil, e.err
		}
		out.segs = append(out.segs, e.cols)
		out.base = append(out.base, running)
		running += seg.Count()
	}
	out.base = append(out.base, running)
	out.termField, out.termValue = terms.current()
	return out, nil
}

// The snapshot may be older than one another search has swept with, and
// then newer segments' columns are dropped from memory too; they are
// loaded again from their files, which are removed only once their
// segment's file is gone (removeStaleCols), whatever the snapshot.
func (c *colCache) sweep(ss []*scorch.SegmentSnapshot) {
	keep := make(map[segment.Segment]bool, len(ss))
	for _, s := range ss {
		keep[s.Segment()] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.segs {
		if !keep[s] {
			delete(c.segs, s)
		}
	}
	removeStaleCols(c.dir)
}

// locate returns the segment holding global document number num and the
// number within it; hint is the segment of the previous hit, since hits
// mostly come in document order.
func (s *snapCols) locate(num uint64, hint int) (int, uint32) {
	if hint < 0 || hint >= len(s.segs) || num < s.base[hint] || num >= s.base[hint+1] {
		hint, _ = slices.BinarySearch(s.base, num+1)
		hint--
	}
	return hint, uint32(num - s.base[hint])
}

// readCols reads a segment's columns from its terms dictionaries; number
// must then give them their facets.
func readCols(seg segment.Segment) (*segCols, error) {
	n := seg.Count()
	if n >= math.MaxUint32 {
		return nil, fmt.Errorf("index segment of %d documents is too large", n)
	}
	c := &segCols{posted: make([]int64, n), records: make([]int64, n)}
	if err := readIDs(seg, c); err != nil {
		return nil, err
	}
	for _, col := range []struct {
		field string
		vals  []int64
	}{{"posted_at", c.posted}, {"claimed_records", c.records}} {
		for i := range col.vals {
			col.vals[i] = noValue
		}
		if err := readNumeric(seg, col.field, col.vals); err != nil {
			return nil, err
		}
	}
	if err := readFacetTerms(seg, c); err != nil {
		return nil, err
	}
	return c, nil
}

// eachTerm calls fn with every term of field in [start, end) (nil: open)
// and the documents holding it.
func eachTerm(seg segment.Segment, field string, start, end []byte, fn func(term string, docs func(func(uint32)) error) error) error {
	dict, err := seg.Dictionary(field)
	if err != nil {
		return fmt.Errorf("read index field %s: %w", field, err)
	}
	if dict == nil {
		return nil
	}
	var walk postingsWalk
	it := dict.AutomatonIterator(nil, start, end)
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("read index field %s: %w", field, err)
		}
		if e == nil {
			return nil
		}
		docs := func(visit func(uint32)) error { return walk.docs(dict, []byte(e.Term), visit) }
		if err := fn(e.Term, docs); err != nil {
			return fmt.Errorf("read index field %s: %w", field, err)
		}
	}
}

// postingsWalk visits the documents of terms, one term after another,
// reusing its postings list and iterator (a dictionary of a million ids
// is walked term by term).
type postingsWalk struct {
	pl  segment.PostingsList
	pit segment.PostingsIterator
}

// docs calls visit with every document holding term in dict.
func (w *postingsWalk) docs(dict segment.TermDictionary, term []byte, visit func(uint32)) error {
	var err error
	if w.pl, err = dict.PostingsList(term, nil, w.pl); err != nil {
		return err
	}
	w.pit = w.pl.Iterator(false, false, false, w.pit)
	for {
		p, err := w.pit.Next()
		if err != nil || p == nil {
			return err
		}
		visit(uint32(p.Number()))
	}
}

func readIDs(seg segment.Segment, c *segCols) error {
	n := len(c.posted)
	start := make([]uint32, n)
	end := make([]uint32, n)
	var buf []byte
	err := eachTerm(seg, "_id", nil, nil, func(term string, docs func(func(uint32)) error) error {
		s := uint32(len(buf))
		buf = append(buf, term...)
		return docs(func(d uint32) {
			if int(d) < n {
				start[d], end[d] = s, uint32(len(buf))
			}
		})
	})
	if err != nil {
		return err
	}
	all := string(buf)
	c.ids = make([]string, n)
	c.idKeys = make([]uint64, n)
	for d := range c.ids {
		c.ids[d] = all[start[d]:end[d]]
		c.idKeys[d] = idKey(c.ids[d])
	}
	return nil
}

// idKey is the first 8 bytes of id, big-endian, zero-padded: ids in the
// order of their keys are in the order of the ids themselves, except
// where keys are equal. A search of every posting compares ids a million
// times, and this makes most of those compares one instruction.
func idKey(id string) uint64 {
	var b [8]byte
	copy(b[:], id)
	return binary.BigEndian.Uint64(b[:])
}

// readNumeric reads a numeric or date field: bleve indexes each value as
// prefix-coded terms at several precisions, and the full-precision ones
// (shift 0) are exactly the values.
func readNumeric(seg segment.Segment, field string, vals []int64) error {
	lo := []byte{numeric.ShiftStartInt64}
	hi := []byte{numeric.ShiftStartInt64 + 1}
	return eachTerm(seg, field, lo, hi, func(term string, docs func(func(uint32)) error) error {
		v, err := numeric.PrefixCoded(term).Int64()
		if err != nil {
			return err
		}
		if field == "claimed_records" {
			v = int64(numeric.Int64ToFloat64(v))
		}
		return docs(func(d uint32) {
			if int(d) < len(vals) {
				vals[d] = v
			}
		})
	})
}

// readFacetTerms reads facetField into c: its terms and the documents of
// each.
func readFacetTerms(seg segment.Segment, c *segCols) error {
	n := uint32(len(c.posted))
	c.postOff = []uint32{0}
	err := eachTerm(seg, facetField, nil, nil, func(term string, docs func(func(uint32)) error) error {
		c.dict = append(c.dict, term)
		err := docs(func(d uint32) {
			if d < n {
				c.posts = append(c.posts, d)
			}
		})
		c.postOff = append(c.postOff, uint32(len(c.posts)))
		return err
	})
	return err
}

// number fills c.facets, each document's terms as termTable numbers, from
// c's terms and their documents.
func (c *segCols) number(terms *termTable) {
	n := uint32(len(c.posted))
	// Only the terms of facet fields are counted; the lower-case twins
	// (actor_lc:…) are there for filters alone.
	ids := make([]uint32, len(c.dict))
	counted := make([]bool, len(c.dict))
	counts := make([]uint32, n+1)
	for o, term := range c.dict {
		f, value := facetOf(term)
		if counted[o] = f >= 0; counted[o] {
			ids[o] = terms.intern(term, f, value)
			for _, d := range c.termDocs(o) {
				counts[d+1]++
			}
		}
	}
	for d := range n {
		counts[d+1] += counts[d]
	}
	c.off = slices.Clone(counts)
	c.facets = make([]uint32, counts[n])
	next := counts[:n] // where the next term of each document goes
	for o := range c.dict {
		if counted[o] {
			for _, d := range c.termDocs(o) {
				c.facets[next[d]] = ids[o]
				next[d]++
			}
		}
	}
}
