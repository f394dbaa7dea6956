package frontier

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Frontier is the crawl queue shared by workers: a URL is handed out to
// exactly one worker, ever (per crawl namespace), and the crawl is over only
// when no URL is queued AND none is in flight anywhere.
//
// The crawler root package's Frontier is a subset of it (no Retry: the
// crawler retries within a fetch), so both implementations here serve the
// crawler as they are.
type Frontier interface {
	// Push is an atomic set-if-absent on the visited set: added is false
	// when the URL was ever pushed before.
	Push(ctx context.Context, url string) (added bool, err error)
	// Pop hands out one queued URL and marks it in flight. ok is false when
	// nothing is queued right now; the caller then checks Idle.
	Pop(ctx context.Context) (url string, ok bool, err error)
	// Done records that the worker finished url (success or final failure).
	Done(ctx context.Context, url string) error
	// Retry requeues a URL that failed transiently, not before after. It
	// does not count as a new push.
	Retry(ctx context.Context, url string, after time.Duration) error
	// Idle reports that nothing is queued, waiting for a retry or in
	// flight: workers may stop.
	Idle(ctx context.Context) (bool, error)
	// Claim is an atomic set-if-absent on a claims map: it records owner
	// under key unless a claim exists, and returns the owner recorded
	// first and whether this call recorded it. The crawler claims each
	// post it finds (by site and body hash), so that processes that find
	// one post at two URLs publish it once.
	Claim(ctx context.Context, key, owner string) (first string, won bool, err error)
}

// ErrEmptyURL is returned by Push for an empty URL.
var ErrEmptyURL = errors.New("frontier: empty URL")

// ErrEmptyKey is returned by Claim for an empty key.
var ErrEmptyKey = errors.New("frontier: empty claim key")

// NewMemory returns an in-process Frontier, safe for concurrent use by the
// goroutines of one process. It has no lease: an in-flight URL stays in
// flight until Done or Retry.
func NewMemory() Frontier {
	return &memory{
		visited:  make(map[string]struct{}),
		inflight: make(map[string]struct{}),
		claims:   make(map[string]string),
		now:      time.Now,
	}
}

type delayedURL struct {
	url string
	due time.Time
}

type memory struct {
	mu       sync.Mutex
	visited  map[string]struct{}
	queue    []string // FIFO: pop from the front
	inflight map[string]struct{}
	delayed  []delayedURL // unordered; small
	claims   map[string]string
	now      func() time.Time
}

func (m *memory) Push(ctx context.Context, url string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if url == "" {
		return false, ErrEmptyURL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, seen := m.visited[url]; seen {
		return false, nil
	}
	m.visited[url] = struct{}{}
	m.queue = append(m.queue, url)
	return true, nil
}

func (m *memory) Pop(ctx context.Context) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Due retries go to the front: they are older than anything queued.
	now := m.now()
	kept := m.delayed[:0]
	var due []string
	for _, d := range m.delayed {
		if !d.due.After(now) {
			due = append(due, d.url)
		} else {
			kept = append(kept, d)
		}
	}
	clear(m.delayed[len(kept):])
	m.delayed = kept
	if len(due) > 0 {
		m.queue = append(due, m.queue...)
	}
	if len(m.queue) == 0 {
		m.queue = nil // let the backing array go
		return "", false, nil
	}
	url := m.queue[0]
	m.queue[0] = ""
	m.queue = m.queue[1:]
	m.inflight[url] = struct{}{}
	return url, true, nil
}

func (m *memory) Done(ctx context.Context, url string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.inflight, url)
	return nil
}

func (m *memory) Retry(ctx context.Context, url string, after time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	after = max(after, 0)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.inflight[url]; !ok {
		return nil // not ours (never popped, already done or retried)
	}
	delete(m.inflight, url)
	m.delayed = append(m.delayed, delayedURL{url: url, due: m.now().Add(after)})
	return nil
}

func (m *memory) Idle(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.queue) == 0 && len(m.inflight) == 0 && len(m.delayed) == 0, nil
}

func (m *memory) Claim(ctx context.Context, key, owner string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	if key == "" {
		return "", false, ErrEmptyKey
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if first, ok := m.claims[key]; ok {
		return first, false, nil
	}
	m.claims[key] = owner
	return owner, true, nil
}
