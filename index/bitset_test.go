package index

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBitset checks next and each against a plain set, and not's trim,
// over sizes around word boundaries.
func TestBitset(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000} {
		for _, density := range []int{0, 1, 10, 90, 100} {
			b := newBitset(n)
			in := make([]bool, n)
			for d := range n {
				if r.IntN(100) < density {
					b.set(uint32(d))
					in[d] = true
				}
			}
			var got []uint32
			b.each(func(d uint32) { got = append(got, d) })
			var want []uint32
			for d := range n {
				if in[d] {
					want = append(want, uint32(d))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("n=%d: each gave %d members, want %d", n, len(got), len(want))
			}
			for from := 0; from <= n+1; from++ {
				w, wok := uint32(0), false
				for d := from; d < n; d++ {
					if in[d] {
						w, wok = uint32(d), true
						break
					}
				}
				if g, gok := b.next(uint32(from)); g != w || gok != wok {
					t.Fatalf("n=%d next(%d) = %d %v, want %d %v", n, from, g, gok, w, wok)
				}
			}
			b.not(n)
			for d := range n {
				if b.has(uint32(d)) == in[d] {
					t.Fatalf("n=%d: not left %d", n, d)
				}
			}
			if n%64 != 0 && n > 0 && b[len(b)-1]>>(n%64) != 0 {
				t.Fatalf("n=%d: not set bits past the end", n)
			}
		}
	}
}

// TestBetween checks the branch-free range test against the plain one,
// extremes and noValue included, for lengths around a word's 64 bits.
func TestBetween(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, 1_000_000, math.MaxInt64 - 1, math.MaxInt64}
	pick := func() int64 {
		if r.IntN(3) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return r.Int64N(2_000_000) - 500_000
	}
	for _, n := range []int{0, 1, 63, 64, 65, 200} {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = pick()
		}
		for range 200 {
			lo, hi := pick(), pick()
			got := between(vals, lo, hi)
			for d, v := range vals {
				if want := lo <= v && v < hi; got.has(uint32(d)) != want {
					t.Fatalf("n %d, [%d, %d): value %d gives %v", n, lo, hi, v, !want)
				}
			}
			if n > 0 && len(got) != (n+63)/64 {
				t.Fatalf("n %d: %d words", n, len(got))
			}
			for d := n; d < 64*len(got); d++ {
				if got.has(uint32(d)) {
					t.Fatalf("n %d: bit %d past the end is set", n, d)
				}
			}
		}
	}
}
