package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/internal/store"
)

// TestCrawlFailsClosed: the CLI never crawls without Tor. (The crawl
// itself, through a SOCKS server and the fixture forums, is tested in
// package crawler.)
func TestCrawlFailsClosed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	mustCLI(t, dir, "init")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	_ = l.Close()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"crawl", "--site", "http://abc.onion/", "--engine", "mybb"}, "--socks ADDR is required"},
		{[]string{"crawl", "--site", "http://abc.onion/"}, "--site needs --engine"},
		{[]string{"crawl", "--site", "http://abc.onion/", "--engine", "mybb", "--socks", dead, "--once", "--out", filepath.Join(t.TempDir(), "p.ndjson")}, "Tor is not running"},
		{[]string{"crawl", "--socks", dead}, "give --config"},
	} {
		code, _, errs := cli(t, dir, tt.args...)
		if code != exitError || !strings.Contains(errs, tt.want) {
			t.Errorf("semak %s: exit %d, %q; want %q", strings.Join(tt.args, " "), code, errs, tt.want)
		}
	}
	// Offline: captured pages replayed into the store and index, no network.
	out := mustCLI(t, dir, "crawl", "--offline", "../../crawler/testdata/forums/mybb", "--site", "http://mybb.example/", "--engine", "mybb")
	if !strings.Contains(out, "postings replayed") || strings.HasPrefix(out, "0 ") {
		t.Errorf("offline crawl: %s", out)
	}
	if s := mustCLI(t, dir, "search", "--json", ""); !strings.Contains(s, `"total": `) || strings.Contains(s, `"total": 0`) {
		t.Errorf("nothing indexed: %s", s)
	}
	if out := mustCLI(t, dir, "crawl", "status"); !strings.Contains(out, "no site crawled yet") {
		t.Errorf("crawl status: %s", out)
	}
	if out := mustCLI(t, dir, "crawl", "cookie", "set", "forum", "sid=abc"); !strings.Contains(out, "cookie set for forum") {
		t.Errorf("cookie set: %s", out)
	}
	if out := mustCLI(t, dir, "crawl", "status", "--json"); !strings.Contains(out, `"site": "forum"`) {
		t.Errorf("crawl status --json after a cookie: %s", out)
	}
}

// TestRecrawlKeepsVerdict: a posting semak recorded a verdict for (verify
// --posting) keeps it when a crawl or an import stores it again without
// one, in the store and in the index.
func TestRecrawlKeepsVerdict(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "init")
	replay := func() {
		mustCLI(t, dir, "crawl", "--offline", "../../crawler/testdata/forums/mybb", "--site", "http://mybb.example/", "--engine", "mybb")
	}
	replay()
	ctx := context.Background()
	e, err := openEnv(ctx, &globalOptions{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	var first *store.StoredPosting
	if err := e.store.EachPosting(ctx, func(sp store.StoredPosting) error {
		if first == nil {
			first = &sp
		}
		return nil
	}); err != nil || first == nil {
		t.Fatalf("no posting after the crawl (%v)", err)
	}
	p, err := decodeStored(*first)
	if err != nil {
		t.Fatal(err)
	}
	p.Verdict = &posting.Verdict{Verdict: "OLD", Basis: "known_leak", CheckedAt: time.Now().UTC()}
	if _, err := putPosting(ctx, e, &p); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	replay() // the same pages again: the posting comes without a verdict
	e, err = openEnv(ctx, &globalOptions{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := storedPosting(ctx, e, p.ID)
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.Verdict == nil || got.Verdict.Verdict != "OLD" {
		t.Errorf("after a re-crawl the stored verdict is %+v, want OLD kept", got.Verdict)
	}
	if s := mustCLI(t, dir, "search", "--json", "verdict:old"); !strings.Contains(s, p.ID) {
		t.Errorf("after a re-crawl, search verdict:old does not find %s:\n%s", p.ID, s)
	}
}
