package frontier_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/semak/semak/crawler/frontier"
	"github.com/semak/semak/internal/redistest"
)

func TestMemory(t *testing.T) {
	frontiertest(t, harness{
		fresh: func(t *testing.T, _ time.Duration) opener {
			f := frontier.NewMemory()
			return func() frontier.Frontier { return f }
		},
	})
}

// redisFresh returns, for each call, an opener on a new namespace of the
// server at addr; every handle it opens has its own client.
func redisFresh(addr string) func(t *testing.T, lease time.Duration) opener {
	var seq atomic.Int64
	return func(t *testing.T, lease time.Duration) opener {
		ns := fmt.Sprintf("test%d", seq.Add(1))
		return func() frontier.Frontier {
			return frontier.NewRedis(newClient(t, addr), ns, lease)
		}
	}
}

func newClient(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestRedis(t *testing.T) {
	addr := redistest.Start(t)
	frontiertest(t, harness{fresh: redisFresh(addr), leases: true})
}

// TestRedisKeys checks the documented key layout and that namespaces do
// not see each other.
func TestRedisKeys(t *testing.T) {
	addr := redistest.Start(t)
	ctx := context.Background()
	c := newClient(t, addr)
	a := frontier.NewRedis(c, "a", time.Minute)
	b := frontier.NewRedis(c, "b", time.Minute)
	mustPush(t, a, "u1", true)
	mustPush(t, a, "u2", true)
	mustPush(t, b, "u1", true) // another crawl: not seen there
	mustPop(t, a, "u1")
	mustPop(t, a, "u2")
	if err := a.Retry(ctx, "u2", time.Hour); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	want := []string{
		"semak:frontier:a:delayed", "semak:frontier:a:inflight", "semak:frontier:a:visited",
		"semak:frontier:b:queue", "semak:frontier:b:visited",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %q, want %q", keys, want)
	}
	if n := c.ZScore(ctx, "semak:frontier:a:inflight", "u1").Val(); n == 0 {
		t.Error("u1 has no lease deadline in the in-flight ZSET")
	}
	mustIdle(t, b, false)
	mustPop(t, b, "u1")
	mustEmpty(t, b)
}
