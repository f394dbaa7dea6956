package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/internal/atomicfile"
)

// siteState is what the crawler remembers of a site between runs, in
// DataDir/sites/<name>/state.json (0600). It holds no bodies: hashes,
// titles and HTTP validators only.
type siteState struct {
	Parked    *parked              `json:"parked,omitempty"`
	DeadUntil time.Time            `json:"dead_until,omitzero"`
	LastCrawl time.Time            `json:"last_crawl,omitzero"`
	Pages     map[string]pageState `json:"pages,omitempty"`
	Posts     map[string]postState `json:"posts,omitempty"`
	// RunErrors counts the errors of the latest run; Errors keeps the
	// most recent ones of any run, newest last, at most maxErrors.
	RunErrors int          `json:"run_errors,omitempty"`
	Errors    []CrawlError `json:"errors,omitempty"`
}

// CrawlError is one thing that went wrong on a site: a fetch that failed
// after its retries, a page refused, a page that could not be read.
// Reason never holds page content.
type CrawlError struct {
	At     time.Time `json:"at"`
	URL    string    `json:"url,omitempty"`
	Reason string    `json:"reason"`
}

// maxErrors bounds the errors a site's state keeps.
const maxErrors = 20

// noteError records an error in the state (the caller holds the lock).
func (st *siteState) noteError(e CrawlError) {
	st.RunErrors++
	st.Errors = append(st.Errors, e)
	if n := len(st.Errors) - maxErrors; n > 0 {
		st.Errors = append(st.Errors[:0], st.Errors[n:]...)
	}
}

// parked says a site waits for a human (a CAPTCHA it will not solve).
type parked struct {
	Reason string    `json:"reason"`
	URL    string    `json:"url"`
	At     time.Time `json:"at"`
}

type pageState struct {
	Thread       bool   `json:"thread,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

type postState struct {
	ID         string `json:"id"`
	BodySHA256 string `json:"body_sha256"`
	// SamplesSHA256 hashes the sample texts (samplesHash).
	SamplesSHA256 string `json:"samples_sha256,omitempty"`
	// Author and Sketch find the post reposted lightly edited at
	// another URL (sketch.go); URL is where it was seen.
	Author  string         `json:"author,omitempty"`
	Sketch  []byte         `json:"sketch,omitempty"`
	URL     string         `json:"url,omitempty"`
	Title   string         `json:"title"`
	SeenAt  time.Time      `json:"seen_at"`
	Replies int            `json:"replies"`
	Edits   []posting.Edit `json:"edits,omitempty"`
}

func siteDir(dataDir, site string) string { return filepath.Join(dataDir, "sites", site) }

func loadState(dataDir, site string) (*siteState, error) {
	st := &siteState{}
	b, err := os.ReadFile(filepath.Join(siteDir(dataDir, site), "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("site %s: state: %w", site, err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("site %s: state.json is damaged (%w); move it away to start the site afresh", site, err)
	}
	return st, nil
}

func (st *siteState) save(dataDir, site string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(siteDir(dataDir, site), "state.json"), b)
}

// jar is a cookie jar that survives restarts: net/http/cookiejar does the
// matching, and every cookie set is also kept to be saved (0600) in
// DataDir/sites/<name>/cookies.json.
type jar struct {
	inner *cookiejar.Jar
	path  string

	mu   sync.Mutex
	kept map[string]savedCookie
}

type savedCookie struct {
	URL    string       `json:"url"`
	Cookie *http.Cookie `json:"cookie"`
}

func openJar(path string) (*jar, error) {
	inner, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	j := &jar{inner: inner, path: path, kept: map[string]savedCookie{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, err
	}
	var saved []savedCookie
	if err := json.Unmarshal(b, &saved); err != nil {
		return nil, fmt.Errorf("cookie jar %s is damaged: %w", path, err)
	}
	now := time.Now()
	for _, s := range saved {
		if s.Cookie == nil || (!s.Cookie.Expires.IsZero() && s.Cookie.Expires.Before(now)) {
			continue
		}
		if u, err := url.Parse(s.URL); err == nil {
			j.SetCookies(u, []*http.Cookie{s.Cookie})
		}
	}
	return j, nil
}

func (j *jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.inner.SetCookies(u, cookies)
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cookies {
		host := c.Domain
		if host == "" {
			host = u.Hostname()
		}
		key := host + "|" + c.Path + "|" + c.Name
		if c.MaxAge < 0 {
			delete(j.kept, key)
			continue
		}
		cc := *c
		if c.MaxAge > 0 {
			cc.Expires = time.Now().Add(time.Duration(c.MaxAge) * time.Second)
			cc.MaxAge = 0
		}
		cc.Raw, cc.Unparsed = "", nil
		j.kept[key] = savedCookie{URL: (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String(), Cookie: &cc}
	}
}

func (j *jar) Cookies(u *url.URL) []*http.Cookie { return j.inner.Cookies(u) }

func (j *jar) save() error {
	j.mu.Lock()
	list := make([]savedCookie, 0, len(j.kept))
	for _, c := range j.kept {
		list = append(list, c)
	}
	j.mu.Unlock()
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(j.path, b)
}

// parseCookieLine reads "a=b; c=d" (a Cookie header, as copied from a
// browser's developer tools).
func parseCookieLine(line string) ([]*http.Cookie, error) {
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "Cookie:"))
	cs, err := http.ParseCookie(line)
	if err != nil || len(cs) == 0 {
		return nil, fmt.Errorf("not a cookie line such as \"name=value; other=value\"")
	}
	return cs, nil
}

// SetCookie stores a session cookie an operator made by hand (after
// solving a CAPTCHA in Tor Browser) for a site, and unparks the site. The
// next Run sends it on that site's circuit. cookie is a Cookie header
// line, "name=value; other=value". It is kept 0600 under dataDir and
// never logged.
func SetCookie(dataDir, site, cookie string) error {
	if !reSiteName.MatchString(site) {
		return fmt.Errorf("site name %q is not valid", site)
	}
	if _, err := parseCookieLine(cookie); err != nil {
		return err
	}
	dir := siteDir(dataDir, site)
	b, err := json.Marshal(struct {
		Cookie string    `json:"cookie"`
		SetAt  time.Time `json:"set_at"`
	}{cookie, time.Now().UTC()})
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "operator-cookie.json"), b); err != nil {
		return fmt.Errorf("site %s: %w", site, err)
	}
	st, err := loadState(dataDir, site)
	if err != nil {
		return err
	}
	st.Parked = nil
	return st.save(dataDir, site)
}

// operatorCookies returns the cookie line SetCookie stored, if any.
func operatorCookies(dataDir, site string) ([]*http.Cookie, error) {
	b, err := os.ReadFile(filepath.Join(siteDir(dataDir, site), "operator-cookie.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var v struct {
		Cookie string `json:"cookie"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("site %s: operator-cookie.json: %w", site, err)
	}
	return parseCookieLine(v.Cookie)
}

// SiteStatus is what `semak crawl status` shows of a site.
type SiteStatus struct {
	Site      string    `json:"site"`
	LastCrawl time.Time `json:"last_crawl,omitzero"`
	Pages     int       `json:"pages"`
	Posts     int       `json:"posts"`
	// Parked says the site waits for a human (a CAPTCHA); ParkedURL is
	// where.
	Parked    bool      `json:"parked"`
	ParkedWhy string    `json:"parked_reason,omitempty"`
	ParkedURL string    `json:"parked_url,omitempty"`
	DeadUntil time.Time `json:"backed_off_until,omitzero"`
	// Errors counts the errors of the latest run; RecentErrors are the
	// latest few of any run, newest last.
	Errors       int          `json:"errors"`
	RecentErrors []CrawlError `json:"recent_errors,omitempty"`
}

// Status reads the state of every site the crawler has seen under dataDir.
func Status(dataDir string) ([]SiteStatus, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, "sites"))
	if errors.Is(err, fs.ErrNotExist) {
		return []SiteStatus{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []SiteStatus{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st, err := loadState(dataDir, e.Name())
		if err != nil {
			return nil, err
		}
		s := SiteStatus{Site: e.Name(), LastCrawl: st.LastCrawl, Pages: len(st.Pages), Posts: len(st.Posts), DeadUntil: st.DeadUntil, Errors: st.RunErrors, RecentErrors: st.Errors}
		if st.Parked != nil {
			s.Parked, s.ParkedWhy, s.ParkedURL = true, st.Parked.Reason, st.Parked.URL
		}
		out = append(out, s)
	}
	return out, nil
}
