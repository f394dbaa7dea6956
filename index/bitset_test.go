package index

import (
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
