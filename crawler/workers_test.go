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
// neither quits while the other still adds work, and together they find
// every posting of the four fixture forums.
func TestTwoWorkersShareRedisFrontier(t *testing.T) {
	addr := redistest.Start(t)
	s := startSOCKS(t, true)
	sites, servers := fixtureSites(t, s)
	var mu sync.Mutex
	ids := map[string]bool{}
	g, ctx := errgroup.WithContext(context.Background())
	for range 2 {
		opts := baseOptions(t, s, sites...)
		opts.Orgs = testOrgs()
		rc := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rc.Close() })
		opts.Frontier = Shared(frontier.NewRedis(rc, "two-workers", time.Minute))
		g.Go(func() error {
			return Run(ctx, opts, func(p postingT) error {
				mu.Lock()
				ids[p.ID] = true
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
	for id := range ids {
		got = append(got, id)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("postings found by the two workers:\n%v\nwant\n%v", got, want)
	}
}
