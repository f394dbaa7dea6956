package crawler

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/crawler/warc"
)

func TestReplayFixtureForums(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	orgs := extract.Aliases(map[string][]string{"perkeso": {"PERKESO", "Socso", "Pertubuhan Keselamatan Sosial"}})
	for _, engine := range extract.Engines() {
		t.Run(engine, func(t *testing.T) {
			var got []posting.Posting
			n, err := Replay(context.Background(), "testdata/forums/"+engine, SiteConfig{Name: engine, BaseURL: "http://" + engine + ".example/", Engine: engine}, orgs, now,
				func(p posting.Posting) error { got = append(got, p); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 || n != len(got) {
				t.Fatalf("%d postings (%d yielded)", n, len(got))
			}
			ids := map[string]bool{}
			for _, p := range got {
				if err := p.Validate(); err != nil {
					t.Errorf("%s: %v", p.ID, err)
				}
				if ids[p.ID] {
					t.Errorf("posting %s twice", p.ID)
				}
				ids[p.ID] = true
			}
		})
	}
	if _, err := Replay(context.Background(), t.TempDir(), SiteConfig{Name: "x", BaseURL: "http://x.example/", Engine: "mybb"}, orgs, now, func(posting.Posting) error { return nil }); err == nil {
		t.Error("an empty directory replayed")
	}
}

func TestReplayWARC(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, "semak", 1<<30, func() time.Time { return now }, "semak-test")
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]warc.Location{}
	for _, f := range []string{"thread101.html", "thread102.html", "listing1.html"} {
		body, err := os.ReadFile("testdata/forums/mybb/" + f)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		loc, err := w.WriteResponse(warc.Response{TargetURI: "http://mybb.example/" + f, Date: now, StatusLine: "HTTP/1.1 200 OK", Header: h, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		written[loc.RecordID] = loc
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := Replay(context.Background(), dir, SiteConfig{Name: "mybb", BaseURL: "http://mybb.example/", Engine: "mybb"}, nil, now, func(p posting.Posting) error {
		if !p.CrawledAt.Equal(now) {
			t.Errorf("crawled at %v", p.CrawledAt)
		}
		// The replayed posting cites the record it was read from, as the
		// writer placed it.
		if c := p.Capture; c == nil {
			t.Errorf("%s: no capture", p.ID)
		} else if loc := written[c.RecordID]; loc.File != c.WARC || loc.Offset != c.Offset || loc.Length != c.Length || loc.PayloadSHA256 != c.PayloadSHA256 {
			t.Errorf("%s: capture %+v, the writer placed it at %+v", p.ID, *c, loc)
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("replayed %d postings, %v; want the 2 threads", n, err)
	}
}
