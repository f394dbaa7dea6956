package frontier_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/crawler/frontier"
)

// opener opens one more handle on the same frontier, as another worker
// process would (for Redis: a new client on the same namespace).
type opener func() frontier.Frontier

// harness describes one implementation to the conformance suite.
type harness struct {
	// fresh returns an opener for a new, empty frontier whose in-flight
	// URLs expire after lease (ignored when leases is false).
	fresh func(t *testing.T, lease time.Duration) opener
	// leases tells whether the implementation hands out again the URLs of
	// a dead worker.
	leases bool
}

// frontiertest is the conformance suite every Frontier implementation runs.
func frontiertest(t *testing.T, h harness) {
	const longLease = time.Minute
	t.Run("PushDedup", func(t *testing.T) {
		ctx := context.Background()
		f := h.fresh(t, longLease)()
		mustPush(t, f, "a", true)
		mustPush(t, f, "a", false)
		mustPush(t, f, "b", true)
		if _, err := f.Push(ctx, ""); !errors.Is(err, frontier.ErrEmptyURL) {
			t.Errorf("Push(\"\") = %v, want ErrEmptyURL", err)
		}
		mustPop(t, f, "a")
		mustPush(t, f, "a", false) // in flight: still visited
		mustDone(t, f, "a")
		mustPush(t, f, "a", false) // done: visited forever
		mustPop(t, f, "b")
		mustEmpty(t, f)
	})
	t.Run("Claim", func(t *testing.T) {
		ctx := context.Background()
		open := h.fresh(t, longLease)
		a, b := open(), open()
		if first, won, err := a.Claim(ctx, "post:x:1", "owner-a"); err != nil || !won || first != "owner-a" {
			t.Fatalf("first claim: %q %v %v", first, won, err)
		}
		for _, f := range []frontier.Frontier{a, b} {
			if first, won, err := f.Claim(ctx, "post:x:1", "owner-b"); err != nil || won || first != "owner-a" {
				t.Errorf("second claim: %q %v %v; want owner-a, lost", first, won, err)
			}
		}
		if _, won, err := b.Claim(ctx, "post:x:2", "owner-b"); err != nil || !won {
			t.Errorf("claim of another key: %v %v", won, err)
		}
		if _, _, err := a.Claim(ctx, "", "x"); !errors.Is(err, frontier.ErrEmptyKey) {
			t.Errorf("Claim(\"\") = %v, want ErrEmptyKey", err)
		}
		// Many claimers at once: exactly one wins.
		var wins sync.WaitGroup
		var mu sync.Mutex
		winners := 0
		for i := range 16 {
			f := open()
			wins.Add(1)
			go func() {
				defer wins.Done()
				_, won, err := f.Claim(ctx, "post:race", fmt.Sprint("w", i))
				if err != nil {
					t.Error(err)
				}
				if won {
					mu.Lock()
					winners++
					mu.Unlock()
				}
			}()
		}
		wins.Wait()
		if winners != 1 {
			t.Errorf("%d claimers won one key", winners)
		}
	})
	t.Run("PopFIFO", func(t *testing.T) {
		f := h.fresh(t, longLease)()
		for i := range 10 {
			mustPush(t, f, fmt.Sprint("u", i), true)
		}
		for i := range 10 {
			mustPop(t, f, fmt.Sprint("u", i))
		}
		mustEmpty(t, f)
	})
	t.Run("Idle", func(t *testing.T) {
		ctx := context.Background()
		f := h.fresh(t, longLease)()
		mustEmpty(t, f)
		mustIdle(t, f, true) // a fresh frontier is idle
		mustPush(t, f, "a", true)
		mustIdle(t, f, false) // queued
		mustPop(t, f, "a")
		mustEmpty(t, f)
		mustIdle(t, f, false) // in flight: another worker must not stop
		mustPush(t, f, "b", true)
		mustDone(t, f, "a")
		mustIdle(t, f, false) // b queued
		mustPop(t, f, "b")
		mustIdle(t, f, false)
		mustDone(t, f, "b")
		mustIdle(t, f, true)
		// Done and Retry of a URL that is not in flight change nothing.
		mustDone(t, f, "b")
		mustDone(t, f, "never-pushed")
		if err := f.Retry(ctx, "b", 0); err != nil {
			t.Fatal(err)
		}
		if err := f.Retry(ctx, "never-pushed", 0); err != nil {
			t.Fatal(err)
		}
		mustIdle(t, f, true)
		mustEmpty(t, f)
	})
	t.Run("RetryDelay", func(t *testing.T) {
		ctx := context.Background()
		const delay = 250 * time.Millisecond
		f := h.fresh(t, longLease)()
		mustPush(t, f, "a", true)
		mustPush(t, f, "b", true)
		mustPop(t, f, "a")
		start := time.Now()
		if err := f.Retry(ctx, "a", delay); err != nil {
			t.Fatal(err)
		}
		mustIdle(t, f, false)
		mustPush(t, f, "a", false) // a retry is not a new push
		mustPop(t, f, "b")         // a is not due yet
		mustDone(t, f, "b")
		mustEmpty(t, f)
		mustIdle(t, f, false) // a is waiting for its retry: not idle
		got := popWithin(t, f, 3*time.Second)
		if elapsed := time.Since(start); elapsed < delay-5*time.Millisecond {
			t.Errorf("retried URL handed out after %v, want >= %v", elapsed, delay)
		}
		if got != "a" {
			t.Fatalf("Pop after retry = %q, want a", got)
		}
		mustEmpty(t, f) // handed out once, not twice
		mustDone(t, f, "a")
		mustIdle(t, f, true)
		// Retry with no delay: at once, and before what was queued already.
		mustPush(t, f, "c", true)
		mustPush(t, f, "d", true)
		mustPop(t, f, "c")
		if err := f.Retry(ctx, "c", 0); err != nil {
			t.Fatal(err)
		}
		mustPop(t, f, "c")
		mustPop(t, f, "d")
		mustDone(t, f, "c")
		mustDone(t, f, "d")
		mustIdle(t, f, true)
	})
	t.Run("CanceledContext", func(t *testing.T) {
		f := h.fresh(t, longLease)()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.Push(ctx, "a"); !errors.Is(err, context.Canceled) {
			t.Errorf("Push with a canceled context: %v, want context.Canceled", err)
		}
		if _, _, err := f.Pop(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Pop with a canceled context: %v, want context.Canceled", err)
		}
		if _, err := f.Idle(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Idle with a canceled context: %v, want context.Canceled", err)
		}
	})
	t.Run("ConcurrentPushDedup", func(t *testing.T) {
		const workers, urls = 8, 200
		open := h.fresh(t, longLease)
		var mu sync.Mutex
		added := make(map[string]int)
		var wg sync.WaitGroup
		for w := range workers {
			f := open()
			wg.Go(func() {
				for i := range urls {
					u := fmt.Sprint("u", (i+w*7)%urls) // different orders
					ok, err := f.Push(context.Background(), u)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						added[u]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		for i := range urls {
			if u := fmt.Sprint("u", i); added[u] != 1 {
				t.Errorf("%s: added=true %d times, want 1", u, added[u])
			}
		}
		f := open()
		seen := make(map[string]bool)
		for range urls {
			u := popWithin(t, f, time.Second)
			if seen[u] {
				t.Fatalf("%s handed out twice", u)
			}
			seen[u] = true
		}
		mustEmpty(t, f)
	})
	t.Run("Crawl4Workers", func(t *testing.T) {
		crawlGraph(t, h.fresh(t, 5*time.Second), crawlSpec{workers: 4, pages: 300})
	})
	if !h.leases {
		return
	}
	t.Run("LeaseExpiry", func(t *testing.T) {
		const lease = 300 * time.Millisecond
		open := h.fresh(t, lease)
		dead, live := open(), open()
		mustPush(t, live, "a", true)
		mustPush(t, live, "b", true)
		start := time.Now()
		mustPop(t, dead, "a") // and the worker dies
		mustPop(t, live, "b")
		mustDone(t, live, "b")
		mustEmpty(t, live)
		mustIdle(t, live, false) // a is still in flight
		got := popWithin(t, live, 3*time.Second)
		if elapsed := time.Since(start); elapsed < lease-5*time.Millisecond {
			t.Errorf("expired URL handed out again after %v, want >= lease %v", elapsed, lease)
		}
		if got != "a" {
			t.Fatalf("Pop after lease = %q, want a (b was done and must not come back)", got)
		}
		mustEmpty(t, live)
		mustDone(t, live, "a")
		mustIdle(t, live, true)
		time.Sleep(lease + 50*time.Millisecond)
		mustEmpty(t, live) // done URLs never come back
		mustIdle(t, live, true)
	})
	t.Run("CrawlWithDeadWorker", func(t *testing.T) {
		crawlGraph(t, h.fresh(t, 300*time.Millisecond), crawlSpec{workers: 3, pages: 80, deadWorker: true})
	})
}

func mustPush(t *testing.T, f frontier.Frontier, url string, want bool) {
	t.Helper()
	added, err := f.Push(context.Background(), url)
	if err != nil {
		t.Fatalf("Push(%q): %v", url, err)
	}
	if added != want {
		t.Fatalf("Push(%q) added = %v, want %v", url, added, want)
	}
}

func mustPop(t *testing.T, f frontier.Frontier, want string) {
	t.Helper()
	got, ok, err := f.Pop(context.Background())
	if err != nil {
		t.Fatalf("Pop: %v", err)
	}
	if !ok || got != want {
		t.Fatalf("Pop = %q, %v; want %q, true", got, ok, want)
	}
}

func mustEmpty(t *testing.T, f frontier.Frontier) {
	t.Helper()
	got, ok, err := f.Pop(context.Background())
	if err != nil {
		t.Fatalf("Pop: %v", err)
	}
	if ok {
		t.Fatalf("Pop = %q, want nothing", got)
	}
}

func mustDone(t *testing.T, f frontier.Frontier, url string) {
	t.Helper()
	if err := f.Done(context.Background(), url); err != nil {
		t.Fatalf("Done(%q): %v", url, err)
	}
}

func mustIdle(t *testing.T, f frontier.Frontier, want bool) {
	t.Helper()
	got, err := f.Idle(context.Background())
	if err != nil {
		t.Fatalf("Idle: %v", err)
	}
	if got != want {
		t.Fatalf("Idle = %v, want %v", got, want)
	}
}

// popWithin polls Pop until it hands out a URL.
func popWithin(t *testing.T, f frontier.Frontier, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		u, ok, err := f.Pop(context.Background())
		if err != nil {
			t.Fatalf("Pop: %v", err)
		}
		if ok {
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pop handed out nothing within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
