package crawler

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/crawler/warc"
	"golang.org/x/sync/errgroup"
)

// runner is one Run.
type runner struct {
	opts  Options
	warc  *warc.Writer
	seq   atomic.Uint64
	sites map[string]*siteRun // by host

	yieldMu  sync.Mutex
	yield    func(posting.Posting) error
	yieldErr error // once yield fails it is not called again
}

// siteRun is one site during a Run.
type siteRun struct {
	cfg  SiteConfig
	ex   extract.Site
	base *url.URL
	c    *colly.Collector
	jar  *jar
	sem  chan struct{}
	lim  *limiter
	log  *slog.Logger

	sinks    sync.Map // fetch id -> *sink
	referers sync.Map // url -> referer

	pages    atomic.Int64
	failures atomic.Int64 // consecutive
	stopped  atomic.Pointer[string]

	mu       sync.Mutex // guards state and listings
	state    *siteState
	byHash   map[string]string // body sha256 -> post key
	listings map[string]bool   // listing fingerprints seen this run
}

// fail logs a problem with a page and records it for `semak crawl
// status`. reason must not quote page content.
func (sr *siteRun) fail(at time.Time, u, reason string) {
	sr.log.Warn(reason, "url", u)
	sr.mu.Lock()
	sr.state.noteError(CrawlError{At: at.UTC(), URL: u, Reason: reason})
	sr.mu.Unlock()
}

func (sr *siteRun) stop(reason string) bool { return sr.stopped.CompareAndSwap(nil, &reason) }
func (sr *siteRun) stopReason() string {
	if p := sr.stopped.Load(); p != nil {
		return *p
	}
	return ""
}

// fatalError stops the run: the proxy went away, something tried to go
// direct, evidence could not be written, or yield said stop.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Run crawls the sites through Tor and yields each new or edited posting.
// It refuses to start without Options.Socks or when the proxy is not Tor,
// and stops (never goes direct) when the proxy goes away. An error from
// yield stops the run and is returned; a bad page is logged and skipped.
func Run(ctx context.Context, opts Options, yield func(posting.Posting) error) error {
	if strings.TrimSpace(opts.Socks) == "" {
		return ErrNoSocks
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	opts = opts.withDefaults()
	log := opts.Logger
	if err := CheckTor(ctx, opts.Socks); err != nil {
		if !errors.Is(err, ErrNotTor) || !opts.AllowNonTor {
			return fmt.Errorf("crawler: %w", err)
		}
		log.Warn("the SOCKS proxy is not Tor; going on because AllowNonTor is set (tests only)", "socks", opts.Socks, "err", err)
	}
	w, err := warc.NewWriter(filepath.Join(opts.DataDir, "warc"), "semak", opts.WARCMaxBytes, opts.Now, "semak-crawler")
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	r := &runner{opts: opts, warc: w, sites: map[string]*siteRun{}, yield: yield}
	err = r.run(ctx)
	if cerr := w.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("crawler: %w", cerr)
	}
	return err
}

func (r *runner) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := 0
	for _, cfg := range r.opts.Sites {
		sr, err := r.openSite(ctx, cfg.withDefaults())
		if err != nil {
			return fmt.Errorf("crawler: site %s: %w", cfg.Name, err)
		}
		if sr == nil {
			continue
		}
		r.sites[hostOf(sr.cfg.BaseURL)] = sr
		workers += sr.cfg.Parallelism
	}
	defer r.closeSites()
	for _, sr := range r.sites {
		for _, s := range sr.cfg.Start {
			u, err := resolveRef(sr.cfg.BaseURL, s)
			if err != nil {
				return fmt.Errorf("crawler: site %s: start %q: %w", sr.cfg.Name, s, err)
			}
			sr.referers.Store(u, sr.cfg.BaseURL)
			if _, err := r.opts.Frontier.Push(ctx, u); err != nil {
				return fmt.Errorf("crawler: frontier: %w", err)
			}
		}
	}
	if workers == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for range workers {
		g.Go(func() error { return r.worker(gctx) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	now := r.opts.Now().UTC()
	for _, sr := range r.sites {
		if reason := sr.stopReason(); reason == "" || reason == "page cap" {
			sr.mu.Lock()
			sr.state.LastCrawl = now
			sr.mu.Unlock()
		}
	}
	return nil
}

// openSite prepares a site, or returns nil when it is parked, backed off
// or not due.
func (r *runner) openSite(ctx context.Context, cfg SiteConfig) (*siteRun, error) {
	log := r.opts.Logger.With("site", cfg.Name)
	st, err := loadState(r.opts.DataDir, cfg.Name)
	if err != nil {
		return nil, err
	}
	now := r.opts.Now()
	switch {
	case st.Parked != nil:
		log.Warn("site parked: it needs a human (a CAPTCHA); solve it in Tor Browser and set the session cookie (semak crawl cookie set)", "url", st.Parked.URL, "since", st.Parked.At)
		return nil, nil
	case now.Before(st.DeadUntil):
		log.Info("site backed off after failures", "until", st.DeadUntil)
		return nil, nil
	case !st.LastCrawl.IsZero() && now.Before(st.LastCrawl.Add(time.Duration(cfg.Recrawl))):
		log.Info("site not due", "last_crawl", st.LastCrawl, "recrawl", time.Duration(cfg.Recrawl).String())
		return nil, nil
	}
	ex, err := cfg.extractSite()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	j, err := openJar(filepath.Join(siteDir(r.opts.DataDir, cfg.Name), "cookies.json"))
	if err != nil {
		return nil, err
	}
	sr := &siteRun{
		cfg: cfg, base: base, jar: j, log: log, state: st,
		ex:       ex,
		sem:      make(chan struct{}, cfg.Parallelism),
		lim:      &limiter{every: time.Duration(float64(time.Second) / cfg.Rate)},
		byHash:   map[string]string{},
		listings: map[string]bool{},
	}
	st.RunErrors = 0
	if st.Pages == nil {
		st.Pages = map[string]pageState{}
	}
	if st.Posts == nil {
		st.Posts = map[string]postState{}
	}
	for k, p := range st.Posts {
		sr.byHash[p.BodySHA256] = k
	}
	// Cookies made by hand: the operator's (SetCookie) and the config's
	// cookie_file. Their values are never logged.
	cookies, err := operatorCookies(r.opts.DataDir, cfg.Name)
	if err != nil {
		return nil, err
	}
	if cfg.CookieFile != "" {
		b, err := os.ReadFile(cfg.CookieFile)
		if err != nil {
			return nil, fmt.Errorf("cookie_file: %w", err)
		}
		cs, err := parseCookieLine(string(b))
		if err != nil {
			return nil, fmt.Errorf("cookie_file %s: %w", cfg.CookieFile, err)
		}
		cookies = append(cookies, cs...)
	}
	if len(cookies) > 0 {
		for _, c := range cookies {
			c.Path = "/"
		}
		j.SetCookies(base, cookies)
		log.Info("using cookies made by hand", "count", len(cookies))
	}
	if sr.c, err = r.newCollector(ctx, sr); err != nil {
		return nil, err
	}
	if c := cfg.Credentials; c != nil && len(j.Cookies(base)) == 0 {
		if err := r.login(sr); err != nil {
			sr.fail(now, c.LoginPath, "login failed; crawling as a guest: "+err.Error())
		}
	}
	return sr, nil
}

// login posts the site's login form. The credentials go only into the
// form body; WARC keeps responses, not requests.
func (r *runner) login(sr *siteRun) error {
	c := sr.cfg.Credentials
	u, err := resolveRef(sr.cfg.BaseURL, c.LoginPath)
	if err != nil {
		return err
	}
	form := map[string]string{c.UsernameField: string(c.username), c.PasswordField: string(c.password)}
	for k, v := range c.Extra {
		form[k] = v
	}
	if err := sr.lim.wait(sr.c.Context); err != nil {
		return err
	}
	if err := sr.c.Post(u, form); err != nil {
		return fmt.Errorf("post %s: %s", u, reason(err))
	}
	if len(sr.jar.Cookies(sr.base)) == 0 {
		return errors.New("no session cookie set after login")
	}
	sr.log.Info("logged in")
	return nil
}

func (r *runner) closeSites() {
	for _, sr := range r.sites {
		sr.mu.Lock()
		if err := sr.state.save(r.opts.DataDir, sr.cfg.Name); err != nil {
			sr.log.Error("saving site state", "err", err)
		}
		sr.mu.Unlock()
		if err := sr.jar.save(); err != nil {
			sr.log.Error("saving cookie jar", "err", err)
		}
	}
}

func (r *runner) worker(ctx context.Context) error {
	fr := r.opts.Frontier
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		u, ok, err := fr.Pop(ctx)
		if err != nil {
			return fmt.Errorf("frontier: %w", err)
		}
		if !ok {
			idle, err := fr.Idle(ctx)
			if err != nil {
				return fmt.Errorf("frontier: %w", err)
			}
			if idle {
				return nil
			}
			if err := sleep(ctx, r.opts.PollInterval); err != nil {
				return err
			}
			continue
		}
		perr := r.process(ctx, u)
		if err := fr.Done(ctx, u); err != nil && perr == nil {
			perr = fmt.Errorf("frontier: %w", err)
		}
		if perr != nil {
			return perr
		}
	}
}

// process fetches one URL and acts on what it is. Only fatal errors are
// returned; everything else is logged and the URL dropped.
func (r *runner) process(ctx context.Context, u string) error {
	sr := r.sites[hostOf(u)]
	if sr == nil {
		r.opts.Logger.Warn("url of no site being crawled; dropped", "url", u)
		return nil
	}
	if sr.stopReason() != "" {
		return nil
	}
	if sr.pages.Add(1) > int64(sr.cfg.MaxPages) {
		if sr.stop("page cap") {
			sr.log.Warn("page cap reached; the rest of the site waits for the next crawl", "max_pages", sr.cfg.MaxPages)
		}
		return nil
	}
	select {
	case sr.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sr.sem }()

	referer := sr.cfg.BaseURL
	if v, ok := sr.referers.Load(u); ok {
		referer = v.(string)
	}
	var extra http.Header
	sr.mu.Lock()
	if ps, ok := sr.state.Pages[u]; ok && ps.Thread {
		extra = http.Header{}
		if ps.ETag != "" {
			extra.Set("If-None-Match", ps.ETag)
		}
		if ps.LastModified != "" {
			extra.Set("If-Modified-Since", ps.LastModified)
		}
	}
	sr.mu.Unlock()

	f, front, err := r.fetchPage(ctx, sr, u, referer, extra)
	if err != nil {
		return r.fetchFailed(ctx, sr, u, err)
	}
	sr.failures.Store(0)
	switch {
	case f.Status == http.StatusNotModified:
		sr.log.Debug("not modified", "url", u)
		return nil
	case f.Status >= 400:
		sr.fail(f.At, u, fmt.Sprintf("page refused: HTTP %d", f.Status))
		return nil
	}
	page := extract.Page{URL: f.URL, Body: f.Body, ContentType: f.ContentType, FetchedAt: f.At}
	switch front.Kind {
	case extract.KindCaptcha:
		r.park(sr, f.URL)
		return nil
	case extract.KindListing:
		return r.listing(ctx, sr, page)
	case extract.KindThread:
		sr.mu.Lock()
		sr.state.Pages[u] = pageState{Thread: true, ETag: f.Header.Get("ETag"), LastModified: f.Header.Get("Last-Modified")}
		sr.mu.Unlock()
		return r.thread(ctx, sr, page, f.Capture)
	default:
		sr.log.Debug("page is neither listing nor thread", "url", f.URL)
		return nil
	}
}

func (r *runner) fetchFailed(ctx context.Context, sr *siteRun, u string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrProxyDown) || errors.Is(err, ErrDirectDial) || errors.Is(err, errEvidence) {
		return &fatalError{fmt.Errorf("site %s: %w", sr.cfg.Name, err)}
	}
	sr.fail(r.opts.Now(), u, "fetch failed: "+reason(err))
	var se *SOCKSError
	dead := errors.As(err, &se) && se.Dead && se.Code == 0xF6
	if n := sr.failures.Add(1); dead || n >= int64(r.opts.DeadHostAfter) {
		if sr.stop("dead") {
			until := r.opts.Now().Add(r.opts.DeadHostBackoff).UTC()
			sr.mu.Lock()
			sr.state.DeadUntil = until
			sr.mu.Unlock()
			sr.log.Warn("site backed off: too many failures in a row", "failures", n, "until", until, "reason", reason(err))
		}
	}
	return nil
}

// park stops a site that shows a CAPTCHA: it is never solved by the
// crawler. The state survives restarts until SetCookie.
func (r *runner) park(sr *siteRun, u string) {
	if !sr.stop("parked") {
		return
	}
	sr.mu.Lock()
	sr.state.Parked = &parked{Reason: "needs a human: CAPTCHA", URL: u, At: r.opts.Now().UTC()}
	sr.mu.Unlock()
	sr.log.Warn("site parked: a CAPTCHA needs a human; solve it in Tor Browser on a circuit of your own and set the session cookie (semak crawl cookie set SITE 'name=value')", "url", u)
}

// listing queues a listing's threads and its next page, with guards
// against link floods and endless pagination.
func (r *runner) listing(ctx context.Context, sr *siteRun, page extract.Page) error {
	threads, next, err := extract.Listing(sr.ex, page)
	if err != nil {
		sr.fail(page.FetchedAt, page.URL, "listing unreadable: "+err.Error())
		return nil
	}
	if len(threads) > sr.cfg.MaxLinks {
		sr.log.Warn("link flood: listing has too many thread links; keeping the first", "url", page.URL, "links", len(threads), "kept", sr.cfg.MaxLinks)
		threads = threads[:sr.cfg.MaxLinks]
	}
	sorted := append([]string(nil), threads...)
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\n")))
	fp := hex.EncodeToString(sum[:])
	sr.mu.Lock()
	repeat := sr.listings[fp]
	sr.listings[fp] = true
	sr.mu.Unlock()
	if repeat {
		sr.log.Warn("endless pagination: this listing repeats an earlier page; not following its next link", "url", page.URL)
		return nil
	}
	push := func(u string) error {
		if _, loaded := sr.referers.LoadOrStore(u, page.URL); loaded {
			return nil
		}
		if _, err := r.opts.Frontier.Push(ctx, u); err != nil {
			return &fatalError{fmt.Errorf("frontier: %w", err)}
		}
		return nil
	}
	for _, t := range threads {
		if err := push(t); err != nil {
			return err
		}
	}
	if next != "" {
		return push(next)
	}
	return nil
}

// thread reads a thread's posting, fetches its same-site sample files,
// dedups it against what the site gave before, and yields it when new or
// edited.
func (r *runner) thread(ctx context.Context, sr *siteRun, page extract.Page, capture warc.Location) error {
	tp, err := extract.ThreadDetail(sr.ex, page, r.opts.Orgs)
	if err != nil {
		sr.fail(page.FetchedAt, page.URL, "thread unreadable: "+err.Error())
		return nil
	}
	if tp.Later {
		sr.log.Debug("a later page of a thread: read from the thread's first page", "url", page.URL)
		return nil
	}
	if err := r.laterPages(ctx, sr, &tp, page.URL); err != nil {
		return err
	}
	p := tp.Posting
	if capture.File != "" {
		p.Capture = captureOf(capture, page.FetchedAt)
	}
	publish, isNew := sr.dedup(&p, tp.Replies, r.opts.Now().UTC())
	if !publish {
		return nil
	}
	if isNew {
		// Another crawl process sharing the frontier may have found the
		// same post at another URL: the first to claim it publishes it.
		key := p.URL + "#" + p.PostID
		claim := "post:" + sr.cfg.Name + ":" + cmp.Or(p.BodySHA256, key)
		first, won, err := r.opts.Frontier.Claim(ctx, claim, key)
		if err != nil {
			return &fatalError{fmt.Errorf("frontier: %w", err)}
		}
		if !won {
			sr.log.Info("same post found by another crawl process", "url", p.URL, "first_seen_as", first)
			return nil
		}
	}
	for i := range p.SampleFiles {
		if err := r.sampleFile(ctx, sr, &p.SampleFiles[i], page.URL); err != nil {
			return err
		}
	}
	if err := p.Validate(); err != nil {
		sr.fail(page.FetchedAt, page.URL, "posting invalid; skipped: "+err.Error())
		return nil
	}
	sr.log.Info("posting", "posting_id", p.ID, "url", p.URL, "capture", capture.String(), "payload_sha256", capture.PayloadSHA256)
	r.yieldMu.Lock()
	defer r.yieldMu.Unlock()
	if r.yieldErr != nil {
		return r.yieldErr
	}
	if err := r.yield(p); err != nil {
		r.yieldErr = &fatalError{fmt.Errorf("yield: %w", err)}
		return r.yieldErr
	}
	return nil
}

// laterPages follows a thread's next links from its first page, within
// the site's max_thread_pages and page cap, and merges what they add: the
// reply count and the samples the posting's author quoted further down.
// A next link that leads back to a page already read ends it (endless
// pagination).
func (r *runner) laterPages(ctx context.Context, sr *siteRun, tp *extract.ThreadPage, first string) error {
	seen := map[string]bool{first: true}
	prev := first
	for n := 1; tp.Next != ""; n++ {
		next := tp.Next
		switch {
		case n >= sr.cfg.MaxThreadPages:
			sr.log.Warn("thread longer than max_thread_pages; the rest is not read", "url", first, "max_thread_pages", sr.cfg.MaxThreadPages)
			return nil
		case seen[next]:
			sr.log.Warn("endless thread pagination: the next link leads back to a page read; stopping", "url", next)
			return nil
		case sr.stopReason() != "":
			return nil
		case sr.pages.Add(1) > int64(sr.cfg.MaxPages):
			sr.log.Warn("page cap reached inside a thread; its later pages wait for the next crawl", "url", first)
			return nil
		}
		seen[next] = true
		f, front, err := r.fetchPage(ctx, sr, next, prev, nil)
		if err != nil {
			return r.fetchFailed(ctx, sr, next, err)
		}
		if front.Kind == extract.KindCaptcha {
			r.park(sr, f.URL)
			return nil
		}
		if f.Status >= 400 {
			sr.fail(f.At, next, fmt.Sprintf("thread page refused: HTTP %d", f.Status))
			return nil
		}
		later, err := extract.ThreadLater(sr.ex, extract.Page{URL: f.URL, Body: f.Body, ContentType: f.ContentType, FetchedAt: f.At})
		if err != nil {
			sr.fail(f.At, next, "thread page unreadable: "+err.Error())
			return nil
		}
		tp.Merge(later)
		prev = next
	}
	return nil
}

// dedup keys a post by canonical URL and post id. The same key with the
// same body is nothing new (new replies are noted); with another body it
// is an edit, yielded under the same id with the earlier version in
// Edits; the same body under another key is the same post at another URL.
// isNew says this process never saw the post before: thread then claims it
// in the shared frontier.
func (sr *siteRun) dedup(p *posting.Posting, replies int, now time.Time) (publish, isNew bool) {
	key := p.URL + "#" + p.PostID
	sr.mu.Lock()
	defer sr.mu.Unlock()
	samples := samplesHash(p.Samples)
	// remember records p as the latest version of the post at key, after
	// prev (nil for a new post) as an edit, with prev's URL when it was
	// at another one.
	remember := func(prev *postState, prevURL string, sh []byte) {
		if prev != nil {
			p.ID = prev.ID
			p.Edits = append(append([]posting.Edit(nil), prev.Edits...), posting.Edit{At: prev.SeenAt, BodySHA256: prev.BodySHA256, Title: prev.Title, URL: prevURL})
		}
		sr.state.Posts[key] = postState{ID: p.ID, BodySHA256: p.BodySHA256, SamplesSHA256: samples, Title: p.Title, SeenAt: now, Replies: replies, Edits: p.Edits, Author: p.Author, Sketch: sh, URL: p.URL}
		sr.byHash[p.BodySHA256] = key
	}
	if prev, ok := sr.state.Posts[key]; ok {
		// A state written before samples were hashed has none: that is
		// not an edit.
		if prev.BodySHA256 == p.BodySHA256 && prev.Title == p.Title && (prev.SamplesSHA256 == samples || prev.SamplesSHA256 == "") {
			prev.SamplesSHA256 = samples
			if replies > prev.Replies {
				sr.log.Info("new replies", "posting_id", prev.ID, "url", p.URL, "replies", replies, "before", prev.Replies)
				prev.Replies = replies
			}
			sr.state.Posts[key] = prev
			return false, false
		}
		remember(&prev, "", sketch(p.Body))
		sr.log.Info("posting edited", "posting_id", p.ID, "url", p.URL, "edits", len(p.Edits))
		return true, false
	}
	if other, ok := sr.byHash[p.BodySHA256]; ok && p.BodySHA256 != "" && sameAuthor(sr.state.Posts[other].Author, p.Author) {
		sr.log.Info("same post at another URL", "url", p.URL, "first_seen_as", other)
		return false, false
	}
	sh := sketch(p.Body)
	if prevKey, prev, ok := sr.repostOf(p.Author, sh); ok {
		// The author's earlier post, lightly edited, at another URL: one
		// posting, whose history keeps the earlier version and its URL.
		remember(&prev, prev.URL, sh)
		sr.log.Info("post reposted lightly edited at another URL", "posting_id", p.ID, "url", p.URL, "first_seen_as", prevKey)
		return true, false
	}
	remember(nil, "", sh)
	return true, true
}

// sameAuthor is false only when both authors are known and differ: a
// copy of another seller's ad is a posting of its own.
func sameAuthor(a, b string) bool { return a == "" || b == "" || a == b }

// repostOf finds the latest version of an earlier post by the same author
// whose body resembles one with sketch sh. The caller holds sr.mu.
func (sr *siteRun) repostOf(author string, sh []byte) (string, postState, bool) {
	if author == "" || sh == nil {
		return "", postState{}, false
	}
	var bestKey string
	var best postState
	for k, ps := range sr.state.Posts {
		if ps.Author != author || !nearDuplicate(ps.Sketch, sh) {
			continue
		}
		if bestKey == "" || ps.SeenAt.After(best.SeenAt) || (ps.SeenAt.Equal(best.SeenAt) && k < bestKey) {
			bestKey, best = k, ps
		}
	}
	return bestKey, best, bestKey != ""
}

// samplesHash is the hex SHA-256 of a posting's sample texts: samples
// added in replies make a recrawled posting an edit.
func samplesHash(samples []posting.Sample) string {
	h := sha256.New()
	for _, s := range samples {
		h.Write([]byte(s.Text))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sampleFile fetches a same-site sample file within the sample cap and
// records its size and SHA-256 (not when it was cut: a hash of part of a
// file would mislead).
func (r *runner) sampleFile(ctx context.Context, sr *siteRun, sf *posting.SampleFile, referer string) error {
	if hostOf(sf.URL) != hostOf(sr.cfg.BaseURL) {
		return nil // external: recorded, never fetched
	}
	if sr.pages.Add(1) > int64(sr.cfg.MaxPages) {
		return nil
	}
	f, err := r.fetchRetry(ctx, sr, sf.URL, referer, r.opts.SampleMaxBytes, nil)
	if err != nil {
		if ferr := r.fetchFailed(ctx, sr, sf.URL, err); ferr != nil {
			return ferr
		}
		return nil
	}
	if f.Status != http.StatusOK {
		sr.fail(f.At, sf.URL, fmt.Sprintf("sample file refused: HTTP %d", f.Status))
		return nil
	}
	sf.Size = int64(len(f.Body))
	if f.Truncated {
		sr.log.Warn("sample file cut at the sample cap; no hash recorded", "url", sf.URL, "cap_bytes", r.opts.SampleMaxBytes)
		return nil
	}
	sum := sha256.Sum256(f.Body)
	sf.SHA256 = hex.EncodeToString(sum[:])
	return nil
}

// captureOf is the posting's record of where its page is kept.
func captureOf(l warc.Location, at time.Time) *posting.Capture {
	return &posting.Capture{WARC: l.File, Offset: l.Offset, Length: l.Length, RecordID: l.RecordID, PayloadSHA256: l.PayloadSHA256, CapturedAt: at.UTC()}
}

func resolveRef(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u, err := b.Parse(ref)
	if err != nil {
		return "", err
	}
	u.Fragment = ""
	return u.String(), nil
}
