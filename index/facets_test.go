package index

import (
	"github.com/semak/semak/crawler/posting"
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

// TestVictimAliasesFolded: with the registered organisations' aliases,
// the victim facet counts one organisation once whatever name a seller
// used, a filter by any alias finds them all, unregistered names stay as
// claimed, and a changed table rebuilds the index from its source.
func TestVictimAliasesFolded(t *testing.T) {
	socso := "Pertubuhan Keselamatan Sosial"
	victims := map[string]string{FoldVictim("PERKESO"): socso, FoldVictim("Socso"): socso, FoldVictim(socso): socso}
	ps := []posting.Posting{
		{ID: "a", Site: "f", URL: "http://f.example/1", Title: "PERKESO dump", Victims: []string{"PERKESO"}},
		{ID: "b", Site: "f", URL: "http://f.example/2", Title: "socso 3 juta", Victims: []string{"socso", "PERKESO"}},
		{ID: "c", Site: "f", URL: "http://f.example/3", Title: "Pertubuhan Keselamatan Sosial", Victims: []string{"pertubuhan  keselamatan sosial"}},
		{ID: "d", Site: "f", URL: "http://f.example/4", Title: "Kedai Kopi", Victims: []string{"Kedai Kopi Unregistered"}},
	}
	dir := t.TempDir()
	ix := open(t, dir, Options{Victims: victims, Source: source(ps)})
	res := doSearch(t, ix, "", SearchRequest{Facets: true})
	if got := res.Facets["victim"]; got[socso] != 3 || got["Kedai Kopi Unregistered"] != 1 || len(got) != 2 {
		t.Errorf("victim facet %v, want %s 3 and the unregistered name 1", got, socso)
	}
	for _, q := range []string{"victim:perkeso", "victim:SOCSO", `victim:"pertubuhan keselamatan sosial"`} {
		if n := doSearch(t, ix, q, SearchRequest{}).Total; n != 3 {
			t.Errorf("%s: %d hits, want 3", q, n)
		}
	}
	ix.Close()

	// Without the table (another organisation registry) the index is
	// rebuilt: names are as claimed again.
	ix = open(t, dir, Options{Source: source(ps)})
	if got := doSearch(t, ix, "", SearchRequest{Facets: true}).Facets["victim"]; got["pertubuhan keselamatan sosial"] != 1 || got["PERKESO"] != 2 || got["socso"] != 1 {
		t.Errorf("victim facet without the table: %v", got)
	}
}
