package index

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/fixtures/postings"
)

// bleveTop is what bleve's own collector answers for q: every hit (size
// must exceed the total) in Search's order, scores from bleve and dates
// from the stored fields. It is the reference the collector must agree
// with.
func bleveTop(t *testing.T, ix *Index, q Query, sortBy string, size int) ([]string, uint64) {
	ids, total, _ := bleveTopBy(t, ix, q, sortBy, size, byPairs)
	return ids, total
}

// bleveTopBy is bleveTop with a choice of translation; it returns the
// scores too.
func bleveTopBy(t *testing.T, ix *Index, q Query, sortBy string, size int, how translation) ([]string, uint64, map[string]float64) {
	t.Helper()
	// The same split as Search's: bleve applies the filters without
	// scoring them, Search from its columns.
	rest, filters := splitFilters(q)
	bq, err := translate(rest, ix.opts.Victims, how)
	if err != nil {
		t.Fatal(err)
	}
	if filters != nil {
		fq, err := translate(filters, ix.opts.Victims, how)
		if err != nil {
			t.Fatal(err)
		}
		b := bleve.NewBooleanQuery()
		b.AddMust(bq)
		b.AddFilter(fq)
		bq = b
	}
	sr := bleve.NewSearchRequestOptions(bq, size, 0, false)
	sr.SortBy([]string{"-_score", "_id"})
	sr.Fields = []string{"posted_at"}
	res, err := bleve.NewIndexAlias(ix.cur.idx...).SearchInContext(t.Context(), sr)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total > uint64(size) {
		t.Fatalf("%d hits, more than %d", res.Total, size)
	}
	hits := res.Hits
	if sortBy == SortDate {
		// No doc values to sort by: by the stored date, newest first, none
		// last, then id.
		posted := func(h *search.DocumentMatch) string { s, _ := h.Fields["posted_at"].(string); return s }
		slices.SortFunc(hits, func(a, b *search.DocumentMatch) int {
			pa, pb := posted(a), posted(b)
			switch {
			case pa == "" && pb != "":
				return 1
			case pa != "" && pb == "":
				return -1
			}
			ta, _ := time.Parse(time.RFC3339Nano, pa)
			tb, _ := time.Parse(time.RFC3339Nano, pb)
			if c := tb.Compare(ta); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	var ids []string
	scores := map[string]float64{}
	for _, h := range hits {
		ids = append(ids, h.ID)
		scores[h.ID] = h.Score
	}
	return ids, res.Total, scores
}

// refFacets counts the facets of the postings ids from the postings
// themselves, as toDoc indexes them.
func refFacets(ids []string, live map[string]posting.Posting, victims map[string]string, size int) map[string]map[string]int {
	counts := map[string]int{}
	for _, id := range ids {
		for _, term := range toDoc(live[id], victims)[facetField].([]string) {
			counts[term]++
		}
	}
	return splitFacets(counts, size)
}

// TestCollectorSameAsBleve compares Search with bleve's own collector
// over an index of several segments with deleted and replaced postings:
// the same total, the same facet counts, the same hits in the same order,
// on every page.
func TestCollectorSameAsBleve(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	ps := postings.Generate(1500, 11)
	// Several batches make several segments; then deletes and
	// replacements leave deleted documents in them.
	for i := 0; i < len(ps); i += 400 {
		if err := ix.Add(t.Context(), ps[i:min(i+400, len(ps))]...); err != nil {
			t.Fatal(err)
		}
	}
	var gone []string
	for i := 0; i < len(ps); i += 7 {
		gone = append(gone, ps[i].ID)
	}
	if err := ix.Delete(t.Context(), gone...); err != nil {
		t.Fatal(err)
	}
	changed := slices.Clone(ps[3:300:300])
	for i := range changed {
		changed[i].Title += " dikemaskini"
		changed[i].Site = "mirror"
	}
	if err := ix.Add(t.Context(), changed...); err != nil {
		t.Fatal(err)
	}
	live := map[string]posting.Posting{}
	for _, p := range ps {
		live[p.ID] = p
	}
	for _, id := range gone {
		delete(live, id)
	}
	for _, p := range changed {
		live[p.ID] = p
	}

	for _, qs := range []string{
		"", "socso", "data OR database", `"juta rekod" lang:ms`, "victim:MySejahtera",
		"database records:>1m posted:2023..", "site:breachforums class:mykad -offer:free",
		"(tokopedia OR bukalapak) offer:sale", "-site:mirror", "dikemaskini", "zzznotaword",
		"records:1000..50000 OR posted:..2020-06-01",
		// Filters alone, and filters beside words, go to the columns.
		"actor:kaizen_my", "ACTOR:Zer0Day_id data", "victim:perkeso", "-country:MY",
		"records:>=1000000", "records:<1000", "posted:2024-01-01..2024-06-30",
		"(lang:ms OR lang:id) -offer:free", "class:mykad records:<500000 jual",
		"site:pastebin OR NOT verdict:NEW", "victim:nosuchorg", "socso -posted:2023",
		// Words and phrases, alone and in an OR, walked by searchPlan:
		// phrases of rarer words (read by positions), of one pair, a
		// phrase whose words are there but not in its order, a word
		// twice, words no posting holds, an OR of ten, nested ORs.
		`perkeso OR socso OR "pertubuhan keselamatan sosial"`, `"pertubuhan keselamatan sosial"`,
		`"keselamatan sosial" OR "juta rekod"`, `"sosial keselamatan"`, `"pertubuhan keselamatan sosial" OR sosial OR perkeso OR keselamatan`,
		`keselamatan OR data OR pertubuhan OR database`, `"jaminan sosial kesehatan" lang:id`,
		`("kesihatan malaysia" OR "bank rakyat") -offer:free`, `"socso socso"`, `zzznotaword OR socso`,
		`"zzz socso"`, `socso OR bpjs OR tokopedia OR bukalapak OR pln OR kpu OR maxis OR astro OR cimb OR ptptn`,
		`(socso OR (perkeso OR "kementerian kesihatan") OR airasia) records:>100000`,
	} {
		q, err := Parse(qs)
		if err != nil {
			t.Fatal(err)
		}
		for _, sortBy := range []string{SortRelevance, SortDate} {
			t.Run(fmt.Sprintf("%s/%q", sortBy, qs), func(t *testing.T) {
				want, wantTotal, wantScores := bleveTopBy(t, ix, q, sortBy, 5000, byPairs)
				wantFacets := refFacets(want, live, ix.opts.Victims, ix.opts.FacetSize)
				var got []string
				req := SearchRequest{Sort: sortBy, Limit: 61, Facets: true}
				for page := 0; ; page++ {
					res, err := ix.Search(t.Context(), q, req)
					if err != nil {
						t.Fatal(err)
					}
					if res.Total != wantTotal {
						t.Fatalf("page %d: total %d, bleve %d", page, res.Total, wantTotal)
					}
					if !maps.EqualFunc(res.Facets, wantFacets, maps.Equal) {
						t.Fatalf("page %d: facets\n%v\nbleve\n%v", page, res.Facets, wantFacets)
					}
					for _, h := range res.Hits {
						got = append(got, h.ID)
						if w := wantScores[h.ID]; sortBy == SortRelevance && h.Score != w {
							t.Fatalf("%s scores %v, bleve %v", h.ID, h.Score, w)
						}
					}
					if res.Next == "" {
						break
					}
					req.After = res.Next
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%d hits differ from bleve's %d\n got %v\nwant %v", len(got), len(want), got, want)
				}
			})
		}
	}
}

// splitFacets is the reference for collector.topFacets: the top size
// values of each facet field, by count, then value, from a map of every
// "field:value" term's count.
func splitFacets(counts map[string]int, size int) map[string]map[string]int {
	type tc struct {
		term  string
		count int
	}
	per := make(map[string][]tc, len(FacetFields))
	for t, n := range counts {
		field, value, ok := strings.Cut(t, ":")
		if ok {
			per[field] = append(per[field], tc{value, n})
		}
	}
	out := make(map[string]map[string]int, len(FacetFields))
	for _, f := range FacetFields {
		ts := per[f]
		slices.SortFunc(ts, func(a, b tc) int {
			if a.count != b.count {
				return cmp.Compare(b.count, a.count)
			}
			return strings.Compare(a.term, b.term)
		})
		m := make(map[string]int, min(len(ts), size))
		for _, t := range ts[:min(len(ts), size)] {
			m[t.term] = t.count
		}
		out[f] = m
	}
	return out
}

// TestIDKeyOrder checks that comparing idKeys, then the ids only when the
// keys are equal, orders ids as comparing the ids does.
func TestIDKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "\x00\x01ab\xffp-"
	word := func() string {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	c := &collector{}
	for range 100_000 {
		a, b := word(), word()
		ka := pageKey{idKey: idKey(a), id: a}
		kb := pageKey{idKey: idKey(b), id: b}
		if got, want := c.before(&ka, &kb), a < b; got != want {
			t.Fatalf("%q before %q: %v, want %v", a, b, got, want)
		}
	}
}

// TestFilterBounds checks the column filters at the edges of their
// ranges, where the generated postings seldom fall, against both the
// expected postings and bleve.
func TestFilterBounds(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ps := []posting.Posting{
		{ID: "a", Site: "x", Title: "t", PostedAt: at("2024-01-01T00:00:00Z"), ClaimedRecords: 1000},
		{ID: "b", Site: "x", Title: "t", PostedAt: at("2024-06-30T23:59:59.999999999Z"), ClaimedRecords: 50000},
		{ID: "c", Site: "x", Title: "t", PostedAt: at("2024-07-01T00:00:00Z"), ClaimedRecords: 50001},
		{ID: "d", Site: "x", Title: "t"},
		{ID: "e", Site: "x", Title: "t", PostedAt: at("2023-12-31T23:59:59.999999999Z"), ClaimedRecords: 999},
	}
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"posted:2024-01-01..2024-06-30": "a b",
		"posted:..2023":                 "e",
		"posted:2024-07-01..":           "c",
		"-posted:2024":                  "d e",
		"records:1000..50000":           "a b",
		"records:>1000":                 "b c",
		"records:>=1000":                "a b c",
		"records:<1000":                 "e",
		"records:..1000":                "a e",
		"-records:>0":                   "d",
	} {
		parsed, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ix.Search(t.Context(), parsed, SearchRequest{Sort: SortDate, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		ref, _ := bleveTop(t, ix, parsed, SortDate, 10)
		slices.Sort(ref)
		if strings.Join(got, " ") != want || !slices.Equal(got, ref) {
			t.Errorf("%s: got %v, want %s (bleve: %v)", q, got, want, ref)
		}
	}
}

// TestPhrasePairs checks that a phrase found through the pair fields, and
// words beside common words only filtered by them, match exactly the
// postings the plain translation (positions, every word scoring) matches.
func TestPhrasePairs(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	ps := postings.Generate(1500, 5)
	ps = append(ps,
		// Every pair of the phrase, but not the phrase.
		posting.Posting{ID: "pairs-only", Site: "x", Title: "Pertubuhan keselamatan. Keselamatan sosial"},
		posting.Posting{ID: "title-and-body", Site: "x", Title: "data juta", Body: "rekod lagi"},
		posting.Posting{ID: "phrase", Site: "x", Title: "t", Body: "Laporan: PERTUBUHAN Keselamatan-Sosial (2024)"},
		posting.Posting{ID: "common-pairs", Site: "x", Title: "data pertubuhan. keselamatan sosial data", Body: "keselamatan data pertubuhan keselamatan"},
	)
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	for _, qs := range []string{
		`"juta rekod"`, `"pertubuhan keselamatan sosial"`, `"data juta rekod"`, `"socso"`,
		`"juta rekod" lang:ms`, `"rekod juta"`, `"jual data" OR "data bocor"`, `"keselamatan keselamatan"`,
		`"2024"`, `"laporan pertubuhan keselamatan sosial 2024"`, `"!!"`, `"data pertubuhan keselamatan"`,
		`"keselamatan sosial data"`, `"bocor data"`, `"database leaked"`,
		"jual data bpjs", "data bocor socso -lang:en", "the data", "DATA socso OR jual bpjs", `data "juta rekod" records:>1m`,
	} {
		q, err := Parse(qs)
		if err != nil {
			t.Fatal(err)
		}
		want, wantTotal, _ := bleveTopBy(t, ix, q, SortDate, 5000, byPositions)
		res, err := ix.Search(t.Context(), q, SearchRequest{Sort: SortDate, Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if res.Next == "" {
				break
			}
			if res, err = ix.Search(t.Context(), q, SearchRequest{Sort: SortDate, Limit: MaxLimit, After: res.Next}); err != nil {
				t.Fatal(err)
			}
		}
		if res.Total != wantTotal || !slices.Equal(got, want) {
			t.Errorf("%s: %d matches %v\nby positions %d %v", qs, res.Total, got, wantTotal, want)
		}
	}
}

func TestPairsFilter(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range m.AnalyzerNamed(pairAnalyzer).Analyze([]byte("Jual DATA Socso: 2 juta rekod, pangkalan data")) {
		got = append(got, fmt.Sprintf("%s@%d[%d:%d]", tok.Term, tok.Position, tok.Start, tok.End))
	}
	want := []string{"jual data@1[0:9]", "data socso@2[5:15]", "2 juta@4[17:23]", "juta rekod@5[19:29]", "rekod pangkalan@6[24:40]", "pangkalan data@7[31:45]"}
	if !slices.Equal(got, want) {
		t.Errorf("pairs\n got %v\nwant %v", got, want)
	}
}

// TestShards checks that postings go to the shard their id hashes to,
// that a generation keeps its shard count, and that the date order, total
// and facets (which do not depend on scores) are those of one shard.
func TestShards(t *testing.T) {
	ps := postings.Generate(700, 21)
	one := open(t, t.TempDir(), Options{Shards: 1})
	dir := t.TempDir()
	three := open(t, dir, Options{Shards: 3})
	for _, ix := range []*Index{one, three} {
		if err := ix.Add(t.Context(), ps...); err != nil {
			t.Fatal(err)
		}
	}
	if err := three.Delete(t.Context(), ps[5].ID, ps[6].ID); err != nil {
		t.Fatal(err)
	}
	if err := one.Delete(t.Context(), ps[5].ID, ps[6].ID); err != nil {
		t.Fatal(err)
	}
	if len(three.cur.idx) != 3 {
		t.Fatalf("%d shards", len(three.cur.idx))
	}
	var total uint64
	for k, idx := range three.cur.idx {
		n, _ := idx.DocCount()
		if n == 0 {
			t.Errorf("shard %d is empty", k)
		}
		total += n
		for _, p := range ps[:50] {
			if d, _ := idx.Document(p.ID); (d != nil) != (three.cur.of(p.ID) == k && p.ID != ps[5].ID && p.ID != ps[6].ID) {
				t.Errorf("posting %s in shard %d: %v", p.ID, k, d != nil)
			}
		}
	}
	if total != 698 {
		t.Errorf("%d postings in the shards", total)
	}
	for _, q := range []string{"", "data", "victim:socso OR lang:id", `"juta rekod"`} {
		a := doSearch(t, one, q, SearchRequest{Sort: SortDate, Facets: true, Limit: 200})
		b := doSearch(t, three, q, SearchRequest{Sort: SortDate, Facets: true, Limit: 200})
		ids := func(r Result) []string {
			var out []string
			for _, h := range r.Hits {
				out = append(out, h.ID)
			}
			return out
		}
		if a.Total != b.Total || !slices.Equal(ids(a), ids(b)) || !maps.EqualFunc(a.Facets, b.Facets, maps.Equal) {
			t.Errorf("%q: one shard %d %v, three %d %v", q, a.Total, a.Facets["site"], b.Total, b.Facets["site"])
		}
	}
	three.Close()
	again := open(t, dir, Options{Shards: 5})
	if len(again.cur.idx) != 3 {
		t.Errorf("reopened with %d shards", len(again.cur.idx))
	}
}

// TestOldLayout checks that a generation from before shards is rebuilt
// from the source, or refused with what to do.
func TestOldLayout(t *testing.T) {
	dir := t.TempDir()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	old, err := bleve.New(filepath.Join(dir, "gen-1"), m)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	if err := os.WriteFile(filepath.Join(dir, "CURRENT"), []byte("gen-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "index rebuild") {
		t.Fatalf("old layout without a source: %v", err)
	}
	ps := postings.Generate(20, 1)
	ix := open(t, dir, Options{Source: source(ps)})
	if n, _ := ix.Count(); n != 20 {
		t.Errorf("rebuilt with %d postings", n)
	}
}

// TestNotKeepsRanking checks that a common word beside only a negation
// still ranks: "data -zzzz" orders as "data" does.
func TestNotKeepsRanking(t *testing.T) {
	ix, _ := sharedIndex(t)
	a := doSearch(t, ix, "data", SearchRequest{Limit: 50})
	b := doSearch(t, ix, "data -zzznotaword", SearchRequest{Limit: 50})
	if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
		t.Fatalf("%d and %d hits", a.Total, b.Total)
	}
	for i := range a.Hits {
		if a.Hits[i].ID != b.Hits[i].ID {
			t.Fatalf("hit %d: %s (%v) and %s (%v)", i, a.Hits[i].ID, a.Hits[i].Score, b.Hits[i].ID, b.Hits[i].Score)
		}
	}
}

// TestConcurrentSearchAndWrite searches from several goroutines while
// postings are added, deleted and the index rebuilt, for the race
// detector (make test runs with -race) and for errors; at the end the
// index must hold what was written.
func TestConcurrentSearchAndWrite(t *testing.T) {
	ix := open(t, t.TempDir(), Options{BatchSize: 50})
	ps := postings.Generate(900, 17)
	if err := ix.Add(t.Context(), ps[:300]...); err != nil {
		t.Fatal(err)
	}
	queries := []string{"", "data", "socso -posted:2023", "lang:ms OR lang:id", `"juta rekod"`, "jual data bpjs", "victim:perkeso records:>1000"}
	done := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				req := SearchRequest{Facets: i%2 == 0, Limit: 7}
				if g%2 == 1 {
					req.Sort = SortDate
				}
				q := queries[(g+i)%len(queries)]
				res, err := ix.SearchString(t.Context(), q, req)
				if err == nil && res.Next != "" {
					req.After = res.Next
					_, err = ix.SearchString(t.Context(), q, req)
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", q, err)
					return
				}
			}
		})
	}
	for i := 300; i < 900; i += 100 {
		if err := ix.Add(t.Context(), ps[i:i+100]...); err != nil {
			t.Fatal(err)
		}
		if err := ix.Delete(t.Context(), ps[i-300].ID); err != nil {
			t.Fatal(err)
		}
		if i == 600 {
			if err := ix.Rebuild(t.Context(), source(ps[:700])); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The rebuild (from ps[:700], with the writes that raced it) and the
	// writes after it: everything but the deletes after the rebuild.
	want := uint64(900 - 2)
	if got := doSearch(t, ix, "", SearchRequest{}).Total; got != want {
		t.Errorf("%d postings at the end, want %d", got, want)
	}
}

// TestEmptyIndex searches an index with nothing in it, every way.
func TestEmptyIndex(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	for _, q := range []string{"", "data", "socso", "victim:x", `"juta rekod"`, "a OR b", "records:>5"} {
		for _, sortBy := range []string{SortRelevance, SortDate} {
			res := doSearch(t, ix, q, SearchRequest{Facets: true, Sort: sortBy})
			if res.Total != 0 || len(res.Hits) != 0 || res.Next != "" {
				t.Errorf("%q: %+v", q, res)
			}
		}
	}
}

// TestLongPhraseSameAsBleve holds a phrase of 13 words, all in the same
// postings, to bleve's scores: bleve sorts a conjunction's terms with
// sort.Sort, stable only up to 12 elements, and sums them in that order.
func TestLongPhraseSameAsBleve(t *testing.T) {
	ix := open(t, t.TempDir(), Options{Shards: 1})
	r := rand.New(rand.NewPCG(3, 4))
	var ws []string
	for i := range 13 {
		ws = append(ws, fmt.Sprintf("w%02dx", i))
	}
	phrase := strings.Join(ws, " ")
	var ps []posting.Posting
	for i := range 300 {
		body := phrase
		for range r.IntN(80) {
			body += " " + ws[r.IntN(len(ws))]
		}
		ps = append(ps, posting.Posting{ID: fmt.Sprintf("p%03d", i), Site: "s", Title: "t", Body: body})
	}
	// A few more postings of some words, so that counts tie in groups.
	for i, w := range ws {
		for k := range i % 3 {
			ps = append(ps, posting.Posting{ID: fmt.Sprintf("x%02d%d", i, k), Site: "s", Title: "t", Body: w})
		}
	}
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{12, 13} {
		q, err := Parse(`"` + strings.Join(ws[:n], " ") + `"`)
		if err != nil {
			t.Fatal(err)
		}
		if rest, _ := splitFilters(q); !isPlanned(rest) {
			t.Fatalf("%d words: not walked by a plan", n)
		}
		_, wantTotal, wantScores := bleveTopBy(t, ix, q, SortRelevance, 5000, byPairs)
		res, err := ix.Search(t.Context(), q, SearchRequest{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != wantTotal || len(res.Hits) == 0 {
			t.Fatalf("%d words: %d hits, bleve %d", n, res.Total, wantTotal)
		}
		for _, h := range res.Hits {
			if h.Score != wantScores[h.ID] {
				t.Fatalf("%d words: %s scores %v, bleve %v", n, h.ID, h.Score, wantScores[h.ID])
			}
		}
	}
}

func isPlanned(q Query) bool {
	_, ok := planOf(q)
	return ok
}
