package index

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
)

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// titleBoost ranks a word in the title above the same word in the body,
// as Ahmia does: a leak's title names the victim, its body rambles.
const titleBoost = 3.0

// SearchRequest says what page of results to return.
type SearchRequest struct {
	Facets bool   // count values of FacetFields over all matches
	Sort   string // SortRelevance (default) or SortDate, newest first
	After  string // cursor from the previous page's Result.Next
	Limit  int    // default DefaultLimit, at most MaxLimit
}

// Result is one page of matches.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string]map[string]int // facet field → value → count; nil unless asked
	Next   string                    // cursor for the following page; "" on the last
}

// Hit is one matching posting. Highlights hold HTML-escaped fragments of
// the title and body with matches wrapped in <mark>…</mark>.
type Hit struct {
	ID         string
	Title      string
	Site       string
	PostedAt   time.Time
	Score      float64
	Highlights map[string][]string
}

// CursorError is a bad SearchRequest.After.
type CursorError struct{ Msg string }

func (e *CursorError) Error() string {
	return "bad cursor: " + e.Msg + "; start again from the first page"
}

// SearchString parses q (see Parse) and searches for it.
func (ix *Index) SearchString(ctx context.Context, q string, req SearchRequest) (Result, error) {
	parsed, err := Parse(q)
	if err != nil {
		return Result{}, err
	}
	return ix.Search(ctx, parsed, req)
}

// Search returns one page of the postings matching q.
func (ix *Index) Search(ctx context.Context, q Query, req SearchRequest) (Result, error) {
	limit := req.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return Result{}, fmt.Errorf("limit %d is out of range 1–%d", limit, MaxLimit)
	}
	sortBy := req.Sort
	if sortBy == "" {
		sortBy = SortRelevance
	}
	switch sortBy {
	case SortRelevance, SortDate:
	default:
		return Result{}, fmt.Errorf("sort %q: expected %s or %s", req.Sort, SortRelevance, SortDate)
	}
	if q == nil {
		q = All{}
	}
	rest, filters := splitFilters(q)
	flt := compileFilter(filters, ix.opts.Victims)
	bq, err := translate(rest, ix.opts.Victims, byPairs)
	if err != nil {
		return Result{}, err
	}
	hq, err := translate(rest, ix.opts.Victims, byPositions)
	if err != nil {
		return Result{}, err
	}
	qkey := queryKey(q)
	var after *pageKey
	if req.After != "" {
		if after, err = decodeCursor(req.After, sortBy, qkey); err != nil {
			return Result{}, err
		}
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return Result{}, errClosed
	}
	// The facet sidebar's empty query counts every posting; its counts
	// stay valid until the next write, so they are computed once.
	_, matchAll := q.(All)
	_, scan := rest.(All) // nothing for bleve to search
	var facets map[string]map[string]int
	ver := ix.writes.Load()
	if req.Facets && matchAll {
		facets = ix.facetCache.get(ver)
	}
	_, direct := planOf(rest)
	// Every shard at once, each into its own collector.
	cs := make([]*collector, len(ix.cur.idx))
	err = ix.cur.each(ctx, func(ctx context.Context, k int, idx bleve.Index) error {
		cs[k] = newCollector(sortBy == SortDate, limit+1, after, req.Facets && facets == nil, flt)
		switch {
		case scan:
			return searchAll(idx, ix.cur.cols[k], cs[k])
		case direct:
			plan, _ := planOf(rest) // its own: a plan holds the walk's state
			return searchPlan(idx, ix.cur.cols[k], plan, cs[k])
		}
		return searchBleve(ctx, idx, ix.cur.cols[k], bq, cs[k])
	})
	if err != nil {
		return Result{}, err
	}
	col := mergeCollectors(cs)
	if col.facets {
		facets = col.topFacets(ix.opts.FacetSize)
		if matchAll {
			ix.facetCache.put(ver, facets)
		}
	}
	out := Result{Total: col.total, Facets: facets}
	page, more := col.result(limit)
	if more {
		out.Next = encodeCursor(sortBy, qkey, page[len(page)-1])
	}
	out.Hits, err = ix.fetch(ctx, hq, page, !scan)
	return out, err
}

var errNotScorch = errors.New("index: not a scorch index; remove the index directory to rebuild it")

// searchBleve runs bq through one shard with col taking the matches. The
// only sort bleve is asked for is the score, the one that needs nothing
// read per match.
func searchBleve(ctx context.Context, idx bleve.Index, cache *colCache, bq query.Query, col *collector) error {
	sr := bleve.NewSearchRequestOptions(bq, 1, 0, false)
	// Not Score "none" for the date order: bleve's phrase searcher then
	// reads no term positions and matches nothing.
	sr.SortBy([]string{"-_score"})
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, col.handler(cache))
	if _, err := idx.SearchInContext(ctx, sr); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// searchAll gives col every posting of one shard, from a snapshot of it.
func searchAll(idx bleve.Index, cache *colCache, col *collector) error {
	return withSnapshot(idx, cache, func(_ *scorch.IndexSnapshot, cols *snapCols) error {
		return col.all(cols)
	})
}

// withSnapshot calls fn with a snapshot of one shard and its columns,
// open while fn runs.
func withSnapshot(idx bleve.Index, cache *colCache, fn func(*scorch.IndexSnapshot, *snapCols) error) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer func() { _ = r.Close() }()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return errNotScorch
	}
	cols, err := cache.of(snap)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return fn(snap, cols)
}

// fetch returns the stored fields, and with highlight the highlighted
// fragments, of the page's postings: a second search for bq restricted to
// their ids, in their shards. A posting deleted between the two searches
// is left out.
func (ix *Index) fetch(ctx context.Context, bq query.Query, page []pageKey, highlight bool) ([]Hit, error) {
	out := make([]Hit, 0, len(page))
	if len(page) == 0 {
		return out, nil
	}
	ids := make([][]string, len(ix.cur.idx))
	for _, k := range page {
		s := ix.cur.of(k.id)
		ids[s] = append(ids[s], k.id)
	}
	var mu sync.Mutex
	byID := make(map[string]*search.DocumentMatch, len(page))
	err := ix.cur.each(ctx, func(ctx context.Context, k int, idx bleve.Index) error {
		if len(ids[k]) == 0 {
			return nil
		}
		var fq query.Query = bleve.NewDocIDQuery(ids[k])
		if highlight {
			// Matched again for the positions of its words; without
			// highlights the ids alone are cheaper than any query.
			fq = bleve.NewConjunctionQuery(bq, fq)
		}
		sr := bleve.NewSearchRequestOptions(fq, len(ids[k]), 0, false)
		sr.Fields = []string{"title", "site", "posted_at"}
		if highlight {
			sr.Highlight = bleve.NewHighlightWithStyle("html")
			sr.Highlight.Fields = []string{"title", "body"}
		}
		res, err := idx.SearchInContext(ctx, sr)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, h := range res.Hits {
			byID[h.ID] = h
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range page {
		h := byID[k.id]
		if h == nil {
			continue
		}
		hit := Hit{ID: k.id, Score: k.score}
		hit.Title, _ = h.Fields["title"].(string)
		hit.Site, _ = h.Fields["site"].(string)
		if s, ok := h.Fields["posted_at"].(string); ok {
			hit.PostedAt, _ = time.Parse(time.RFC3339Nano, s)
		}
		if len(h.Fragments) > 0 {
			hit.Highlights = map[string][]string(h.Fragments)
		}
		out = append(out, hit)
	}
	return out, nil
}

// facetCache holds the facet counts of the match-all query, valid for
// one value of Index.writes.
type facetCache struct {
	mu     sync.Mutex
	ok     bool
	ver    uint64
	facets map[string]map[string]int
}

func (c *facetCache) get(ver uint64) map[string]map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok || c.ver != ver {
		return nil
	}
	return copyFacets(c.facets)
}

// put keeps facets computed while writes was ver; a write since then
// (ver is stale) makes them worthless, and they are dropped.
func (c *facetCache) put(ver uint64, facets map[string]map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ok, c.ver, c.facets = true, ver, copyFacets(facets)
}

func copyFacets(f map[string]map[string]int) map[string]map[string]int {
	out := make(map[string]map[string]int, len(f))
	for k, m := range f {
		out[k] = maps.Clone(m)
	}
	return out
}

// A cursor is base64url(JSON) of the last hit's place in the order
// (score or date, and id), with the sort order and a hash of the query so
// that a cursor cannot be replayed against another query. It is opaque to
// callers but not secret.
type cursor struct {
	V int      `json:"v"`
	S string   `json:"s"`
	Q string   `json:"q"`
	K []string `json:"k"`
}

// cursorVersion 2: the date is Unix nanoseconds ("" for none), where
// version 1 held bleve's encoding of it.
const cursorVersion = 2

const maxCursorLen = 1024

func queryKey(q Query) string {
	s := sha256.Sum256([]byte(q.String()))
	return hex.EncodeToString(s[:8])
}

func encodeCursor(sortBy, qkey string, k pageKey) string {
	var v string
	switch {
	case sortBy == SortRelevance:
		// Printed so that it parses back to the same float.
		v = strconv.FormatFloat(k.score, 'g', -1, 64)
	case k.posted != noValue:
		v = strconv.FormatInt(k.posted, 10)
	}
	b, _ := json.Marshal(cursor{V: cursorVersion, S: sortBy, Q: qkey, K: []string{v, k.id}})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sortBy, qkey string) (*pageKey, error) {
	if len(s) > maxCursorLen {
		return nil, &CursorError{"too long"}
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, &CursorError{"not a cursor this server made"}
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.V != cursorVersion {
		return nil, &CursorError{"not a cursor this server made"}
	}
	if c.S != sortBy {
		return nil, &CursorError{fmt.Sprintf("it was made for sort %q, not %q", c.S, sortBy)}
	}
	if c.Q != qkey {
		return nil, &CursorError{"it was made for another query"}
	}
	if len(c.K) != 2 || c.K[1] == "" || len(c.K[0]) > 64 {
		return nil, &CursorError{"malformed sort values"}
	}
	k := &pageKey{id: c.K[1], idKey: idKey(c.K[1]), posted: noValue}
	if sortBy == SortRelevance {
		f, err := strconv.ParseFloat(c.K[0], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &CursorError{"malformed score"}
		}
		k.score = f
	} else if c.K[0] != "" {
		t, err := strconv.ParseInt(c.K[0], 10, 64)
		if err != nil || t == noValue {
			return nil, &CursorError{"malformed date"}
		}
		k.posted = t
	}
	return k, nil
}

// translation is how translate finds a phrase.
type translation int

const (
	// byPairs finds a phrase of two words as one term of the pair
	// fields, and a longer one through all its pairs and then its
	// positions; Search ranks by it.
	byPairs translation = iota
	// byPositions reads the positions of the words in title and body,
	// which the highlighter needs to mark a phrase.
	byPositions
)

// phraseWords returns the words the text analyzer makes of a phrase.
var phraseWords = sync.OnceValue(func() func(string) []string {
	m, err := newMapping()
	if err != nil {
		panic(err) // the mapping is a constant; its tests would fail first
	}
	a := m.AnalyzerNamed(textAnalyzer)
	return func(s string) []string {
		var ws []string
		for _, t := range a.Analyze([]byte(s)) {
			ws = append(ws, string(t.Term))
		}
		return ws
	}
})

// phrasePairs returns the indexed pairs (isPair) of a phrase's words.
func phrasePairs(words []string) []string {
	var ps []string
	for i := 1; i < len(words); i++ {
		if isPair(words[i-1], words[i]) {
			ps = append(ps, words[i-1]+" "+words[i])
		}
	}
	return ps
}

// translate turns our query tree into bleve's. It is the only place bleve
// queries are made.
func translate(q Query, victims map[string]string, how translation) (query.Query, error) {
	switch q := q.(type) {
	case All:
		return bleve.NewMatchAllQuery(), nil
	case Text:
		var t, b query.Query
		var words, pairs []string
		if q.Phrase && how == byPairs {
			words = phraseWords()(q.Value)
			pairs = phrasePairs(words)
		}
		if len(pairs) > 0 {
			find := func(pairField, field string) query.Query {
				var qs []query.Query
				for _, p := range pairs {
					tq := bleve.NewTermQuery(p)
					tq.SetField(pairField)
					qs = append(qs, tq)
				}
				if len(words) > 2 || len(pairs) < len(words)-1 {
					// The pairs present are not yet the phrase: its
					// positions must follow, read only where the
					// pairs are.
					pq := bleve.NewMatchPhraseQuery(q.Value)
					pq.SetField(field)
					qs = append(qs, pq)
				}
				if len(qs) == 1 {
					return qs[0]
				}
				return bleve.NewConjunctionQuery(qs...)
			}
			t, b = find(titlePairs, "title"), find(bodyPairs, "body")
			t.(query.BoostableQuery).SetBoost(titleBoost)
		} else if q.Phrase && len(words) != 1 {
			tq := bleve.NewMatchPhraseQuery(q.Value)
			tq.SetField("title")
			tq.SetBoost(titleBoost)
			bq := bleve.NewMatchPhraseQuery(q.Value)
			bq.SetField("body")
			t, b = tq, bq
		} else {
			tq := bleve.NewMatchQuery(q.Value)
			tq.SetField("title")
			tq.SetBoost(titleBoost)
			tq.SetOperator(query.MatchQueryOperatorAnd)
			bq := bleve.NewMatchQuery(q.Value)
			bq.SetField("body")
			bq.SetOperator(query.MatchQueryOperatorAnd)
			t, b = tq, bq
		}
		return bleve.NewDisjunctionQuery(t, b), nil
	case word:
		return translate(Text{Value: q.Value}, victims, how)
	case Field:
		tq := bleve.NewTermQuery(fieldTerm(q, victims))
		tq.SetField(facetField)
		return tq, nil
	case Posted:
		t, f := true, false
		dq := bleve.NewDateRangeInclusiveQuery(q.From, q.To, &t, &f)
		dq.SetField("posted_at")
		return dq, nil
	case Records:
		var lo, hi *float64
		if q.Min != nil {
			v := float64(*q.Min)
			lo = &v
		}
		if q.Max != nil {
			v := float64(*q.Max)
			hi = &v
		}
		minInc, maxInc := q.MinInclusive, q.MaxInclusive
		nq := bleve.NewNumericRangeInclusiveQuery(lo, hi, &minInc, &maxInc)
		nq.SetField("claimed_records")
		return nq, nil
	case Not:
		inner, err := translate(q.Q, victims, how)
		if err != nil {
			return nil, err
		}
		bq := bleve.NewBooleanQuery()
		bq.AddMust(bleve.NewMatchAllQuery())
		bq.AddMustNot(inner)
		return bq, nil
	case And:
		var must, not []query.Query
		for _, part := range q {
			if n, ok := part.(Not); ok {
				t, err := translate(n.Q, victims, how)
				if err != nil {
					return nil, err
				}
				not = append(not, t)
				continue
			}
			t, err := translate(part, victims, how)
			if err != nil {
				return nil, err
			}
			must = append(must, t)
		}
		bq := bleve.NewBooleanQuery()
		if len(must) == 0 {
			must = append(must, bleve.NewMatchAllQuery())
		}
		bq.AddMust(must...)
		bq.AddMustNot(not...)
		return bq, nil
	case Or:
		parts := make([]query.Query, 0, len(q))
		for _, part := range q {
			t, err := translate(part, victims, how)
			if err != nil {
				return nil, err
			}
			parts = append(parts, t)
		}
		return bleve.NewDisjunctionQuery(parts...), nil
	}
	return nil, errors.New("index: unknown query node")
}
