// Package frontier is the crawl queue shared by crawler workers: which URLs
// are still to be fetched, which are being fetched right now, and which were
// ever seen. It is used by the crawler root package through its Frontier
// interface (the types here satisfy it structurally; this package imports
// neither the crawler root nor colly, only the standard library and
// go-redis).
//
// # Guarantees
//
//   - Push is an atomic set-if-absent on the visited set: among any number of
//     workers (goroutines or processes) pushing the same URL at once, exactly
//     one gets added=true and the URL is queued once, ever, per namespace.
//   - Pop hands a queued URL to exactly one worker and records it as in
//     flight. The URL leaves the in-flight set through Done (finished, success
//     or final failure) or Retry (transient failure: requeued not before the
//     given delay, without touching the visited set).
//   - Idle is true only when nothing is queued, nothing is waiting for a retry
//     delay and nothing is in flight anywhere. An empty Pop is NOT the end of
//     the crawl (colly's queue stops there, which makes a worker quit while
//     another one is about to push new links): a worker that gets ok=false
//     from Pop must ask Idle and, if it is false, wait a little and Pop again.
//
// # Memory
//
// NewMemory is an in-process frontier (a mutex around a slice, two maps and
// the retry list) for a single `semak crawl` process and for tests. It has no
// lease: goroutines of one process do not die separately.
//
// # Redis
//
// NewRedis keeps the state of one crawl namespace in four keys:
//
//	semak:frontier:<namespace>:visited   SET   every URL ever pushed
//	semak:frontier:<namespace>:queue     LIST  URLs to fetch (LPUSH in, RPOP out: FIFO)
//	semak:frontier:<namespace>:inflight  ZSET  URL -> lease deadline (ms, Redis clock)
//	semak:frontier:<namespace>:delayed   ZSET  URL -> retry due time (ms, Redis clock)
//
// Every operation is one Lua script (EVALSHA, falling back to EVAL) or, for
// Done, one command, so Redis runs it atomically with respect to all other
// clients:
//
//   - Push: SADD visited; only when SADD returned 1, LPUSH queue.
//   - Pop: first reap — in-flight URLs whose lease deadline has passed (their
//     worker died or hung) and delayed URLs that are due go back to the pop
//     end of the queue — then RPOP queue and ZADD inflight with deadline
//     now+lease.
//   - Done: ZREM inflight.
//   - Retry: ZREM inflight and, only if the URL was in flight, ZADD delayed
//     with due time now+after.
//   - Idle: LLEN queue + ZCARD inflight + ZCARD delayed == 0.
//
// Times come from the Redis server's TIME inside the scripts, so the clocks
// of the worker machines do not matter. Reaping happens only inside Pop;
// nothing runs in the background.
//
// The lease must be longer than the longest time a worker holds a URL (one
// fetch attempt, including Tor's 60–120 s timeouts and the extraction), or a
// slow but live worker's URL is handed out a second time. Done and Retry name
// the URL, not a lease token, so they cannot tell the first holder from the
// second: after such an expiry the first Done ends the in-flight record.
//
// The keys of one namespace are plain keys, not hash-tagged: the frontier
// takes a *redis.Client (one server), not a cluster client.
//
// # Why not gocolly/redisstorage
//
// github.com/gocolly/redisstorage is not served by the module proxy here, and
// its visited check is a check-then-set (IsVisited, then Visited, as two
// commands), so two processes can both see a URL as new and both fetch it. It
// also backs colly's queue, which ends a run as soon as its store is empty,
// even while another process is still fetching a page that will add links.
package frontier
