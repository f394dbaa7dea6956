package crawler

import (
	"context"

	"github.com/semak/semak/crawler/frontier"
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

// NewMemFrontier returns an empty in-process Frontier: crawler/frontier's
// memory implementation (the one its conformance suite checks beside the
// Redis one) behind the Shared adapter.
func NewMemFrontier() Frontier { return Shared(frontier.NewMemory()) }

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
