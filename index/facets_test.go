package index

import (
	"slices"
	"strings"
	"testing"

	"github.com/semak/semak/fixtures/postings"
)

// TestMatchAllFacetCache checks that the cached facet counts of the empty
// query follow every kind of write.
func TestMatchAllFacetCache(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	ps := postings.Generate(40, 7)
	if err := ix.Add(t.Context(), ps[:30]...); err != nil {
		t.Fatal(err)
	}
	sum := func() int {
		t.Helper()
		res := doSearch(t, ix, "", SearchRequest{Facets: true})
		n := 0
		for _, c := range res.Facets["site"] {
			n += c
		}
		if uint64(n) != res.Total {
			t.Fatalf("site facet sums to %d of %d", n, res.Total)
		}
		return n
	}
	if n := sum(); n != 30 {
		t.Fatalf("%d", n)
	}
	// A caller may change the maps it gets; the cache must not see it.
	doSearch(t, ix, "", SearchRequest{Facets: true}).Facets["site"]["x"] = 1000
	if n := sum(); n != 30 {
		t.Fatalf("cached facets were changed by a caller: %d", n)
	}
	if err := ix.Add(t.Context(), ps[30:]...); err != nil {
		t.Fatal(err)
	}
	if n := sum(); n != 40 {
		t.Fatalf("after add: %d", n)
	}
	if err := ix.Delete(t.Context(), ps[0].ID, ps[1].ID); err != nil {
		t.Fatal(err)
	}
	if n := sum(); n != 38 {
		t.Fatalf("after delete: %d", n)
	}
	if err := ix.Rebuild(t.Context(), source(ps[:5])); err != nil {
		t.Fatal(err)
	}
	if n := sum(); n != 5 {
		t.Fatalf("after rebuild: %d", n)
	}
}

// TestFacetTopN checks the cut of a facet to FacetSize values: by count,
// then by value, as bleve cuts a facet.
func TestFacetTopN(t *testing.T) {
	ix := open(t, t.TempDir(), Options{FacetSize: 2})
	ps := postings.Generate(200, 3)
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, p := range ps {
		counts[p.Site]++
	}
	if len(counts) <= 2 {
		t.Skip("too few sites")
	}
	res := doSearch(t, ix, "data", SearchRequest{Facets: true})
	all := doSearch(t, ix, "", SearchRequest{Facets: true})
	for _, r := range []Result{res, all} {
		for _, f := range FacetFields {
			if len(r.Facets[f]) > 2 {
				t.Errorf("facet %s has %d values", f, len(r.Facets[f]))
			}
		}
	}
	// the two largest sites, ties broken by name
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range counts {
		kvs = append(kvs, kv{k, v})
	}
	slices.SortFunc(kvs, func(a, b kv) int {
		if a.v != b.v {
			return b.v - a.v
		}
		return strings.Compare(a.k, b.k)
	})
	want := map[string]int{kvs[0].k: kvs[0].v, kvs[1].k: kvs[1].v}
	if !mapsEqual(all.Facets["site"], want) {
		t.Errorf("site facet %v, want %v", all.Facets["site"], want)
	}
}
