package frontier

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultLease is the lease NewRedis uses when given a lease <= 0.
const DefaultLease = 10 * time.Minute

// reapBatch bounds how many expired leases and how many due retries one Pop
// moves back into the queue, so that one script never runs for long.
const reapBatch = 1000

// nowMs is shared by the scripts: the Redis server's clock in milliseconds.
// Redis >= 5 replicates script effects, so TIME is allowed before writes;
// replicate_commands is a no-op on Redis 7 and required on older servers.
const nowMs = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// KEYS[1] visited, KEYS[2] queue; ARGV[1] url.
var pushScript = redis.NewScript(`
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
	redis.call('LPUSH', KEYS[2], ARGV[1])
	return 1
end
return 0
`)

// KEYS[1] queue, KEYS[2] inflight, KEYS[3] delayed; ARGV[1] lease ms,
// ARGV[2] reap batch.
var popScript = redis.NewScript(nowMs + `
local batch = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, batch)
for _, u in ipairs(expired) do
	redis.call('ZREM', KEYS[2], u)
	redis.call('RPUSH', KEYS[1], u)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, batch)
for _, u in ipairs(due) do
	redis.call('ZREM', KEYS[3], u)
	redis.call('RPUSH', KEYS[1], u)
end
local u = redis.call('RPOP', KEYS[1])
if not u then
	return false
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), u)
return u
`)

// KEYS[1] inflight, KEYS[2] delayed; ARGV[1] url, ARGV[2] delay ms.
var retryScript = redis.NewScript(nowMs + `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
	redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
	return 1
end
return 0
`)

// KEYS[1] queue, KEYS[2] inflight, KEYS[3] delayed.
var idleScript = redis.NewScript(`
return redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
`)

// KEYS[1] claims; ARGV[1] key, ARGV[2] owner. Returns {won, first owner}.
var claimScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
	return {1, ARGV[2]}
end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}
`)

type redisFrontier struct {
	c                                         *redis.Client
	visited, queue, inflight, delayed, claims string
	leaseMs                                   int64
}

// NewRedis returns a Frontier kept in Redis under the keys
// "semak:frontier:<namespace>:{visited,queue,inflight,delayed,claims}", shared by
// every process that uses the same server and namespace. A URL popped by a
// worker that then neither calls Done nor Retry (it died) is handed out again
// by a Pop after lease has passed; lease <= 0 means DefaultLease. See the
// package documentation for the scripts and the choice of lease.
func NewRedis(c *redis.Client, namespace string, lease time.Duration) Frontier {
	if lease <= 0 {
		lease = DefaultLease
	}
	p := "semak:frontier:" + namespace + ":"
	return &redisFrontier{
		c:        c,
		visited:  p + "visited",
		queue:    p + "queue",
		inflight: p + "inflight",
		delayed:  p + "delayed",
		claims:   p + "claims",
		leaseMs:  max(lease.Milliseconds(), 1),
	}
}

func (r *redisFrontier) Push(ctx context.Context, url string) (bool, error) {
	if url == "" {
		return false, ErrEmptyURL
	}
	n, err := pushScript.Run(ctx, r.c, []string{r.visited, r.queue}, url).Int64()
	if err != nil {
		return false, fmt.Errorf("frontier: push: %w", err)
	}
	return n == 1, nil
}

func (r *redisFrontier) Pop(ctx context.Context) (string, bool, error) {
	url, err := popScript.Run(ctx, r.c, []string{r.queue, r.inflight, r.delayed}, r.leaseMs, reapBatch).Text()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("frontier: pop: %w", err)
	}
	return url, true, nil
}

func (r *redisFrontier) Done(ctx context.Context, url string) error {
	if err := r.c.ZRem(ctx, r.inflight, url).Err(); err != nil {
		return fmt.Errorf("frontier: done: %w", err)
	}
	return nil
}

func (r *redisFrontier) Retry(ctx context.Context, url string, after time.Duration) error {
	var ms int64 // rounded up: never earlier than after
	if after > 0 {
		ms = int64((after + time.Millisecond - 1) / time.Millisecond)
	}
	if err := retryScript.Run(ctx, r.c, []string{r.inflight, r.delayed}, url, ms).Err(); err != nil {
		return fmt.Errorf("frontier: retry: %w", err)
	}
	return nil
}

func (r *redisFrontier) Idle(ctx context.Context) (bool, error) {
	n, err := idleScript.Run(ctx, r.c, []string{r.queue, r.inflight, r.delayed}).Int64()
	if err != nil {
		return false, fmt.Errorf("frontier: idle: %w", err)
	}
	return n == 0, nil
}

func (r *redisFrontier) Claim(ctx context.Context, key, owner string) (string, bool, error) {
	if key == "" {
		return "", false, ErrEmptyKey
	}
	res, err := claimScript.Run(ctx, r.c, []string{r.claims}, key, owner).Slice()
	if err != nil {
		return "", false, fmt.Errorf("frontier: claim: %w", err)
	}
	if len(res) != 2 {
		return "", false, fmt.Errorf("frontier: claim: unexpected reply %v", res)
	}
	won, _ := res[0].(int64)
	first, _ := res[1].(string)
	return first, won == 1, nil
}
