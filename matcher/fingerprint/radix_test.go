package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestColumn checks that a column keeps what was added, in order, across
// chunk boundaries (the growing chunks and the fixed-size ones after them).
func TestColumn(t *testing.T) {
	var c column[uint64]
	const n = 300_000
	for i := range n {
		c.add(uint64(i) * 7)
		if c.len() != i+1 {
			t.Fatalf("len %d after %d adds", c.len(), i+1)
		}
	}
	i := 0
	for _, ch := range c.chunks() {
		for _, v := range ch {
			if v != uint64(i)*7 {
				t.Fatalf("chunks: element %d is %d", i, v)
			}
			i++
		}
	}
	if i != n {
		t.Fatalf("chunks hold %d elements, want %d", i, n)
	}
	for i := 0; i < n; i += 997 {
		if v := at(t, &c, i); v != uint64(i)*7 {
			t.Fatalf("at(%d) = %d", i, v)
		}
	}
}

// TestSortKeys sorts bucketed keys and anchors of several shapes and
// compares with slices.Sort: keys sorted without repeats, anchors sorted
// with the first row of each fingerprint kept.
func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	kinds := map[string]func() uint64{
		"uniform":    func() uint64 { return 1 + r.Uint64N(maxFP) },
		"few values": func() uint64 { return 1 + r.Uint64N(3)<<40 },
		"low bits":   func() uint64 { return 1 + r.Uint64N(1000) },
		"one value":  func() uint64 { return 12345 },
		"top digit":  func() uint64 { return 1 + r.Uint64N(200)<<40 + 77 },
		"repeats":    func() uint64 { return 1 + r.Uint64N(5000)*0x9e3779b97f4a&maxFP },
	}
	var s sorter // reused: scratch from one sort must not leak into the next
	for name, gen := range kinds {
		for _, n := range []int{0, 1, 2, 255, 256, 1000, 70_000, 250_000} {
			var keys bucketed[lowKey]
			var anchors bucketed[anchorEntry]
			var want []uint64
			for i := range n {
				v := gen()
				keys.add(v, packLow(v))
				anchors.add(v, anchorEntry{v, NameFilter{byte(i), byte(i >> 8), byte(i >> 16), 1}})
				want = append(want, v)
			}
			all := slices.Clone(want)
			slices.Sort(want)
			want = slices.Compact(want)
			if got := s.sortKeys(&keys); got != len(want) || keys.n != len(want) {
				t.Errorf("%s, n=%d: %d keys kept (n=%d), want %d", name, n, got, keys.n, len(want))
			}
			var got []uint64
			for d, ch := range keys.all {
				for _, l := range ch {
					got = append(got, l.key(d))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, n=%d: not sorted like slices.Sort", name, n)
			}
			kept, dups := s.sortAnchors(&anchors)
			if kept != len(want) || dups != n-len(want) || anchors.n != kept {
				t.Errorf("%s, n=%d: anchors kept %d, dropped %d; want %d, %d", name, n, kept, dups, len(want), n-len(want))
			}
			first := map[uint64]int{}
			for i, v := range all {
				if _, ok := first[v]; !ok {
					first[v] = i
				}
			}
			i := 0
			for _, ch := range anchors.all {
				for _, e := range ch {
					if i >= len(want) || e.fp != want[i] {
						t.Fatalf("%s, n=%d: anchors not sorted like slices.Sort at %d", name, n, i)
					}
					row := int(e.name[0]) | int(e.name[1])<<8 | int(e.name[2])<<16
					if row != first[e.fp] || e.name[3] != 1 {
						t.Fatalf("%s, n=%d: entry %d has the name filter of row %d, want the first row with it, %d", name, n, i, row, first[e.fp])
					}
					i++
				}
			}
		}
	}
}

// at returns element i of c, walking its chunks, after checking that
// chunk k holds 2^(4+k) elements up to 2^13.
func at[T any](t *testing.T, c *column[T], i int) T {
	for k, ch := range c.chunks() {
		if size := 1 << min(firstChunkBits+k, lastChunkBits); cap(ch) != size {
			t.Fatalf("chunk %d holds %d elements, want %d", k, cap(ch), size)
		}
		if i < len(ch) {
			return ch[i]
		}
		i -= len(ch)
	}
	t.Fatalf("at: index past the end")
	panic("unreachable")
}
