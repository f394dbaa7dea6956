package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semak/semak/crawler/frontier"
	"github.com/semak/semak/crawler/warc"
)

// A minimal MyBB listing and thread, for handler-built test forums.
func mybbListing(threads []string, next string) string {
	var b strings.Builder
	b.WriteString(`<html><body><table>`)
	for i, t := range threads {
		fmt.Fprintf(&b, `<tr class="inline_row"><td><span id="tid_%d"><a href="%s">Thread %d</a></span></td></tr>`, i, t, i)
	}
	b.WriteString(`</table>`)
	if next != "" {
		fmt.Fprintf(&b, `<div class="pagination"><a class="pagination_next" href="%s">Next</a></div>`, next)
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

const mybbThread = `<html><body><div class="navigation"><span class="active">Socso 3 juta rekod</span></div>
<div id="posts"><div class="post" id="post_9"><div class="author_information"><span class="largetext"><a href="member.php?uid=1">seller</a></span></div>
<span class="post_date">2 hours ago</span><div class="post_body">PERKESO data 3 juta rekod, harga 100 USD</div></div></div></body></html>`

// onionSite serves h as host.onion behind s and returns its config.
func onionSite(t *testing.T, s *testSOCKS, name string, h http.HandlerFunc, start ...string) (SiteConfig, *fixtureServer) {
	t.Helper()
	fs := handlerServer(t, h)
	s.route(name+".onion", fs.Listener.Addr().String())
	return site(name, "http://"+name+".onion/", "mybb", start...), fs
}

// (g) Retries: bounded, with backoff, on 503 and on timeouts.
func TestRetries(t *testing.T) {
	s := startSOCKS(t, true)
	var flaky atomic.Int64
	okSite, okSrv := onionSite(t, s, "flaky", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/showthread.php" {
			io.WriteString(w, mybbThread)
			return
		}
		if flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, ""))
	}, "/list")
	downSite, downSrv := onionSite(t, s, "down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}, "/list")
	slowSite, slowSrv := onionSite(t, s, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	}, "/list")
	slowSite.Timeout = Duration(200 * time.Millisecond)

	opts := baseOptions(t, s, okSite, downSite, slowSite)
	opts.Retries = 2
	opts.BackoffBase = 20 * time.Millisecond
	lg, logs := newTestLogger()
	opts.Logger = lg
	start := time.Now()
	got, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Site != "flaky" {
		t.Errorf("postings %v, want the flaky site's thread after two 503s", got)
	}
	if n := okSrv.hits.Load(); n != 4 {
		t.Errorf("flaky site: %d requests, want 3 for the listing + 1 thread", n)
	}
	if n := downSrv.hits.Load(); n != 3 {
		t.Errorf("503 site: %d requests, want 3 (1 + Retries)", n)
	}
	if n := slowSrv.hits.Load(); n != 3 {
		t.Errorf("slow site: %d requests, want 3 (timeouts retried, bounded)", n)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	for _, want := range []string{"retrying", "HTTP 503", "timeout"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs do not say %q", want)
		}
	}

	// crawl status tells which sites had errors, and why.
	st, err := Status(opts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	bySite := map[string]SiteStatus{}
	for _, s := range st {
		bySite[s.Site] = s
	}
	if s := bySite["flaky"]; s.Errors != 0 || len(s.RecentErrors) != 0 {
		t.Errorf("flaky site recovered by retrying, yet status shows errors: %+v", s)
	}
	for name, want := range map[string]string{"down": "HTTP 503", "slow": "timeout"} {
		s := bySite[name]
		if s.Errors != 1 || len(s.RecentErrors) != 1 {
			t.Errorf("%s: status errors %d %v, want the one failed listing", name, s.Errors, s.RecentErrors)
			continue
		}
		e := s.RecentErrors[0]
		if !strings.Contains(e.Reason, want) || !strings.HasSuffix(e.URL, "/list") || e.At.IsZero() {
			t.Errorf("%s: status error %+v, want %q on /list with a time", name, e, want)
		}
	}

	// A later run starts the count again but keeps the recent errors.
	opts.Sites = []SiteConfig{downSite}
	for day := range 2 {
		later := fetchedAt.AddDate(0, 0, 30*(day+1)) // due again
		opts.Now = func() time.Time { return later }
		if _, err := collect(t, opts); err != nil {
			t.Fatal(err)
		}
	}
	st, _ = Status(opts.DataDir)
	for _, s := range st {
		if s.Site == "down" && (s.Errors != 1 || len(s.RecentErrors) != 3) {
			t.Errorf("after three runs: errors %d (want 1, the last run's), recent %d (want 3)", s.Errors, len(s.RecentErrors))
		}
	}
}

// The recent errors a site keeps are bounded.
func TestErrorsBounded(t *testing.T) {
	st := &siteState{}
	for i := range maxErrors + 7 {
		st.noteError(CrawlError{Reason: fmt.Sprint(i)})
	}
	if len(st.Errors) != maxErrors || st.Errors[0].Reason != "7" || st.RunErrors != maxErrors+7 {
		t.Errorf("kept %d errors from %q, run count %d", len(st.Errors), st.Errors[0].Reason, st.RunErrors)
	}
}

// The backoff grows exponentially, has jitter and is capped.
func TestBackoff(t *testing.T) {
	r := &runner{opts: Options{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}}
	for attempt, lim := range []time.Duration{150, 300, 600, 1000, 1000} {
		for range 50 {
			d := r.backoff(attempt, errors.New("x"))
			lo := (100 * time.Millisecond << attempt) / 2
			if d > lim*time.Millisecond || d < min(lo, time.Second) {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, lo, lim*time.Millisecond)
			}
		}
	}
}

// (h) Body cap, endless pagination, link flood, redirect loop.
func TestPoliteness(t *testing.T) {
	s := startSOCKS(t, true)
	big, _ := onionSite(t, s, "big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>filler</p>", 1000))
		for written := 0; written < 50<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}, "/huge")
	big.MaxBody = 256 << 10

	var endlessHits atomic.Int64
	endless, _ := onionSite(t, s, "endless", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/showthread.php" {
			io.WriteString(w, mybbThread)
			return
		}
		endlessHits.Add(1)
		n := 0
		fmt.Sscanf(r.URL.Query().Get("page"), "%d", &n)
		io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, fmt.Sprintf("/list?page=%d", n+1)))
	}, "/list?page=1")

	var fresh atomic.Int64
	unique, _ := onionSite(t, s, "unique", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/showthread.php" {
			io.WriteString(w, mybbThread)
			return
		}
		n := fresh.Add(1)
		io.WriteString(w, mybbListing([]string{fmt.Sprintf("/showthread.php?tid=%d", n)}, fmt.Sprintf("/list?page=%d", n+1)))
	}, "/list?page=1")
	unique.MaxPages = 6

	flood, floodSrv := onionSite(t, s, "flood", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/list" {
			http.NotFound(w, r)
			return
		}
		var links []string
		for i := range 5000 {
			links = append(links, fmt.Sprintf("/showthread.php?tid=%d", i))
		}
		io.WriteString(w, mybbListing(links, ""))
	}, "/list")
	flood.MaxLinks = 20

	loop, loopSrv := onionSite(t, s, "loop", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/a", http.StatusFound)
	}, "/a")

	var movedThread atomic.Int64
	moved, _ := onionSite(t, s, "moved", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old/list":
			http.Redirect(w, r, "/forum/list", http.StatusMovedPermanently)
		case "/forum/list":
			io.WriteString(w, mybbListing([]string{"showthread.php?tid=7"}, "")) // relative to the final URL
		case "/forum/showthread.php":
			movedThread.Add(1)
			io.WriteString(w, mybbThread)
		default:
			http.NotFound(w, r)
		}
	}, "/old/list")

	opts := baseOptions(t, s, big, endless, unique, flood, loop, moved)
	lg, logs := newTestLogger()
	opts.Logger = lg
	start := time.Now()
	if _, err := collect(t, opts); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v", el)
	}
	t.Run("50 MB body cut at the cap and recorded as truncated", func(t *testing.T) {
		if !strings.Contains(logs.String(), "body cut at the size cap") {
			t.Error("no log of the cut")
		}
		recs := warcRecords(t, opts.DataDir, "http://big.onion/huge")
		if len(recs) != 1 || len(payload(t, recs[0])) != 256<<10 || recs[0].Header["WARC-Truncated"] != "length" {
			t.Errorf("WARC records of the big page: %d", len(recs))
		}
	})
	t.Run("endless pagination stops when a listing repeats", func(t *testing.T) {
		if n := endlessHits.Load(); n != 2 {
			t.Errorf("%d listing pages fetched, want 2 (the second repeats the first)", n)
		}
		if !strings.Contains(logs.String(), "endless pagination") {
			t.Error("not logged")
		}
	})
	t.Run("pagination bounded by max_pages", func(t *testing.T) {
		if n := fresh.Load(); n > 6 {
			t.Errorf("%d pages fetched with max_pages 6", n)
		}
		if !strings.Contains(logs.String(), "page cap reached") {
			t.Error("not logged")
		}
	})
	t.Run("link flood cut", func(t *testing.T) {
		if n := floodSrv.hits.Load(); n != 1+20 {
			t.Errorf("%d requests, want the listing and 20 threads", n)
		}
		if !strings.Contains(logs.String(), "link flood") {
			t.Error("not logged")
		}
	})
	t.Run("links on a redirected page resolve against its final URL", func(t *testing.T) {
		if n := movedThread.Load(); n != 1 {
			t.Errorf("the thread linked from the moved listing was fetched %d times, want 1", n)
		}
	})
	t.Run("redirect loop stopped, not retried", func(t *testing.T) {
		if n := loopSrv.hits.Load(); n != 2 {
			t.Errorf("%d requests, want 2 (/a, /b, then the loop is seen)", n)
		}
		if !strings.Contains(logs.String(), "redirect loop") {
			t.Error("not logged")
		}
	})
}

func warcRecords(t *testing.T, dataDir, target string) []warc.Record {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataDir, "warc", "*.warc.gz"))
	var out []warc.Record
	for _, f := range files {
		recs, err := warc.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := r.Verify(); err != nil {
				t.Error(err)
			}
			if r.Header["WARC-Target-URI"] == target {
				out = append(out, r)
			}
		}
	}
	return out
}

func payload(t *testing.T, r warc.Record) []byte {
	t.Helper()
	_, _, b, err := r.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// (i) An EndGame-style queue is waited out on the same circuit; a CAPTCHA
// parks the site until an operator pastes a cookie.
func TestDDoSFront(t *testing.T) {
	s := startSOCKS(t, true)
	t.Run("queue followed after its Refresh delay", func(t *testing.T) {
		var mu sync.Mutex
		var issued time.Time
		var waited time.Duration
		q, srv := onionSite(t, s, "queued", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if c, err := r.Cookie("eg"); err != nil || c.Value != "ticket" || time.Since(issued) < time.Second {
				issued = time.Now()
				http.SetCookie(w, &http.Cookie{Name: "eg", Value: "ticket", Path: "/"})
				w.Header().Set("Refresh", "1; url=/list")
				io.WriteString(w, `<html><body><h1>You are in the queue</h1><p>Estimated wait: 1 second. Do not reload.</p></body></html>`)
				return
			}
			waited = time.Since(issued)
			if r.URL.Path == "/showthread.php" {
				io.WriteString(w, mybbThread)
				return
			}
			io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, ""))
		}, "/list")
		opts := baseOptions(t, s, q)
		got, err := collect(t, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%d postings, want 1 through the queue", len(got))
		}
		reqs := srv.requestsCopy()
		if len(reqs) < 2 || reqs[1].Referer() != "http://queued.onion/list" || reqs[1].UserAgent() != "semak-test/1.0" {
			t.Errorf("after the queue: Referer %q User-Agent %q", reqs[1].Referer(), reqs[1].UserAgent())
		}
		if waited < time.Second {
			t.Errorf("reloaded after %v, before the queue's 1 s", waited)
		}
		for _, c := range s.connectRecords() {
			if c.Host == "queued.onion" && c.User != "semak-queued" {
				t.Errorf("queue followed on circuit %q", c.User)
			}
		}
	})
	t.Run("captcha parks the site; a pasted cookie is then used", func(t *testing.T) {
		var sawCookie atomic.Bool
		c, srv := onionSite(t, s, "guarded", func(w http.ResponseWriter, r *http.Request) {
			if ck, err := r.Cookie("session"); err != nil || ck.Value != "made-by-a-human" {
				io.WriteString(w, `<html><body><form action="/captcha" method="post"><img src="/captcha.png"><input name="captcha_answer"><p>Prove you are human</p></form></body></html>`)
				return
			}
			sawCookie.Store(true)
			if r.URL.Path == "/showthread.php" {
				io.WriteString(w, mybbThread)
				return
			}
			io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, ""))
		}, "/list")
		opts := baseOptions(t, s, c)
		lg, logs := newTestLogger()
		opts.Logger = lg
		got, err := collect(t, opts)
		if err != nil || len(got) != 0 {
			t.Fatalf("first run: %d postings, %v", len(got), err)
		}
		st, _ := loadState(opts.DataDir, "guarded")
		if st.Parked == nil || !strings.Contains(st.Parked.Reason, "needs a human") || !strings.Contains(logs.String(), "site parked") {
			t.Fatalf("not parked: %+v", st.Parked)
		}
		hits := srv.hits.Load()
		if _, err := collect(t, opts); err != nil || srv.hits.Load() != hits {
			t.Fatalf("a parked site was crawled again (%v)", err)
		}
		if err := SetCookie(opts.DataDir, "guarded", "session=made-by-a-human"); err != nil {
			t.Fatal(err)
		}
		got, err = collect(t, opts)
		if err != nil || len(got) != 1 || !sawCookie.Load() {
			t.Fatalf("after SetCookie: %d postings, %v, cookie sent %v", len(got), err, sawCookie.Load())
		}
		for _, f := range []string{"operator-cookie.json", "cookies.json", "state.json"} {
			fi, err := os.Stat(filepath.Join(siteDir(opts.DataDir, "guarded"), f))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v, want mode 0600", f, fi.Mode(), err)
			}
		}
		if strings.Contains(logs.String(), "made-by-a-human") {
			t.Error("the cookie value was logged")
		}
	})
}

// Cookies set by a site survive a restart (the jar is saved and loaded).
func TestCookieJarPersists(t *testing.T) {
	s := startSOCKS(t, true)
	var second atomic.Bool
	sc, _ := onionSite(t, s, "jarred", func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("sid"); err == nil && ck.Value == "abc" {
			second.Store(true)
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/", Expires: time.Now().Add(time.Hour)})
		io.WriteString(w, mybbListing(nil, ""))
	}, "/list")
	sc.Recrawl = Duration(time.Nanosecond)
	opts := baseOptions(t, s, sc)
	opts.Now = time.Now
	if _, err := collect(t, opts); err != nil {
		t.Fatal(err)
	}
	opts.Frontier = frontier.NewMemory()
	if _, err := collect(t, opts); err != nil {
		t.Fatal(err)
	}
	if !second.Load() {
		t.Error("the cookie from the first run was not sent in the second")
	}
}

// Recrawl: not due → no traffic; due → a thread seen before is asked
// conditionally, and an edit gives the same id with a history.
func TestRecrawlAndEdits(t *testing.T) {
	s := startSOCKS(t, true)
	var body atomic.Value
	body.Store("PERKESO data 3 juta rekod, harga 100 USD")
	var conditional atomic.Int64
	sc, srv := onionSite(t, s, "edits", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/showthread.php" {
			if r.Header.Get("If-None-Match") != "" {
				conditional.Add(1)
			}
			w.Header().Set("ETag", fmt.Sprintf("%q", fmt.Sprint(len(body.Load().(string)))))
			io.WriteString(w, strings.Replace(mybbThread, "PERKESO data 3 juta rekod, harga 100 USD", body.Load().(string), 1))
			return
		}
		io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, ""))
	}, "/list")
	sc.Recrawl = Duration(time.Hour)
	opts := baseOptions(t, s, sc)
	clock := fetchedAt
	opts.Now = func() time.Time { return clock }
	first, err := collect(t, opts)
	if err != nil || len(first) != 1 {
		t.Fatalf("%d postings, %v", len(first), err)
	}
	hits := srv.hits.Load()
	opts.Frontier = frontier.NewMemory()
	if _, err := collect(t, opts); err != nil || srv.hits.Load() != hits {
		t.Fatalf("a site not due was fetched (%v)", err)
	}
	clock = clock.Add(2 * time.Hour)
	body.Store("PERKESO data 3 juta rekod, harga 80 USD (price dropped)")
	opts.Frontier = frontier.NewMemory()
	second, err := collect(t, opts)
	if err != nil || len(second) != 1 {
		t.Fatalf("after the edit: %d postings, %v", len(second), err)
	}
	if conditional.Load() == 0 {
		t.Error("no conditional request for a thread seen before")
	}
	p := second[0]
	if p.ID != first[0].ID || len(p.Edits) != 1 || p.Edits[0].BodySHA256 != first[0].BodySHA256 || p.Price != 80 {
		t.Errorf("edit: id %s (was %s), edits %+v, price %v", p.ID, first[0].ID, p.Edits, p.Price)
	}
}

// An error from yield stops the run and is returned.
func TestYieldErrorStops(t *testing.T) {
	s := startSOCKS(t, true)
	sites, _ := fixtureSites(t, s)
	opts := baseOptions(t, s, sites...)
	calls := 0
	err := Run(context.Background(), opts, func(postingT) error { calls++; return errStop })
	if !errors.Is(err, errStop) || calls != 1 {
		t.Fatalf("err = %v after %d calls, want errStop after 1", err, calls)
	}
}
