package crawler

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/crawler/warc"
)

// Replay turns pages captured earlier into postings, with no network: the
// WARC files in dir (*.warc.gz, as Run writes them), and, for fixture
// forums, pages listed in dir/routes.txt ("path<TAB>file" lines, the
// pages served at cfg.BaseURL+path). Each thread page is extracted with
// the site's profile; a post seen at two URLs is one posting. `semak crawl
// --offline` uses it, and so does `make demo`.
func Replay(ctx context.Context, dir string, cfg SiteConfig, orgs extract.OrgMatcher, now time.Time, yield func(posting.Posting) error) (int, error) {
	if err := cfg.validate(); err != nil {
		return 0, err
	}
	cfg = cfg.withDefaults()
	site, err := cfg.extractSite()
	if err != nil {
		return 0, err
	}
	pages, err := capturedPages(dir, strings.TrimSuffix(cfg.BaseURL, "/"), now)
	if err != nil {
		return 0, err
	}
	if len(pages) == 0 {
		return 0, fmt.Errorf("replay: no captured pages in %s (want *.warc.gz files or a routes.txt)", dir)
	}
	// Read every page first: a thread's later pages (its replies) are
	// merged into the posting of its first page, whatever order they were
	// captured in.
	type first struct {
		tp   extract.ThreadPage
		page capturedPage
	}
	var firsts []first
	type laterPage struct {
		url string
		tp  extract.ThreadPage
	}
	later := map[string][]laterPage{} // canonical thread URL -> later pages
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		tp, err := extract.ThreadDetail(site, p.Page, orgs)
		if errors.Is(err, extract.ErrNotThread) {
			continue // a listing, a queue page …
		}
		if err != nil {
			return 0, fmt.Errorf("replay %s: %w", p.URL, err)
		}
		if tp.Later {
			later[tp.Posting.URL] = append(later[tp.Posting.URL], laterPage{p.URL, tp})
			continue
		}
		firsts = append(firsts, first{tp, p})
	}
	seen := map[string]bool{}
	n := 0
	for _, f := range firsts {
		tp := f.tp
		if seen[tp.Posting.ID] {
			continue
		}
		seen[tp.Posting.ID] = true
		// In thread order along the next links, then any left over.
		ls := later[tp.Posting.URL]
		merged := make([]bool, len(ls))
		for next := tp.Next; next != ""; {
			i := slices.IndexFunc(ls, func(l laterPage) bool { return l.url == next })
			if i < 0 || merged[i] {
				break
			}
			merged[i] = true
			tp.Merge(ls[i].tp)
			next = ls[i].tp.Next
		}
		for i, l := range ls {
			if !merged[i] {
				tp.Merge(l.tp)
			}
		}
		tp.Posting.CrawledAt = f.page.FetchedAt
		tp.Posting.Capture = f.page.capture
		if err := yield(tp.Posting); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// capturedPage is a page to replay and, when it came from a WARC file,
// where it is kept.
type capturedPage struct {
	extract.Page
	capture *posting.Capture
}

func capturedPages(dir, base string, now time.Time) ([]capturedPage, error) {
	var pages []capturedPage
	warcs, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(warcs)
	for _, w := range warcs {
		recs, err := warc.ReadAll(w)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.Header["WARC-Type"] != "response" {
				continue
			}
			if err := r.Verify(); err != nil {
				return nil, fmt.Errorf("replay %s: %w", w, err)
			}
			_, h, body, err := r.HTTP()
			if err != nil {
				return nil, err
			}
			at, _ := time.Parse(time.RFC3339, r.Header["WARC-Date"])
			sum := sha256.Sum256(body)
			pages = append(pages, capturedPage{
				Page:    extract.Page{URL: r.Header["WARC-Target-URI"], Body: body, ContentType: h.Get("Content-Type"), FetchedAt: at},
				capture: &posting.Capture{WARC: filepath.Base(w), Offset: r.Offset, Length: r.Length, RecordID: r.Header["WARC-Record-ID"], PayloadSHA256: hex.EncodeToString(sum[:]), CapturedAt: at.UTC()},
			})
		}
	}
	f, err := os.Open(filepath.Join(dir, "routes.txt"))
	if errors.Is(err, os.ErrNotExist) {
		return pages, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 2 {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.Base(parts[1])))
		if err != nil {
			return nil, err
		}
		ct := "text/html"
		if len(parts) > 2 {
			ct = parts[2]
		}
		pages = append(pages, capturedPage{Page: extract.Page{URL: base + parts[0], Body: body, ContentType: ct, FetchedAt: now}})
	}
	return pages, sc.Err()
}
