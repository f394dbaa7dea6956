package frontier_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/crawler/frontier"
)

type crawlSpec struct {
	workers int
	pages   int
	// deadWorker: before the others start, one more worker pops the seed
	// and dies without Done; the seed must come back after the lease.
	deadWorker bool
}

// chain is the length of the slow chain the synthetic site starts with:
// page 0 links only to 1, 1 only to 2, …, so while one worker fetches a
// chain page the queue is empty and the others must wait for its links
// instead of quitting.
const chain = 6

func pageURL(i int) string { return fmt.Sprintf("http://forum.test/t/%d", i) }

// links gives the pages page i links to. After the chain, every page links
// to the next one (so all are reachable) and to three others, many of them
// shared, so that several workers push the same URL at about the same time.
func links(i, n int) []int {
	if i < chain-1 {
		return []int{i + 1}
	}
	var out []int
	if i+1 < n {
		out = append(out, i+1)
	}
	m := n - chain
	return append(out, chain+(i*7)%m, chain+(i*13+5)%m, chain+i%4)
}

// transient tells whether page i fails the first time it is fetched.
func transient(i int) bool { return i%17 == 5 }

type crawlLog struct {
	mu        sync.Mutex
	n         int
	index     map[string]int // url -> page
	holder    map[string]int // url -> worker fetching it now
	handouts  []int
	retries   []int
	fetched   []int
	added     []int
	finished  int // pages fetched (all attempts done)
	waits     int // Pop said empty but Idle said no
	dupPushes int // Push said already seen
	stopped   []int
}

// crawlGraph crawls the synthetic site with spec.workers workers, each on its
// own handle (for Redis: its own client, as a separate process would), and
// checks that every page was handed out and fetched exactly once (plus once
// per transient failure and once to the dead worker), and that no worker
// stopped before the whole site was fetched.
func crawlGraph(t *testing.T, open opener, spec crawlSpec) {
	n := spec.pages
	log := &crawlLog{
		n: n, index: make(map[string]int), holder: make(map[string]int),
		handouts: make([]int, n), retries: make([]int, n), fetched: make([]int, n), added: make([]int, n),
	}
	for i := range n {
		log.index[pageURL(i)] = i
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	seeder := open()
	mustPush(t, seeder, pageURL(0), true)
	log.added[0]++
	if spec.deadWorker {
		mustPop(t, open(), pageURL(0)) // and never Done: the process died
		log.handouts[0]++
	}

	start := time.Now()
	var wg sync.WaitGroup
	for id := range spec.workers {
		f := open()
		wg.Go(func() {
			if err := crawlWorker(ctx, id, f, log); err != nil {
				t.Errorf("worker %d: %v", id, err)
			}
		})
	}
	wg.Wait()
	t.Logf("%d workers crawled %d pages in %v (%d empty-queue waits, %d duplicate pushes)",
		spec.workers, n, time.Since(start).Round(time.Millisecond), log.waits, log.dupPushes)

	extra := 0
	if spec.deadWorker {
		extra = 1
	}
	for i := range n {
		u := pageURL(i)
		if log.fetched[i] != 1 {
			t.Errorf("%s fetched %d times, want 1", u, log.fetched[i])
		}
		if log.added[i] != 1 {
			t.Errorf("%s: Push said added %d times, want 1", u, log.added[i])
		}
		want := 1 + log.retries[i]
		if i == 0 {
			want += extra
		}
		if log.handouts[i] != want {
			t.Errorf("%s handed out %d times, want %d (1 + %d retries)", u, log.handouts[i], want, log.retries[i])
		}
	}
	if len(log.stopped) != spec.workers {
		t.Errorf("%d of %d workers stopped on Idle", len(log.stopped), spec.workers)
	}
	if log.waits == 0 {
		t.Error("no worker ever found the queue empty while another was in flight: the test did not exercise early exit")
	}
	if log.dupPushes == 0 {
		t.Error("no URL was pushed twice: the test did not exercise dedup")
	}
	mustEmpty(t, seeder)
	mustIdle(t, seeder, true)
}

func crawlWorker(ctx context.Context, id int, f frontier.Frontier, log *crawlLog) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("crawl did not finish: %w", err)
		}
		u, ok, err := f.Pop(ctx)
		if err != nil {
			return err
		}
		if !ok {
			idle, err := f.Idle(ctx)
			if err != nil {
				return err
			}
			log.mu.Lock()
			if idle {
				defer log.mu.Unlock()
				log.stopped = append(log.stopped, id)
				if log.finished != log.n {
					return fmt.Errorf("stopped early: Idle with %d of %d pages fetched", log.finished, log.n)
				}
				return nil
			}
			log.waits++
			log.mu.Unlock()
			time.Sleep(2 * time.Millisecond)
			continue
		}

		log.mu.Lock()
		i, known := log.index[u]
		if !known {
			log.mu.Unlock()
			return fmt.Errorf("handed out %q, which was never pushed", u)
		}
		if other, busy := log.holder[u]; busy {
			log.mu.Unlock()
			return fmt.Errorf("handed out %s while worker %d is still fetching it", u, other)
		}
		log.holder[u] = id
		log.handouts[i]++
		fail := transient(i) && log.retries[i] == 0
		log.mu.Unlock()

		// "Fetch" the page: the chain is slow, the rest quick.
		if i < chain {
			time.Sleep(15 * time.Millisecond)
		} else {
			time.Sleep(time.Duration(i%3) * 300 * time.Microsecond)
		}

		if fail {
			log.mu.Lock()
			log.retries[i]++
			delete(log.holder, u) // before Retry: then another worker may get it
			log.mu.Unlock()
			if err := f.Retry(ctx, u, 10*time.Millisecond); err != nil {
				return err
			}
			continue
		}
		for _, j := range links(i, log.n) {
			added, err := f.Push(ctx, pageURL(j))
			if err != nil {
				return err
			}
			log.mu.Lock()
			if added {
				log.added[j]++
			} else {
				log.dupPushes++
			}
			log.mu.Unlock()
		}
		log.mu.Lock()
		log.fetched[i]++
		log.finished++
		delete(log.holder, u)
		log.mu.Unlock()
		if err := f.Done(ctx, u); err != nil {
			return err
		}
	}
}
