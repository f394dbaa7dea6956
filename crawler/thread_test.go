package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/crawler/warc"
)

// A MyBB thread over three pages: the seller posts a fresh sample on
// page 2 and again (once repeated, once new) on page 3, whose next link
// leads back to page 2.
type mybbPost struct{ id, author, body string }

func mybbThreadPage(posts []mybbPost, next string) string {
	var b strings.Builder
	b.WriteString(`<html><body><div class="navigation"><span class="active">[MY] Socso 3 juta rekod</span></div><div id="posts">`)
	for _, p := range posts {
		fmt.Fprintf(&b, `<div class="post" id="post_%s"><div class="author_information"><span class="largetext"><a href="member.php?uid=1">%s</a></span></div>`+
			`<span class="post_date">2 hours ago</span><div class="post_body">%s</div></div>`, p.id, p.author, p.body)
	}
	b.WriteString(`</div>`)
	if next != "" {
		fmt.Fprintf(&b, `<div class="pagination"><a class="pagination_next" href="%s">Next</a></div>`, next)
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

func codeBlock(rows ...string) string {
	return `<div class="codeblock"><code>` + strings.Join(rows, "<br />\n") + `</code></div>`
}

var (
	sampleA = []string{"nama,no_kp,telefon", "AHMAD BIN CONTOH,900101-14-5001,0123456001", "SITI BINTI DEMO,910202-10-5002,0123456002", "LIM AH KOW,920303-08-5003,0123456003"}
	sampleB = []string{"nama,no_kp,emel", "RAJU A/L DEMO,930404-07-5004,raju@example.test", "NUR BINTI UJI,940505-06-5006,nur@example.test", "TAN MEI LING,950606-05-5008,tan@example.test"}
)

func longThread(extra string) map[string]string {
	return map[string]string{
		"1": mybbThreadPage([]mybbPost{
			{"70", "seller", "PERKESO data 3 juta rekod, harga 100 USD. Sample dalam thread."},
			{"71", "buyer1", "pm sent"},
		}, "showthread.php?tid=7&page=2"),
		"2": mybbThreadPage([]mybbPost{
			{"72", "buyer2", "sample please"},
			{"73", "seller", "Sample segar: " + codeBlock(sampleA...)},
			{"74", "buyer2", "legit, vouch"},
		}, "showthread.php?tid=7&page=3"),
		"3": mybbThreadPage([]mybbPost{
			{"75", "seller", "Sekali lagi: " + codeBlock(sampleA...)},
			{"76", "seller", "Lagi: " + codeBlock(sampleB...) + extra},
			{"77", "imposter", codeBlock("nama,no_kp,telefon", "FAKE ONE,800101-01-5001,0199999991", "FAKE TWO,800101-01-5002,0199999992", "FAKE THREE,800101-01-5003,0199999993")},
		}, "showthread.php?tid=7&page=2"), // loops back
	}
}

func longThreadSite(t *testing.T, s *testSOCKS, name string, pages *atomic.Value) (SiteConfig, *fixtureServer) {
	return onionSite(t, s, name, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/list":
			// MyBB lists a long thread's later pages next to its title.
			io.WriteString(w, mybbListing([]string{"/showthread.php?tid=7", "/showthread.php?tid=7&page=2", "/showthread.php?tid=7&page=3"}, ""))
		case "/showthread.php":
			page := r.URL.Query().Get("page")
			if page == "" {
				page = "1"
			}
			body, ok := pages.Load().(map[string]string)[page]
			if !ok {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}, "/list")
}

func pageHits(fs *fixtureServer) map[string]int {
	hits := map[string]int{}
	for _, r := range fs.requestsCopy() {
		if r.URL.Path == "/showthread.php" {
			page := r.URL.Query().Get("page")
			if page == "" {
				page = "1"
			}
			hits[page]++
		}
	}
	return hits
}

func sampleNames(p posting.Posting) []string {
	var names []string
	for _, s := range p.Samples {
		names = append(names, s.Name)
	}
	return names
}

// A thread's later pages are read from its first page: the seller's
// samples in replies join the posting once each, other posters' do not,
// the listing's links to later pages are not crawled as threads, a loop
// back is stopped, and max_thread_pages bounds it.
func TestThreadLaterPages(t *testing.T) {
	s := startSOCKS(t, true)
	var pages atomic.Value
	pages.Store(longThread(""))
	full, fullSrv := longThreadSite(t, s, "longthread", &pages)
	capped, cappedSrv := longThreadSite(t, s, "cappedthread", &pages)
	capped.MaxThreadPages = 2
	opts := baseOptions(t, s, full, capped)
	lg, logs := newTestLogger()
	opts.Logger = lg
	got, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	bySite := map[string]posting.Posting{}
	for _, p := range got {
		if _, dup := bySite[p.Site]; dup {
			t.Errorf("%s: more than one posting for one thread", p.Site)
		}
		bySite[p.Site] = p
	}

	p := bySite["longthread"]
	if want := []string{"reply-73-sample-1", "reply-76-sample-1"}; !slices.Equal(sampleNames(p), want) {
		t.Errorf("samples %v, want the seller's two distinct reply samples %v", sampleNames(p), want)
	}
	if len(p.Samples) == 2 && !strings.Contains(p.Samples[1].Text, "raju@example.test") {
		t.Errorf("second sample is not page 3's: %s", p.Samples[1])
	}
	if !slices.Contains(p.DataClasses, "emails") {
		t.Errorf("data classes %v: the reply sample's emails are not counted", p.DataClasses)
	}
	if p.PostID != "70" || p.Author != "seller" {
		t.Errorf("posting is post %s by %s, want the first post 70 by seller", p.PostID, p.Author)
	}
	if h := pageHits(fullSrv); h["1"] != 1 || h["2"] != 1 || h["3"] != 1 {
		t.Errorf("page fetches %v, want each page once (listing links to later pages skipped, loop stopped)", h)
	}
	if !strings.Contains(logs.String(), "endless thread pagination") {
		t.Error("the loop back to page 2 was not reported")
	}

	c := bySite["cappedthread"]
	if want := []string{"reply-73-sample-1"}; !slices.Equal(sampleNames(c), want) {
		t.Errorf("capped thread samples %v, want %v (page 3 beyond max_thread_pages 2)", sampleNames(c), want)
	}
	if h := pageHits(cappedSrv); h["3"] != 0 {
		t.Errorf("page 3 of the capped thread fetched %d times", h["3"])
	}
	if !strings.Contains(logs.String(), "max_thread_pages") {
		t.Error("the thread cap was not reported")
	}

	// The seller adds a sample on page 3 later: a recrawl yields the
	// posting again under the same id, as an edit.
	third := []string{sampleB[0], "BARU BIN BARU,960707-04-5010,baru@example.test", "LAGI BINTI LAGI,970808-03-5012,lagi@example.test", "AKHIR A/L AKHIR,980909-02-5014,akhir@example.test"}
	pages.Store(longThread(" Tambahan: " + codeBlock(third...)))
	opts.Sites = []SiteConfig{full}
	later := fetchedAt.Add(30 * 24 * time.Hour)
	opts.Now = func() time.Time { return later }
	again, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].ID != p.ID || len(again[0].Samples) != 3 || len(again[0].Edits) != 1 {
		for _, a := range again {
			t.Logf("%s samples %v edits %v", a.ID, sampleNames(a), a.Edits)
		}
		t.Fatalf("recrawl gave %d postings; want the same posting %s with a third sample and one edit", len(again), p.ID)
	}
	// Nothing new: nothing yielded.
	later2 := later.Add(30 * 24 * time.Hour)
	opts.Now = func() time.Time { return later2 }
	if again, err = collect(t, opts); err != nil || len(again) != 0 {
		t.Errorf("an unchanged thread was yielded again: %d postings, %v", len(again), err)
	}
}

// Replay merges a thread's later pages into its first page's posting,
// whatever order the pages were captured in.
func TestReplayThreadLaterPages(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, "semak", 1<<30, func() time.Time { return now }, "semak-test")
	if err != nil {
		t.Fatal(err)
	}
	th := longThread("")
	for _, pg := range []string{"3", "1", "2"} {
		u := "http://mybb.example/showthread.php?tid=7"
		if pg != "1" {
			u += "&page=" + pg
		}
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		if _, err := w.WriteResponse(warc.Response{TargetURI: u, Date: now, StatusLine: "HTTP/1.1 200 OK", Header: h, Body: []byte(th[pg])}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []posting.Posting
	_, err = Replay(context.Background(), dir, SiteConfig{Name: "mybb", BaseURL: "http://mybb.example/", Engine: "mybb"}, nil, now, func(p posting.Posting) error {
		got = append(got, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d postings from one thread of three pages", len(got))
	}
	if want := []string{"reply-73-sample-1", "reply-76-sample-1"}; !slices.Equal(sampleNames(got[0]), want) {
		t.Errorf("samples %v, want %v (pages merged in thread order)", sampleNames(got[0]), want)
	}
	if got[0].Capture == nil || got[0].PostID != "70" {
		t.Errorf("posting %s capture %v, want post 70 with the first page's capture", got[0].PostID, got[0].Capture)
	}
}
