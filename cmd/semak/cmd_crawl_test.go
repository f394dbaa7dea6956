package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
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
