package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/fixtures/postings"
	"github.com/semak/semak/fixtures/world"
)

// TestPostingsAndSearch: postings imported from NDJSON are stored,
// searchable with facets and cursor paging, rebuilt from the store, and
// their inline samples become known leaks that verify cites.
func TestPostingsAndSearch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	files := t.TempDir()
	mustCLI(t, dir, "init")

	var nd bytes.Buffer
	for _, p := range postings.Generate(300, 1) {
		if err := posting.WriteNDJSON(&nd, p); err != nil {
			t.Fatal(err)
		}
	}
	// A posting quoting an earlier leak's rows inline.
	w := world.New(world.Config{Seed: 7, People: 5000})
	var leak bytes.Buffer
	if _, err := w.EarlierLeak(&leak); err != nil {
		t.Fatal(err)
	}
	seller := posting.Posting{ID: "bf-2022-0314", Site: "breachforums.example", URL: "http://bf.example/thread/314", Title: "SOCSO contributors 2021 leaked — 1.5k sample",
		Body: "Sample below, full db for sale", Author: "kelabu", PostedAt: time.Date(2022, 3, 14, 9, 0, 0, 0, time.UTC), Victims: []string{"PERKESO"},
		ClaimedRecords: 1500, Language: "en", Offer: posting.Sale, Samples: []posting.Sample{{Name: "sample.csv", Text: leak.String()}}}
	if err := posting.WriteNDJSON(&nd, seller); err != nil {
		t.Fatal(err)
	}
	nd.WriteString("{not json\n")
	file := filepath.Join(files, "postings.ndjson")
	if err := os.WriteFile(file, nd.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, s := range w.Sources() {
		args := []string{"org", "add", s.Org, "--name", s.Name, "--country", s.Country}
		for _, a := range s.Aliases {
			args = append(args, "--alias", a)
		}
		mustCLI(t, dir, args...)
	}

	code, out, errs := cli(t, dir, "posting", "add", file)
	if code != exitError || !strings.Contains(out, "301 postings added") || !strings.Contains(out, "inline samples fingerprinted") || !strings.Contains(errs, "line 302") {
		t.Fatalf("posting add: exit %d\n%s\n%s", code, out, errs)
	}
	// Sample rows are not kept in the store.
	db, err := os.ReadFile(filepath.Join(dir, "semak.db"))
	if err != nil {
		t.Fatal(err)
	}
	firstIC := strings.Split(strings.Split(leak.String(), "\n")[1], ",")[0]
	if bytes.Contains(db, []byte(firstIC)) {
		t.Error("a sample row's MyKad is stored in the database")
	}

	// Search: the JSON contract, facets, and paging to the end.
	var res struct {
		Total uint64 `json:"total"`
		Hits  []struct {
			ID, Title, Site, PostedAt string
			Highlights                map[string][]string
		} `json:"hits"`
		Facets map[string]map[string]int `json:"facets"`
		Next   string                    `json:"next"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "search", "--json", "--facets", "socso OR perkeso")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || len(res.Hits) == 0 || res.Hits[0].ID == "" || res.Hits[0].Site == "" || len(res.Facets) == 0 {
		t.Fatalf("search: %+v", res)
	}
	seen := map[string]bool{}
	after := ""
	for page := 0; ; page++ {
		args := []string{"search", "--json", "--sort", "date", "--limit", "37"}
		if after != "" {
			args = append(args, "--after", after)
		}
		var r struct {
			Total uint64 `json:"total"`
			Hits  []struct {
				ID string `json:"id"`
			} `json:"hits"`
			Next string `json:"next"`
		}
		if err := json.Unmarshal([]byte(mustCLI(t, dir, append(args, "")...)), &r); err != nil {
			t.Fatal(err)
		}
		for _, h := range r.Hits {
			if seen[h.ID] {
				t.Fatalf("page %d repeats %s", page, h.ID)
			}
			seen[h.ID] = true
		}
		if r.Next == "" {
			break
		}
		after = r.Next
	}
	if len(seen) != 301 {
		t.Errorf("paging saw %d postings, want 301", len(seen))
	}
	if code, _, errs := cli(t, dir, "search", `victim:"socso`); code != exitError || !strings.Contains(errs, "position") {
		t.Errorf("bad query: exit %d %q", code, errs)
	}
	if out := mustCLI(t, dir, "index", "rebuild"); !strings.Contains(out, "301 postings") {
		t.Errorf("index rebuild: %s", out)
	}
	text := mustCLI(t, dir, "search", "--facets", "records:>1000000 AND lang:ms")
	if !strings.Contains(text, "postings") {
		t.Errorf("search text: %s", text)
	}

	// Exports: every format is a whole document, capped, never a sample row.
	for _, f := range []string{"json", "csv", "stix", "misp"} {
		code, out, errs := cli(t, dir, "export", "--query", "perkeso OR socso", "--format", f, "--limit", "5")
		if code != exitOK {
			t.Fatalf("export %s: exit %d %s", f, code, errs)
		}
		if strings.Contains(out, firstIC) {
			t.Errorf("export %s carries a sample row", f)
		}
		if f != "csv" {
			var doc any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Errorf("export %s is not one JSON document: %v", f, err)
			}
		}
		if !strings.Contains(errs, "stopped at the cap of 5") {
			t.Errorf("export %s: the cap is not reported: %q", f, errs)
		}
	}
	if code, _, errs := cli(t, dir, "export", "--format", "json", "--limit", "20000"); code != exitError || !strings.Contains(errs, "--over-cap") {
		t.Errorf("export over the cap without the flag: exit %d %q", code, errs)
	}
	if code, _, errs := cli(t, dir, "export", "--format", "json", "--limit", "20000", "--over-cap"); code != exitOK || !strings.Contains(errs, "export over the cap") {
		t.Errorf("export over the cap with the flag: exit %d %q", code, errs)
	}

	// The posting's sample is a known leak now: a repost of it cites it.
	for _, s := range w.Sources() {
		mustCLI(t, dir, "source", "add", s.ID, "--anchor", s.Anchor, "--fields", strings.Join(s.Fields, ","), "--org-only", strings.Join(s.OrgOnly, ","))
		var buf bytes.Buffer
		if err := w.Export(&buf, s.ID, "2025-12-31"); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(files, strings.ReplaceAll(s.ID, "/", "_")+".csv")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		mustCLI(t, dir, "snapshot", "load", s.ID, "--as-of", "2025-12-31", path)
	}
	var buf bytes.Buffer
	spec, err := w.Sample(&buf, world.RepostedLeak)
	if err != nil {
		t.Fatal(err)
	}
	repost := filepath.Join(files, "repost.csv")
	if err := os.WriteFile(repost, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "verify", "--json", "--claim", spec.Claim, "--claimed-count", strconv.FormatInt(spec.ClaimedCount, 10), repost)), &v); err != nil {
		t.Fatal(err)
	}
	kl, _ := v["known_leaks"].([]any)
	if v["verdict"] != "OLD" || len(kl) == 0 || kl[0].(map[string]any)["posting"] != "bf-2022-0314#1" {
		t.Errorf("repost of a posting's sample: verdict %v known_leaks %v", v["verdict"], v["known_leaks"])
	}

	// The reposter's own posting gets the verdict written back: searchable
	// by verdict, exported with its confidence, kept across a re-import.
	var rp bytes.Buffer
	reposter := posting.Posting{ID: "xss-2025-0101", Site: "xss.example", URL: "http://xss.example/t/101", Title: "PERKESO fresh 2025 dump, sample attached",
		Body: "fresh, never sold before", Author: "baru", PostedAt: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC), Victims: []string{"PERKESO"}, Language: "en"}
	if err := posting.WriteNDJSON(&rp, reposter); err != nil {
		t.Fatal(err)
	}
	rpFile := filepath.Join(files, "reposter.ndjson")
	if err := os.WriteFile(rpFile, rp.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, dir, "posting", "add", rpFile)
	if code, _, errs := cli(t, dir, "verify", "--claim", spec.Claim, "--posting", "no-such-posting", repost); code == exitOK || !strings.Contains(errs, "no posting") {
		t.Errorf("verify --posting of an unknown posting: exit %d %q", code, errs)
	}
	mustCLI(t, dir, "verify", "--claim", spec.Claim, "--claimed-count", strconv.FormatInt(spec.ClaimedCount, 10), "--posting", reposter.ID, repost)
	byVerdict := func() []string {
		var r struct {
			Hits []struct{ ID string } `json:"hits"`
		}
		if err := json.Unmarshal([]byte(mustCLI(t, dir, "search", "--json", "verdict:old site:xss.example")), &r); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if ids := byVerdict(); len(ids) != 1 || ids[0] != reposter.ID {
		t.Errorf("search verdict:old site:xss.example gives %v, want the reposter's posting", ids)
	}
	misp := mustCLI(t, dir, "export", "--query", "verdict:old site:xss.example", "--format", "misp")
	if !strings.Contains(misp, "estimative-language:likelihood-probability") || !strings.Contains(misp, "semak verdict OLD") {
		t.Errorf("the MISP export of the verified posting lacks its verdict or confidence:\n%s", misp)
	}
	mustCLI(t, dir, "posting", "add", rpFile) // a collector sends it again, without a verdict
	if ids := byVerdict(); len(ids) != 1 {
		t.Errorf("after a re-import, search verdict:old gives %v: the recorded verdict was lost", ids)
	}
}
