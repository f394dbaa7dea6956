package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/warc"
)

// fetchIDHeader ties a colly request to its capture. The capture
// transport strips it before the request leaves the process.
const fetchIDHeader = "X-Semak-Fetch-Id"

var (
	errRedirectLoop     = errors.New("redirect loop")
	errTooManyRedirects = errors.New("too many redirects")
	errEvidence         = errors.New("could not write the WARC record (evidence) of a fetched page")
)

// statusError is an HTTP status worth a retry (5xx, 429).
type statusError struct {
	Code       int
	RetryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// fetched is one fetched page: the raw body as captured (before any
// charset conversion), cut at the cap.
type fetched struct {
	URL         string // final, after redirects
	Status      int
	Header      http.Header
	Body        []byte
	Truncated   bool
	ContentType string
	At          time.Time
	Capture     warc.Location
}

// sink collects what colly and the capture transport saw of one request.
type sink struct {
	maxBody int64
	mu      sync.Mutex
	capture *fetched // the last hop's response: after redirects, the final one
}

// captureTransport sits between colly and the SOCKS transport: it reads
// the body (cut at the cap, with a logged reason), writes the response to
// WARC and hands colly the captured bytes.
type captureTransport struct {
	next http.RoundTripper
	r    *runner
	sr   *siteRun
}

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id := req.Header.Get(fetchIDHeader)
	out := req.Clone(req.Context())
	out.Header.Del(fetchIDHeader)
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	var s *sink
	if v, ok := t.sr.sinks.Load(id); ok {
		s = v.(*sink)
	}
	limit := t.sr.cfg.MaxBody
	if s != nil && s.maxBody > 0 {
		limit = s.maxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	truncated := int64(len(body)) > limit
	if truncated {
		body = body[:limit]
		t.sr.log.Warn("body cut at the size cap", "url", req.URL.String(), "cap_bytes", limit, "declared_bytes", resp.ContentLength)
	}
	at := t.r.opts.Now().UTC()
	loc, err := t.r.warc.WriteResponse(warc.Response{
		TargetURI:  req.URL.String(),
		Date:       at,
		StatusLine: resp.Proto + " " + resp.Status,
		Header:     resp.Header,
		Body:       body,
		Truncated:  truncated,
		Fields:     map[string]string{"WARC-Semak-Site": t.sr.cfg.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errEvidence, err)
	}
	if s != nil {
		s.mu.Lock()
		s.capture = &fetched{URL: req.URL.String(), Status: resp.StatusCode, Header: resp.Header.Clone(), Body: body, Truncated: truncated, ContentType: resp.Header.Get("Content-Type"), At: at, Capture: loc}
		s.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// newCollector builds the site's colly collector on its own transport.
// colly's defaults that would fail open or lose evidence are overridden:
// its default transport (direct, local DNS) is replaced before any
// request, its cache and charset conversion are off, and it may revisit
// (the frontier decides what is fetched; retries re-request).
func (r *runner) newCollector(ctx context.Context, sr *siteRun) (*colly.Collector, error) {
	tr, err := newTransport(r.opts.Socks, sr.cfg.Name, sr.cfg.DirectClearnet, sr.cfg.Parallelism, time.Duration(sr.cfg.Timeout))
	if err != nil {
		return nil, err
	}
	c := colly.NewCollector(colly.StdlibContext(ctx))
	c.WithTransport(&captureTransport{next: tr, r: r, sr: sr})
	c.SetCookieJar(sr.jar)
	c.SetRequestTimeout(time.Duration(sr.cfg.Timeout))
	c.UserAgent = r.opts.UserAgent
	c.AllowURLRevisit = true
	c.IgnoreRobotsTxt = true
	c.ParseHTTPErrorResponse = true
	c.CacheDir = ""
	c.DetectCharset = false
	c.MaxDepth = 0
	c.MaxBodySize = 0 // the capture transport has already cut the body
	c.Async = false
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: sr.cfg.Parallelism}); err != nil {
		return nil, err
	}
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		for _, v := range via {
			if v.URL.String() == req.URL.String() {
				return fmt.Errorf("%w: %s", errRedirectLoop, req.URL)
			}
		}
		if len(via) >= 10 {
			return fmt.Errorf("%w (%d)", errTooManyRedirects, len(via))
		}
		if sr.cfg.DirectClearnet && isOnion(req.URL.Hostname()) {
			return fmt.Errorf("%w: redirect to %s", ErrOnionDirect, req.URL.Hostname())
		}
		return nil
	})
	return c, nil
}

// fetchOnce is one GET through colly, within the site's rate.
func (r *runner) fetchOnce(ctx context.Context, sr *siteRun, u, referer string, maxBody int64, extra http.Header) (*fetched, error) {
	if err := sr.lim.wait(ctx); err != nil {
		return nil, err
	}
	id := strconv.FormatUint(r.seq.Add(1), 10)
	s := &sink{maxBody: maxBody}
	sr.sinks.Store(id, s)
	defer sr.sinks.Delete(id)
	hdr := http.Header{}
	for k, v := range extra {
		hdr[k] = v
	}
	hdr.Set("User-Agent", r.opts.UserAgent)
	hdr.Set("Referer", referer)
	hdr.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	hdr.Set("Accept-Language", "en-US,en;q=0.5")
	hdr.Set(fetchIDHeader, id)
	if err := sr.c.Request(http.MethodGet, u, nil, nil, hdr); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.capture == nil {
		return nil, fmt.Errorf("fetch %s: no response captured", u)
	}
	f := s.capture
	if f.Status == http.StatusTooManyRequests || f.Status >= 500 {
		return f, &statusError{Code: f.Status, RetryAfter: retryAfter(f.Header.Get("Retry-After"))}
	}
	return f, nil
}

func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

// fetchRetry fetches with bounded retries: exponential backoff with
// jitter, honouring Retry-After, for errors worth retrying.
func (r *runner) fetchRetry(ctx context.Context, sr *siteRun, u, referer string, maxBody int64, extra http.Header) (*fetched, error) {
	for attempt := 0; ; attempt++ {
		f, err := r.fetchOnce(ctx, sr, u, referer, maxBody, extra)
		if err == nil {
			return f, nil
		}
		if ctx.Err() != nil || !transient(err) || attempt >= r.opts.Retries {
			if attempt > 0 {
				return f, fmt.Errorf("after %d attempts: %w", attempt+1, err)
			}
			return f, err
		}
		d := r.backoff(attempt, err)
		sr.log.Info("retrying", "url", u, "attempt", attempt+1, "in", d.Round(time.Millisecond).String(), "reason", reason(err))
		if err := sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

func (r *runner) backoff(attempt int, err error) time.Duration {
	d := r.opts.BackoffBase << attempt
	var se *statusError
	if errors.As(err, &se) && se.RetryAfter > d {
		d = se.RetryAfter
	}
	// Full jitter around the exponential step: between d/2 and 3d/2.
	d = d/2 + time.Duration(rand.Int64N(int64(d)+1))
	return min(d, r.opts.BackoffMax)
}

// fetchPage fetches a page and follows an EndGame-style queue: a page
// with a Refresh (header or meta) and a queue marker is reloaded after its
// delay, on the same circuit (the site's transport) and with its cookies,
// the queue page as Referer.
func (r *runner) fetchPage(ctx context.Context, sr *siteRun, u, referer string, extra http.Header) (*fetched, extract.Front, error) {
	for hop := 0; ; hop++ {
		f, err := r.fetchRetry(ctx, sr, u, referer, 0, extra)
		if err != nil {
			return nil, extract.Front{}, err
		}
		page := extract.Page{URL: f.URL, Body: f.Body, ContentType: f.ContentType, FetchedAt: f.At}
		front := extract.Classify(sr.ex, page)
		after, target, has := extract.ParseRefresh(f.Header.Get("Refresh"))
		if !has {
			after, target, has = front.RefreshAfter, front.RefreshURL, front.HasRefresh
		}
		queued := has && front.Kind != extract.KindThread && front.Kind != extract.KindListing && front.Kind != extract.KindCaptcha &&
			(front.Kind == extract.KindQueue || extract.IsQueueText(sr.ex, page))
		if !queued {
			return f, front, nil
		}
		if hop >= 5 {
			return nil, front, fmt.Errorf("still in the DDoS-front queue after %d reloads", hop)
		}
		if after > r.opts.MaxQueueWait {
			after = r.opts.MaxQueueWait
		}
		next := f.URL
		if target != "" {
			if t, err := resolveRef(f.URL, target); err == nil && hostOf(t) == hostOf(f.URL) {
				next = t
			}
		}
		sr.log.Info("queue page: waiting before reload", "url", f.URL, "wait", after.String())
		if err := sleep(ctx, after); err != nil {
			return nil, front, err
		}
		referer, u, extra = f.URL, next, nil
	}
}

// transient says whether an error is worth a retry.
func transient(err error) bool {
	var se *SOCKSError
	if errors.As(err, &se) {
		return se.Transient
	}
	var st *statusError
	if errors.As(err, &st) {
		return true
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, ErrProxyDown), errors.Is(err, ErrDirectDial), errors.Is(err, ErrOnionDirect),
		errors.Is(err, errRedirectLoop), errors.Is(err, errTooManyRedirects), errors.Is(err, errEvidence):
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return true // resets, EOFs and the like: onions drop connections
}

// reason is a short, stable description of a fetch error for logs.
func reason(err error) string {
	var se *SOCKSError
	if errors.As(err, &se) {
		return se.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}

// limiter spaces a site's requests to its rate.
type limiter struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	t := l.next
	if t.Before(now) {
		t = now
	}
	l.next = t.Add(l.every)
	l.mu.Unlock()
	return sleep(ctx, time.Until(t))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
