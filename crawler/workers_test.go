package crawler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/semak/semak/crawler/frontier"
	"github.com/semak/semak/internal/redistest"
)

// TestTwoWorkersShareRedisFrontier: two crawl workers (separate data
// directories and Redis clients, as two `semak crawl --redis` processes)
// share one frontier on a real redis-server: no page is fetched twice,
// neither quits while the other still adds work, a post found at two URLs
// is published once, and together they find every posting of the four
// fixture forums.
func TestTwoWorkersShareRedisFrontier(t *testing.T) {
	addr := redistest.Start(t)
	s := startSOCKS(t, true)
	sites, servers := fixtureSites(t, s)
	var mu sync.Mutex
	ids := map[string]int{}
	g, ctx := errgroup.WithContext(context.Background())
	for range 2 {
		opts := baseOptions(t, s, sites...)
		opts.Orgs = testOrgs()
		rc := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rc.Close() })
		opts.Frontier = frontier.NewRedis(rc, "two-workers", time.Minute)
		g.Go(func() error {
			return Run(ctx, opts, func(p postingT) error {
				mu.Lock()
				ids[p.ID]++
				mu.Unlock()
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for engine, fs := range servers {
		seen := map[string]int{}
		for _, r := range fs.requestsCopy() {
			seen[r.URL.RequestURI()]++
		}
		for uri, n := range seen {
			if n > 1 {
				t.Errorf("%s %s fetched %d times", engine, uri, n)
			}
		}
	}
	// Every posting of the golden crawl was found by one worker or the
	// other.
	var want []string
	for _, sc := range sites {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", "crawl", sc.Engine+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var ps []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &ps); err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			want = append(want, p.ID)
		}
	}
	var got []string
	for id, n := range ids {
		got = append(got, id)
		// Thread 101 is listed at two URLs: whichever worker fetched
		// which, the post is published once.
		if n != 1 {
			t.Errorf("posting %s yielded %d times by the two workers", id, n)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("postings found by the two workers:\n%v\nwant\n%v", got, want)
	}
}

// Two crawl processes (separate data directories) sharing one frontier
// find the same post at two URLs: only the first publishes it; the claim
// is what stops the second, which has never seen the post itself.
func TestSamePostTwoProcessesClaimed(t *testing.T) {
	s := startSOCKS(t, true)
	fs := startFixture(t, "mybb")
	s.route(mybbHost, fs.Listener.Addr().String())
	shared := frontier.NewMemory()
	var yielded [2]int
	for i, start := range []string{"/showthread.php?tid=101", "/showthread.php?tid=101&highlight=perkeso"} {
		opts := baseOptions(t, s, site("leaklounge", "http://"+mybbHost+"/", "mybb", start))
		opts.Frontier = shared
		got, err := collect(t, opts)
		if err != nil {
			t.Fatal(err)
		}
		yielded[i] = len(got)
	}
	if yielded != [2]int{1, 0} {
		t.Errorf("postings yielded by the two processes: %v, want [1 0]", yielded)
	}
	if n := fs.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (one per URL)", n)
	}
}
