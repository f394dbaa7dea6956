package fingerprint

import (
	"math/bits"
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
	for i := range n {
		if v := at(&c, i); v != uint64(i)*7 {
			t.Fatalf("at(%d) = %d", i, v)
		}
	}
}

func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	kinds := map[string]func() uint64{
		"uniform":    func() uint64 { return 1 + r.Uint64N(maxFP) },
		"few values": func() uint64 { return 1 + r.Uint64N(3)<<40 },
		"low bits":   func() uint64 { return 1 + r.Uint64N(1000) },
		"one value":  func() uint64 { return 12345 },
		"top digit":  func() uint64 { return 1 + r.Uint64N(200)<<40 + 77 },
	}
	var buf []uint64
	for name, gen := range kinds {
		for _, n := range []int{0, 1, 2, 255, 256, 1000, 70_000, 250_000} {
			var c column[uint64]
			var want []uint64
			for range n {
				v := gen()
				c.add(v)
				want = append(want, v)
			}
			slices.Sort(want)
			got := sortKeys(c.chunks(), c.len(), buf)
			if !slices.Equal(got, want) {
				t.Errorf("%s, n=%d: not sorted like slices.Sort", name, n)
			}
			buf = got[:0] // reused: the next sort overwrites it
			var names column[NameFilter]
			for i := range n {
				names.add(NameFilter{byte(i), byte(i >> 8), byte(i >> 16), 1})
			}
			anchors := sortAnchors(&c, &names)
			seen := make([]bool, n)
			for i, e := range anchors {
				if e.fp != want[i] {
					t.Fatalf("%s, n=%d: anchors not sorted like slices.Sort at %d", name, n, i)
				}
				row := int(e.name[0]) | int(e.name[1])<<8 | int(e.name[2])<<16
				if at(&c, row) != e.fp || seen[row] || e.name[3] != 1 {
					t.Fatalf("%s, n=%d: entry %d has the name filter of row %d", name, n, i, row)
				}
				seen[row] = true
				if i > 0 && e.fp == anchors[i-1].fp && row < int(anchors[i-1].name[0])|int(anchors[i-1].name[1])<<8|int(anchors[i-1].name[2])<<16 {
					t.Fatalf("%s, n=%d: not stable at %d", name, n, i)
				}
			}
		}
	}
}

// at returns element i of c: chunk 0 and 1 hold 2^10 elements, chunk
// k < 7 holds 2^(9+k), every later chunk 2^16.
func at[T any](c *column[T], i int) T {
	var k, off int
	switch {
	case i < 1<<firstChunkBits:
		k, off = 0, i
	case i < 1<<lastChunkBits:
		k = bits.Len(uint(i) >> firstChunkBits)
		off = i - 1<<(firstChunkBits-1+k)
	default:
		k, off = chunkSteps-1+i>>lastChunkBits, i&(1<<lastChunkBits-1)
	}
	if k < len(c.full) {
		return c.full[k][off]
	}
	return c.cur[off]
}
