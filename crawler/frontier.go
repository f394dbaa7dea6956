package crawler

import "context"

// Frontier is the crawl queue and visited set the crawler needs;
// crawler/frontier has the implementations (in memory, and Redis for
// several crawler processes sharing one), checked by one conformance
// suite. The contract that makes sharing safe:
//
//   - Push adds url only if it was never pushed before (atomic
//     set-if-absent on the visited set), so no URL is fetched twice; added
//     says whether it was new.
//   - Pop hands out a queued url (ok false when the queue is empty right
//     now). A popped url stays in flight until Done.
//   - Idle says nothing is queued or in flight anywhere. A worker quits
//     only when Pop finds nothing and the frontier is idle, so nobody quits
//     while another worker, in this process or another, may still push new
//     work.
//   - Claim records owner under key unless a claim exists (atomic
//     set-if-absent) and returns the owner recorded first and whether this
//     call recorded it. A new post is claimed by site and body hash, so
//     processes that find one post at two URLs publish it once.
type Frontier interface {
	Push(ctx context.Context, url string) (added bool, err error)
	Pop(ctx context.Context) (url string, ok bool, err error)
	Done(ctx context.Context, url string) error
	Idle(ctx context.Context) (bool, error)
	Claim(ctx context.Context, key, owner string) (first string, won bool, err error)
}
