package extract

import (
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

func strconvF(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// The parsers read text from hostile pages: they must not panic, and what
// they return must be sane.

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2 hours ago", "Semalam, 09:30 PG", "15 Dis 2023", "Dec 15, 2023 at 3:04 PM", "2023-12-15T10:00:00+0800", "kemarin pukul 10.14"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := ParseDate(s, now, kl); ok && got.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"1.2M", "3 juta", "1,500,000", "2.5 bilion", "3jt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := ParseCount(s); ok && n < 0 {
			t.Fatalf("%q: negative %d", s, n)
		}
	})
}

func FuzzThread(f *testing.F) {
	f.Add([]byte(`<div id="posts"><div class="post" id="post_1"><div class="post_body">a,b<br>1,2<br>3,4 [hide]x[/hide]</div></div></div>`))
	f.Add([]byte("<div class=post_body>\xff\xfe<table><tr><td>"))
	site := Site{Name: "f", BaseURL: "http://f.example/"}
	p, err := Builtin("mybb")
	if err != nil {
		f.Fatal(err)
	}
	site.Profile = p
	f.Fuzz(func(t *testing.T, body []byte) {
		tp, err := ThreadDetail(site, Page{URL: "http://f.example/showthread.php?tid=1", Body: body, FetchedAt: now}, Aliases(map[string][]string{"o": {"org"}}))
		if err != nil {
			return
		}
		if !utf8.ValidString(tp.Posting.Body) || !utf8.ValidString(tp.Posting.Title) {
			t.Fatal("invalid UTF-8 in posting")
		}
		_, _, _ = Listing(site, Page{URL: "http://f.example/", Body: body})
	})
}
