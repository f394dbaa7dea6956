package crawler

import (
	"context"
	"sync"
)

// Frontier is the crawl queue and visited set the crawler needs. Several
// crawler processes may share one (the Redis implementation in
// crawler/frontier); the contract that makes that safe:
//
//   - Push adds url only if it was never pushed before (atomic
//     set-if-absent on the visited set), so no URL is fetched twice; added
//     says whether it was new.
//   - Pop hands out a queued url (ok false when the queue is empty right
//     now). A popped url stays pending until Done.
//   - Pending counts queued plus popped-but-not-Done urls. A worker quits
//     only when Pop finds nothing and Pending is 0, so nobody quits while
//     another worker may still push new work.
//   - Claim records owner under key unless a claim exists (atomic
//     set-if-absent) and returns the owner recorded first and whether this
//     call recorded it. A new post is claimed by site and body hash, so
//     processes that find one post at two URLs publish it once.
type Frontier interface {
	Push(ctx context.Context, url string) (added bool, err error)
	Pop(ctx context.Context) (url string, ok bool, err error)
	Done(ctx context.Context, url string) error
	Pending(ctx context.Context) (int, error)
	Claim(ctx context.Context, key, owner string) (first string, won bool, err error)
}

// MemFrontier is the in-process Frontier: a FIFO queue, a visited set and
// a claims map.
type MemFrontier struct {
	mu       sync.Mutex
	seen     map[string]bool
	queue    []string
	inFlight map[string]int
	claims   map[string]string
}

// NewMemFrontier returns an empty in-memory frontier.
func NewMemFrontier() *MemFrontier {
	return &MemFrontier{seen: map[string]bool{}, inFlight: map[string]int{}, claims: map[string]string{}}
}

// Claim records owner under key unless key is claimed.
func (f *MemFrontier) Claim(_ context.Context, key, owner string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if first, ok := f.claims[key]; ok {
		return first, false, nil
	}
	f.claims[key] = owner
	return owner, true, nil
}

// Push queues url unless it was pushed before.
func (f *MemFrontier) Push(_ context.Context, url string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen[url] {
		return false, nil
	}
	f.seen[url] = true
	f.queue = append(f.queue, url)
	return true, nil
}

// Pop takes the oldest queued url.
func (f *MemFrontier) Pop(_ context.Context) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return "", false, nil
	}
	u := f.queue[0]
	f.queue = f.queue[1:]
	f.inFlight[u]++
	return u, true, nil
}

// Done marks a popped url finished.
func (f *MemFrontier) Done(_ context.Context, url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inFlight[url] > 1 {
		f.inFlight[url]--
	} else {
		delete(f.inFlight, url)
	}
	return nil
}

// Pending counts queued and in-flight urls.
func (f *MemFrontier) Pending(_ context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.queue)
	for _, c := range f.inFlight {
		n += c
	}
	return n, nil
}

// SharedFrontier is what a frontier shared by several crawl processes
// offers (crawler/frontier's Redis one): it cannot count what others hold,
// only say whether anything is queued or in flight anywhere.
type SharedFrontier interface {
	Push(ctx context.Context, url string) (added bool, err error)
	Pop(ctx context.Context) (url string, ok bool, err error)
	Done(ctx context.Context, url string) error
	Idle(ctx context.Context) (bool, error)
	Claim(ctx context.Context, key, owner string) (first string, won bool, err error)
}

// Shared adapts a SharedFrontier to Frontier: Pending is 1 while the
// shared frontier is not idle, so a worker waits for work other processes
// may still add, and stops only when nothing is queued or in flight
// anywhere.
func Shared(f SharedFrontier) Frontier { return shared{f} }

type shared struct{ SharedFrontier }

func (s shared) Pending(ctx context.Context) (int, error) {
	idle, err := s.Idle(ctx)
	if err != nil || idle {
		return 0, err
	}
	return 1, nil
}
