package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/semak/semak/internal/goldentest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/fixtures/postings"
)

// shared is a read-only index of 1,000 generated postings used by the
// search tests; tests that write make their own.
var (
	sharedOnce sync.Once
	shared     *Index
	sharedPs   []posting.Posting
	sharedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func sharedIndex(t testing.TB) (*Index, []posting.Posting) {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "semak-index-test-")
		if err != nil {
			sharedErr = err
			return
		}
		sharedPs = postings.Generate(1000, 1)
		shared, sharedErr = Open(context.Background(), dir, Options{})
		if sharedErr == nil {
			sharedErr = shared.Add(context.Background(), sharedPs...)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared, sharedPs
}

func open(t *testing.T, dir string, opts Options) *Index {
	t.Helper()
	ix, err := Open(t.Context(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func doSearch(t *testing.T, ix *Index, q string, req SearchRequest) Result {
	t.Helper()
	res, err := ix.SearchString(t.Context(), q, req)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

func countOf(ps []posting.Posting, f func(posting.Posting) bool) uint64 {
	var n uint64
	for _, p := range ps {
		if f(p) {
			n++
		}
	}
	return n
}

func TestFacets(t *testing.T) {
	ix, ps := sharedIndex(t)
	res := doSearch(t, ix, "", SearchRequest{Facets: true})
	if res.Total != 1000 {
		t.Fatalf("total %d", res.Total)
	}
	for _, f := range []string{"site", "actor", "victim", "sector", "country", "data_class", "verdict", "language", "offer"} {
		if len(res.Facets[f]) == 0 {
			t.Errorf("facet %s empty", f)
		}
	}
	want := map[string]int{}
	for _, p := range ps {
		want[p.Site]++
	}
	if !mapsEqual(res.Facets["site"], want) {
		t.Errorf("site facet %v, want %v", res.Facets["site"], want)
	}
	if got, want := res.Facets["language"]["ms"], int(countOf(ps, func(p posting.Posting) bool { return p.Language == "ms" })); got != want {
		t.Errorf("language ms: %d, want %d", got, want)
	}
	if got, want := res.Facets["country"]["MY"], int(countOf(ps, func(p posting.Posting) bool { return slices.Contains(p.Countries, "MY") })); got != want {
		t.Errorf("country MY: %d, want %d", got, want)
	}
	// facets follow the query
	res = doSearch(t, ix, "lang:ms", SearchRequest{Facets: true})
	if len(res.Facets["language"]) != 1 || res.Facets["country"]["MY"] != int(res.Total) {
		t.Errorf("facets of lang:ms (total %d): %v %v", res.Total, res.Facets["language"], res.Facets["country"])
	}
	if res := doSearch(t, ix, "", SearchRequest{}); res.Facets != nil {
		t.Error("facets without asking")
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFieldFilters(t *testing.T) {
	ix, ps := sharedIndex(t)
	for _, tc := range []struct {
		q    string
		want func(posting.Posting) bool
	}{
		{"victim:perkeso", func(p posting.Posting) bool { return slices.Contains(p.Victims, "PERKESO") }},
		{`victim:"bpjs kesehatan"`, func(p posting.Posting) bool { return slices.Contains(p.Victims, "BPJS Kesehatan") }},
		{"actor:kaizen_my", func(p posting.Posting) bool { return p.Author == "Kaizen_MY" }},
		{"site:BreachForums", func(p posting.Posting) bool { return p.Site == "breachforums" }},
		{"country:id", func(p posting.Posting) bool { return slices.Contains(p.Countries, "ID") }},
		{"class:mykad", func(p posting.Posting) bool { return slices.Contains(p.DataClasses, "mykad") }},
		{"verdict:old", func(p posting.Posting) bool { return p.Verdict != nil && p.Verdict.Verdict == "OLD" }},
		{"offer:auction", func(p posting.Posting) bool { return p.Offer == posting.Auction }},
		{"sector:health", func(p posting.Posting) bool { return slices.Contains(p.Sectors, "health") }},
	} {
		want := countOf(ps, tc.want)
		if want == 0 {
			t.Fatalf("%s: the generated set has no match; pick another value", tc.q)
		}
		// Alone, a filter reads the columns; in an OR with a word it is a
		// term of facet_terms that bleve searches.
		for _, q := range []string{tc.q, "zzznotaword OR " + tc.q} {
			if got := doSearch(t, ix, q, SearchRequest{}).Total; got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
	}
}

func TestRanges(t *testing.T) {
	ix, ps := sharedIndex(t)
	from, to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		q    string
		want func(posting.Posting) bool
	}{
		{"posted:2024-01-01..2024-06-30", func(p posting.Posting) bool { return !p.PostedAt.Before(from) && p.PostedAt.Before(to) }},
		{"posted:..2020-12-31", func(p posting.Posting) bool { return p.PostedAt.Year() <= 2020 }},
		{"posted:2025..", func(p posting.Posting) bool { return p.PostedAt.Year() >= 2025 }},
		{"records:>1000000", func(p posting.Posting) bool { return p.ClaimedRecords > 1000000 }},
		{"records:>=1m", func(p posting.Posting) bool { return p.ClaimedRecords >= 1000000 }},
		{"records:<5000", func(p posting.Posting) bool { return p.ClaimedRecords < 5000 }},
		{"records:1000..50000", func(p posting.Posting) bool { return p.ClaimedRecords >= 1000 && p.ClaimedRecords <= 50000 }},
		{"records:..10k posted:2022", func(p posting.Posting) bool { return p.ClaimedRecords <= 10000 && p.PostedAt.Year() == 2022 }},
	} {
		want := countOf(ps, tc.want)
		if want == 0 {
			t.Fatalf("%s: no match in the generated set", tc.q)
		}
		// Alone, a filter reads the columns; in an OR with a word it is a
		// term bleve searches. Both must find the same postings.
		for _, q := range []string{tc.q, "zzznotaword OR " + tc.q} {
			if got := doSearch(t, ix, q, SearchRequest{}).Total; got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
	}
}

func TestBooleanPrecedence(t *testing.T) {
	ix, ps := sharedIndex(t)
	ms := func(p posting.Posting) bool { return p.Language == "ms" }
	id := func(p posting.Posting) bool { return p.Language == "id" }
	free := func(p posting.Posting) bool { return p.Offer == posting.Free }
	bf := func(p posting.Posting) bool { return p.Site == "breachforums" }
	for _, tc := range []struct {
		q    string
		want func(posting.Posting) bool
	}{
		{"lang:ms OR lang:id offer:free", func(p posting.Posting) bool { return ms(p) || (id(p) && free(p)) }},
		{"(lang:ms OR lang:id) offer:free", func(p posting.Posting) bool { return (ms(p) || id(p)) && free(p) }},
		{"NOT lang:en", func(p posting.Posting) bool { return p.Language != "en" }},
		{"-site:breachforums lang:ms", func(p posting.Posting) bool { return !bf(p) && ms(p) }},
		{"NOT site:breachforums OR offer:free", func(p posting.Posting) bool { return !bf(p) || free(p) }},
		{"NOT (site:breachforums OR offer:free)", func(p posting.Posting) bool { return !bf(p) && !free(p) }},
		{"lang:ms AND NOT offer:free OR site:xss", func(p posting.Posting) bool { return (ms(p) && !free(p)) || p.Site == "xss" }},
	} {
		if got, want := doSearch(t, ix, tc.q, SearchRequest{}).Total, countOf(ps, tc.want); got != want {
			t.Errorf("%s: %d, want %d", tc.q, got, want)
		}
	}
}

func TestHighlightsAndBoost(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	ps := []posting.Posting{
		{ID: "body", Site: "x", Title: "Dump of something", Body: "contains the zebrafish database", PostedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "title", Site: "x", Title: "Zebrafish database <script>alert(1)</script>", Body: "nothing here", PostedAt: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	res := doSearch(t, ix, "zebrafish", SearchRequest{})
	if len(res.Hits) != 2 || res.Hits[0].ID != "title" {
		t.Fatalf("title match should rank first: %+v", res.Hits)
	}
	h := res.Hits[0]
	if h.Title == "" || h.Site != "x" || !h.PostedAt.Equal(ps[1].PostedAt) {
		t.Errorf("stored fields: %+v", h)
	}
	if got := strings.Join(h.Highlights["title"], "|"); !strings.Contains(got, "<mark>Zebrafish</mark>") || strings.Contains(got, "<script>") || !strings.Contains(got, "&lt;script&gt;") {
		t.Errorf("title highlight %q", got)
	}
	if got := strings.Join(res.Hits[1].Highlights["body"], "|"); !strings.Contains(got, "<mark>zebrafish</mark>") {
		t.Errorf("body highlight %q", got)
	}
	res = doSearch(t, ix, `"zebrafish database"`, SearchRequest{Sort: SortDate})
	if len(res.Hits) != 2 || res.Hits[0].ID != "body" {
		t.Errorf("date sort: %+v", res.Hits)
	}
	if err := ix.Delete(t.Context(), "body"); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(); n != 1 {
		t.Errorf("after delete: %d", n)
	}
}

// TestPaging walks every page of the shared index and checks each posting
// appears exactly once, in the same order on a second walk.
func TestPaging(t *testing.T) {
	ix, _ := sharedIndex(t)
	for _, tc := range []struct{ q, sort string }{{"", SortDate}, {"", SortRelevance}, {"data OR database", SortRelevance}, {"lang:ms OR lang:id", SortDate}} {
		t.Run(tc.sort+"/"+tc.q, func(t *testing.T) {
			walk := func() ([]string, uint64) {
				var ids []string
				req := SearchRequest{Sort: tc.sort, Limit: 37}
				var total uint64
				var last time.Time
				for pages := 0; ; pages++ {
					if pages > 100 {
						t.Fatal("paging does not end")
					}
					res := doSearch(t, ix, tc.q, req)
					total = res.Total
					for _, h := range res.Hits {
						if tc.sort == SortDate && len(ids) > 0 && h.PostedAt.After(last) {
							t.Fatalf("%s posted %v after %v", h.ID, h.PostedAt, last)
						}
						last = h.PostedAt
						ids = append(ids, h.ID)
					}
					if res.Next == "" {
						if len(res.Hits) > 37 {
							t.Fatal("page too long")
						}
						return ids, total
					}
					if len(res.Hits) != 37 {
						t.Fatalf("page of %d with a next cursor", len(res.Hits))
					}
					req.After = res.Next
				}
			}
			ids, total := walk()
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("%s appears twice", id)
				}
				seen[id] = true
			}
			if uint64(len(ids)) != total || total == 0 {
				t.Fatalf("walked %d of %d", len(ids), total)
			}
			again, _ := walk()
			if !slices.Equal(ids, again) {
				t.Fatal("order differs between walks")
			}
		})
	}
}

// forgeCursor makes a cursor as a client might tamper with one.
func forgeCursor(sortBy string, q Query, k ...string) string {
	b, _ := json.Marshal(cursor{V: cursorVersion, S: sortBy, Q: queryKey(q), K: k})
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestBadRequests(t *testing.T) {
	ix, _ := sharedIndex(t)
	res := doSearch(t, ix, "data", SearchRequest{Limit: 5})
	if res.Next == "" {
		t.Fatal("no next cursor")
	}
	var ce *CursorError
	for name, req := range map[string]SearchRequest{
		"garbage":      {After: "!!!"},
		"not json":     {After: "bm90IGpzb24"},
		"other sort":   {After: res.Next, Sort: SortDate},
		"huge":         {After: strings.Repeat("A", 5000)},
		"forged score": {After: forgeCursor(SortRelevance, Text{Value: "data"}, "NaN", "x")},
		"forged date":  {After: forgeCursor(SortDate, Text{Value: "data"}, "2024-01-01", "x"), Sort: SortDate},
		"no id":        {After: forgeCursor(SortRelevance, Text{Value: "data"}, "1.5", "")},
	} {
		if _, err := ix.SearchString(t.Context(), "data", req); !errors.As(err, &ce) {
			t.Errorf("%s: got %v, want a CursorError", name, err)
		}
	}
	if _, err := ix.SearchString(t.Context(), "socso", SearchRequest{After: res.Next}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "another query") {
		t.Errorf("cursor of another query: %v", err)
	}
	for _, req := range []SearchRequest{{Limit: 201}, {Limit: -1}, {Sort: "price"}} {
		if _, err := ix.SearchString(t.Context(), "", req); err == nil {
			t.Errorf("%+v accepted", req)
		}
	}
	if _, err := ix.SearchString(t.Context(), "a OR", SearchRequest{}); err == nil {
		t.Error("bad query accepted")
	}
	if err := ix.Add(t.Context(), posting.Posting{ID: "x"}); err == nil || !strings.Contains(err.Error(), "site") {
		t.Errorf("invalid posting: %v", err)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, Options{})
	_, err := Open(t.Context(), dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	want := fmt.Sprintf("index %s is locked: another semak process (pid %d) owns this index; stop it or use another --data", dir, os.Getpid())
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(t.Context(), postings.Generate(20, 3)...); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = open(t, dir, Options{})
	if n, _ := ix.Count(); n != 20 {
		t.Fatalf("reopened with %d", n)
	}
}

func source(ps []posting.Posting) Source {
	return func(ctx context.Context, yield func(posting.Posting) error) error {
		for _, p := range ps {
			if err := yield(p); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestRebuildSwap(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir, Options{BatchSize: 7})
	old := postings.Generate(10, 1)
	if err := ix.Add(t.Context(), old...); err != nil {
		t.Fatal(err)
	}
	next := postings.Generate(50, 2)
	halfway, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- ix.Rebuild(t.Context(), func(ctx context.Context, yield func(posting.Posting) error) error {
			for i, p := range next {
				if i == 25 {
					close(halfway)
					<-release
				}
				if err := yield(p); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	<-halfway
	if got := doSearch(t, ix, "", SearchRequest{}).Total; got != 10 {
		t.Errorf("during rebuild: %d postings, want the old 10", got)
	}
	// A write during the rebuild reaches both generations.
	late := postings.Generate(11, 1)[10]
	if err := ix.Add(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(t.Context(), next[0].ID); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := doSearch(t, ix, "", SearchRequest{Limit: 200})
	if res.Total != 50 {
		t.Fatalf("after rebuild: %d postings, want 49 new + 1 late", res.Total)
	}
	ids := map[string]bool{}
	for _, h := range res.Hits {
		ids[h.ID] = true
	}
	if !ids[late.ID] || ids[next[0].ID] || ids[old[0].ID] {
		t.Errorf("late add %v, late delete %v, old %v", ids[late.ID], ids[next[0].ID], ids[old[0].ID])
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"CURRENT", "LOCK", "gen-2"}) {
		t.Errorf("directory holds %v", names)
	}
}

func TestRebuildFailureKeepsOld(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	if err := ix.Add(t.Context(), postings.Generate(5, 1)...); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("store went away")
	err := ix.Rebuild(t.Context(), func(ctx context.Context, yield func(posting.Posting) error) error {
		_ = yield(postings.One(9, 0))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if n, _ := ix.Count(); n != 5 {
		t.Errorf("after a failed rebuild: %d", n)
	}
	if _, err := os.Stat(filepath.Join(ix.dir, "gen-2")); !os.IsNotExist(err) {
		t.Error("half-built generation left behind")
	}
}

func TestMappingVersionBump(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(t.Context(), postings.Generate(3, 1)...); err != nil {
		t.Fatal(err)
	}
	ix.Close()

	_, err = Open(t.Context(), dir, Options{version: MappingVersion + 1})
	if err == nil || !strings.Contains(err.Error(), "semak index rebuild") {
		t.Fatalf("without a source: %v", err)
	}
	ix = open(t, dir, Options{version: MappingVersion + 1, Source: source(postings.Generate(8, 4))})
	if n, _ := ix.Count(); n != 8 {
		t.Fatalf("after the bump: %d postings, want the 8 from the source", n)
	}
	ix.Close()
	// The same version again: no rebuild (the source would fail).
	ix = open(t, dir, Options{version: MappingVersion + 1, Source: func(context.Context, func(posting.Posting) error) error {
		return errors.New("must not be called")
	}})
	if n, _ := ix.Count(); n != 8 {
		t.Fatalf("reopen: %d", n)
	}
}

func TestNewDirBuildsFromSource(t *testing.T) {
	ix := open(t, t.TempDir(), Options{Source: source(postings.Generate(12, 5))})
	if n, _ := ix.Count(); n != 12 {
		t.Fatalf("%d", n)
	}
}

// TestRankedGolden pins the ranking of a few queries over a fixed set in
// testdata/ranked.golden. A change of mapping, boost or analyzer shows up
// there as a readable diff; accept it with -update.
func TestRankedGolden(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	ps := postings.Generate(300, 42)
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Top hits over postings.Generate(300, 42). Regenerate with -update.\n")
	for _, q := range []string{
		"socso",
		`"juta rekod" lang:ms`,
		"bpjs kesehatan",
		"perkeso OR socso OR \"pertubuhan keselamatan sosial\"",
		"mysejahtera offer:free",
		"jual data -lang:en",
		"database records:>10m posted:2023..",
	} {
		res := doSearch(t, ix, q, SearchRequest{Limit: 8, Facets: true})
		fmt.Fprintf(&b, "\nquery: %s\ntotal: %d\n", q, res.Total)
		for i, h := range res.Hits {
			fmt.Fprintf(&b, "%2d. %-18s %6.3f  %-14s %s  %s\n", i+1, h.ID, h.Score, h.Site, h.PostedAt.Format("2006-01-02"), h.Title)
		}
		fmt.Fprintf(&b, "victims: %s\n", topFacet(res.Facets["victim"]))
	}
	goldentest.Check(t, filepath.Join("testdata", "ranked.golden"), []byte(b.String()), *update)
}

func topFacet(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		kvs = append(kvs, kv{k, v})
	}
	slices.SortFunc(kvs, func(a, b kv) int {
		if a.v != b.v {
			return b.v - a.v
		}
		return strings.Compare(a.k, b.k)
	})
	var parts []string
	for _, e := range kvs {
		parts = append(parts, fmt.Sprintf("%s=%d", e.k, e.v))
	}
	return strings.Join(parts, " ")
}
