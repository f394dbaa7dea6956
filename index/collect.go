package index

import (
	"slices"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
)

// A collector takes the matches of a search one by one and keeps one page
// of them, the count, and the facet counts over all of them. bleve's own
// collector does this too, but reads each match's sort and facet values
// from doc values (see columns.go) and loads its id for the tie-break;
// this one reads the columns, so a match costs a few array reads.
//
// bleve still finds and scores the matches: Search hands it a collector
// through the search context's document-match-handler hook and asks for
// the score as the only sort, the case in which bleve does no work per
// match beyond the scorer's. The match-all query skips bleve altogether
// and walks the live documents of each segment.
type collector struct {
	cols   *snapCols
	byDate bool
	size   int      // page size plus one, to know whether a page follows
	after  *pageKey // the cursor: only matches after it make the page
	facets bool     // count facet terms
	filter filter   // nil: every match passes

	match []bitset // the documents of each segment that pass filter

	total  uint64
	counts []uint32  // per termTable number
	page   []pageKey // a heap of the best size matches, the worst on top
}

// pageKey is a match's place in the order: score (or date) descending,
// then id ascending, so that ties, and every posting of a match-all
// query, still have one order a cursor can resume.
type pageKey struct {
	score  float64
	posted int64
	idKey  uint64 // idKey(id)
	id     string
}

func newCollector(byDate bool, size int, after *pageKey, facets bool, f filter) *collector {
	return &collector{byDate: byDate, size: size, after: after, facets: facets, filter: f}
}

func (c *collector) start(cols *snapCols) error {
	c.cols = cols
	if c.facets {
		c.counts = make([]uint32, len(cols.termValue))
	}
	c.page = make([]pageKey, 0, c.size)
	if c.filter != nil {
		c.match = make([]bitset, len(cols.segs))
		for i, s := range cols.segs {
			var err error
			if c.match[i], err = c.filter(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// before reports whether a comes before b in the results.
func (c *collector) before(a, b *pageKey) bool {
	if c.byDate {
		if a.posted != b.posted {
			return a.posted > b.posted
		}
	} else if a.score != b.score {
		return a.score > b.score
	}
	if a.idKey != b.idKey {
		return a.idKey < b.idKey
	}
	return a.id < b.id
}

// add takes document d of segment seg with its score if it passes the
// filter.
func (c *collector) add(seg int, d uint32, score float64) {
	if c.match == nil || c.match[seg].has(d) {
		c.take(seg, d, score)
	}
}

// take counts a match and keeps it when it belongs on the page.
func (c *collector) take(seg int, d uint32, score float64) {
	s := c.cols.segs[seg]
	c.total++
	if c.facets {
		for _, t := range s.docFacets(d) {
			c.counts[t]++
		}
	}
	if len(c.page) == c.size {
		// Most matches cannot make a full page, which the score or the
		// date alone tells, before the id is read (a cache miss less
		// for a sparse match).
		w := &c.page[0]
		if c.byDate && s.posted[d] < w.posted || !c.byDate && score < w.score {
			return
		}
	}
	k := pageKey{score: score, posted: s.posted[d], idKey: s.idKeys[d], id: s.ids[d]}
	if c.after != nil && !c.before(c.after, &k) {
		return
	}
	if len(c.page) < c.size {
		c.page = append(c.page, k)
		c.up(len(c.page) - 1)
		return
	}
	if c.before(&k, &c.page[0]) {
		c.page[0] = k
		c.down(0)
	}
}

// up and down keep page a heap whose root is the match that comes last.
func (c *collector) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !c.before(&c.page[p], &c.page[i]) {
			return
		}
		c.page[p], c.page[i] = c.page[i], c.page[p]
		i = p
	}
}

func (c *collector) down(i int) {
	n := len(c.page)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		if r := l + 1; r < n && c.before(&c.page[l], &c.page[r]) {
			l = r
		}
		if !c.before(&c.page[i], &c.page[l]) {
			return
		}
		c.page[i], c.page[l] = c.page[l], c.page[i]
		i = l
	}
}

// handler is the bleve hook: it reads the columns of the snapshot bleve
// searches, then takes each match and returns it to bleve's pool.
func (c *collector) handler(cache *colCache) search.MakeDocumentMatchHandler {
	return func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		snap, ok := sc.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return nil, false, errNotScorch
		}
		cols, err := cache.of(snap)
		if err != nil {
			return nil, false, err
		}
		if err := c.start(cols); err != nil {
			return nil, false, err
		}
		seg := 0 // of the previous match: matches mostly come in order
		return func(m *search.DocumentMatch) error {
			if m == nil {
				return nil
			}
			var d uint32
			seg, d = cols.locate(m.IndexInternalID.Value(), seg)
			c.add(seg, d, m.Score)
			sc.DocumentMatchPool.Put(m)
			return nil
		}, false, nil
	}
}

// all takes every live document of the snapshot that passes the filter,
// each scoring 1 as bleve's match-all query scores it.
func (c *collector) all(cols *snapCols) error {
	if err := c.start(cols); err != nil {
		return err
	}
	for seg, ss := range cols.snaps {
		docs := fullBitset(len(cols.segs[seg].posted))
		if del := ss.Deleted(); del != nil {
			it := del.Iterator()
			for it.HasNext() {
				if d := it.Next(); int(d) < len(cols.segs[seg].posted) {
					docs.clear(d)
				}
			}
		}
		if c.match != nil {
			docs.and(c.match[seg])
		}
		docs.each(func(d uint32) { c.take(seg, d, 1) })
	}
	return nil
}

// mergeCollectors adds up the collectors of the shards: their counts, and
// their pages, each already the best of its shard, for result to order and
// cut.
func mergeCollectors(cs []*collector) *collector {
	m := &collector{byDate: cs[0].byDate, facets: cs[0].facets}
	// The shard that saw the termTable latest (the longest) has the
	// table every shard's counts fit, and takes the others' counts.
	latest := cs[0]
	for _, c := range cs {
		m.total += c.total
		m.page = append(m.page, c.page...)
		if latest.cols == nil || c.cols != nil && len(c.cols.termValue) > len(latest.cols.termValue) {
			latest = c
		}
	}
	m.cols = latest.cols
	if m.facets && m.cols != nil {
		m.counts = latest.counts
		for _, c := range cs {
			if c != latest {
				for t, n := range c.counts {
					m.counts[t] += n
				}
			}
		}
	}
	return m
}

// result returns the page in order, and whether more matches follow it.
func (c *collector) result(limit int) ([]pageKey, bool) {
	page := slices.Clone(c.page)
	slices.SortFunc(page, func(a, b pageKey) int {
		if c.before(&a, &b) {
			return -1
		}
		if c.before(&b, &a) {
			return 1
		}
		return 0
	})
	if len(page) > limit {
		return page[:limit], true
	}
	return page, false
}

// topFacets returns the size most frequent values of each facet field
// among the matches, by count, then value.
func (c *collector) topFacets(size int) map[string]map[string]int {
	top := make([]facetTop, len(FacetFields))
	for i := range top {
		top[i].size = size
	}
	for t, n := range c.counts {
		if n == 0 {
			continue
		}
		top[c.cols.termField[t]].offer(c.cols.termValue[t], int(n))
	}
	out := make(map[string]map[string]int, len(FacetFields))
	for i, f := range FacetFields {
		m := make(map[string]int, len(top[i].vals))
		for _, v := range top[i].vals {
			m[v.term] = v.count
		}
		out[f] = m
	}
	return out
}

// facetTop keeps the size best values of one facet, best first.
type facetTop struct {
	size int
	vals []termCount
}

type termCount struct {
	term  string
	count int
}

func (a termCount) before(b termCount) bool {
	return a.count > b.count || a.count == b.count && a.term < b.term
}

func (t *facetTop) offer(term string, count int) {
	v := termCount{term, count}
	if len(t.vals) == t.size && !v.before(t.vals[len(t.vals)-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(t.vals, v, func(a, b termCount) int {
		if a.before(b) {
			return -1
		}
		return 1
	})
	t.vals = slices.Insert(t.vals, i, v)
	if len(t.vals) > t.size {
		t.vals = t.vals[:t.size]
	}
}
