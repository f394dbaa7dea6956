package fingerprint

import "math/bits"

// column is an append-only sequence kept in chunks, so growing it never
// copies what it holds (a 10M-row load used to spend a tenth of its time
// in append copying the Writer's slices). Chunk 0 and 1 hold 2^10
// elements, chunk k < 7 holds 2^(9+k), every later chunk 2^16: small
// snapshots stay small.
type column[T any] struct {
	full [][]T // the full chunks, in order
	cur  []T   // the chunk being filled
	n    int   // elements in full
}

const (
	firstChunkBits = 10
	lastChunkBits  = 16
	// chunkSteps is the index of the first chunk of the maximum size.
	chunkSteps = lastChunkBits - firstChunkBits + 1
)

func (c *column[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		c.grow()
	}
	c.cur = append(c.cur, v)
}

func (c *column[T]) grow() {
	if c.cur != nil {
		c.full = append(c.full, c.cur)
		c.n += len(c.cur)
	}
	k := len(c.full)
	size := 1 << firstChunkBits
	if k > 0 {
		size = 1 << (firstChunkBits - 1 + min(k, chunkSteps))
	}
	c.cur = make([]T, 0, size)
}

// len is the number of elements added.
func (c *column[T]) len() int { return c.n + len(c.cur) }

// chunks returns the chunks in order; the last may be partly filled.
func (c *column[T]) chunks() [][]T {
	if c.cur == nil {
		return c.full
	}
	return append(c.full[:len(c.full):len(c.full)], c.cur)
}

// Radix sorting. Fingerprints are 48-bit keys, sorted in linear time by a
// most-significant-digit radix sort: one pass scatters them by their top 8
// bits into 256 buckets; each bucket, small enough to stay in the CPU
// cache (4k keys of a million, 40k of ten million), is scattered again by
// as many of the next bits as leave about 4 keys a sub-bucket, and those
// are finished by insertion sort. A level whose digit is the same for
// every key moves nothing (a field of few values). That is about five
// times faster than pdqsort on a million keys and more on ten million; a
// least-significant-digit sort, six passes through memory, or five within
// each bucket, is half as fast again. Every pass is stable, which the
// anchor section relies on: the first row of a duplicated anchor keeps
// its name filter.
const (
	topBits   = 8
	topShift  = Bits - topBits
	topSize   = 1 << topBits
	lowMaxDig = 14 // the widest digit below the top one
	lowMinDig = 4
	// insertionMax is the bucket size up to which insertion sort is
	// faster than another counting pass.
	insertionMax = 32
)

// buckets returns the start of every top-digit bucket of keys held in
// chunks, and the end of the last.
func buckets(chunks [][]uint64) *[topSize + 1]int {
	var b [topSize + 1]int
	for _, c := range chunks {
		for _, v := range c {
			b[v>>topShift+1]++
		}
	}
	for d := 1; d <= topSize; d++ {
		b[d] += b[d-1]
	}
	return &b
}

// grab returns a slice of length n, buf's storage when it is big enough.
func grab(buf []uint64, n int) []uint64 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]uint64, n)
}

// sortKeys sorts the keys (each < 2^48) held in chunks, n in all, and
// returns them in one slice, buf's storage when it is big enough. The
// chunks are not changed.
func sortKeys(chunks [][]uint64, n int, buf []uint64) []uint64 {
	a := grab(buf, n)
	if n == 0 {
		return a
	}
	start := buckets(chunks)
	off := *start
	for _, c := range chunks {
		for _, v := range c {
			d := v >> topShift
			a[off[d]] = v
			off[d]++
		}
	}
	// Scratch for one bucket at a time: it stays in the cache, and a
	// section's worth of memory need not be found (and faulted in).
	most := 0
	for d := range topSize {
		most = max(most, start[d+1]-start[d])
	}
	b := make([]uint64, most)
	var cs counts
	for d := range topSize {
		lo, hi := start[d], start[d+1]
		sortLow(a[lo:hi], b[:hi-lo], topShift, &cs, 0)
	}
	return a
}

// counts holds the digit counts of each level of sortLow, reused from
// bucket to bucket.
type counts [][]int

func (cs *counts) get(level, n int) []int {
	for len(*cs) <= level {
		*cs = append(*cs, nil)
	}
	c := (*cs)[level]
	if cap(c) < n {
		c = make([]int, n)
		(*cs)[level] = c
	}
	c = c[:n]
	clear(c)
	return c
}

// digit returns how many of the low bits to sort m keys by in one pass:
// enough to leave about 4 keys a sub-bucket (insertion sort of more costs
// more in mispredicted branches than a wider count does).
func digit(m int, low uint) uint {
	d := uint(max(lowMinDig, min(lowMaxDig, bits.Len(uint(m>>2))-1)))
	return min(d, low)
}

// sortLow sorts keys that differ only in their low bits, stably, with
// scratch (as long as keys) to work in.
func sortLow(keys, scratch []uint64, low uint, cs *counts, level int) {
	for len(keys) > insertionMax && low > 0 {
		d := digit(len(keys), low)
		low -= d
		mask := uint64(1)<<d - 1
		c := cs.get(level, 1<<d+1)
		for _, v := range keys {
			c[v>>low&mask+1]++
		}
		if c[keys[0]>>low&mask+1] == len(keys) {
			continue // one digit value for all: nothing moves
		}
		for i := 1; i < len(c); i++ {
			c[i] += c[i-1]
		}
		// c[i] is now where digit i starts; after the scatter it is
		// where digit i ends.
		for _, v := range keys {
			i := v >> low & mask
			scratch[c[i]] = v
			c[i]++
		}
		copy(keys, scratch)
		lo := 0
		for _, hi := range c[:len(c)-1] {
			if hi-lo > 1 {
				sortLow(keys[lo:hi], scratch[lo:hi], low, cs, level+1)
			}
			lo = hi
		}
		return
	}
	for i := 1; i < len(keys); i++ {
		v := keys[i]
		j := i
		for ; j > 0 && keys[j-1] > v; j-- {
			keys[j] = keys[j-1]
		}
		keys[j] = v
	}
}

// sortAnchors returns the anchors (fingerprints in fps, each < 2^48, and
// their name filters in names, added together) sorted by fingerprint,
// stably: of equal fingerprints, the one added first comes first. The
// entries are scattered by their top digit with their name filters, so
// the rest of the work (sorting each bucket's keys, then moving its
// entries into that order) stays within one bucket in the cache, not 32
// random bytes out of a third of a gigabyte per entry at 10M rows.
func sortAnchors(fps *column[uint64], names *column[NameFilter]) []anchorEntry {
	n := fps.len()
	out := make([]anchorEntry, n)
	if n == 0 {
		return out
	}
	fc, nc := fps.chunks(), names.chunks()
	start := buckets(fc)
	off := *start
	for ci, c := range fc {
		nm := nc[ci][:len(c)]
		for j, v := range c {
			d := v >> topShift
			out[off[d]] = anchorEntry{fp: v, name: nm[j]}
			off[d]++
		}
	}
	most := 0
	for d := range topSize {
		most = max(most, start[d+1]-start[d])
	}
	keys, pos := make([]uint64, most), make([]uint32, most)
	k2, p2 := make([]uint64, most), make([]uint32, most)
	tmp := make([]anchorEntry, most)
	var cs counts
	for d := range topSize {
		b := out[start[d]:start[d+1]]
		m := len(b)
		for i := range b {
			keys[i], pos[i] = b[i].fp, uint32(i)
		}
		sortLowPairs(keys[:m], pos[:m], k2[:m], p2[:m], topShift, &cs, 0)
		copy(tmp, b)
		for i, q := range pos[:m] {
			b[i] = tmp[q]
		}
	}
	return out
}

// sortLowPairs is sortLow carrying each key's position along.
func sortLowPairs(keys []uint64, pos []uint32, k2 []uint64, p2 []uint32, low uint, cs *counts, level int) {
	for len(keys) > insertionMax && low > 0 {
		d := digit(len(keys), low)
		low -= d
		mask := uint64(1)<<d - 1
		c := cs.get(level, 1<<d+1)
		for _, v := range keys {
			c[v>>low&mask+1]++
		}
		if c[keys[0]>>low&mask+1] == len(keys) {
			continue
		}
		for i := 1; i < len(c); i++ {
			c[i] += c[i-1]
		}
		for j, v := range keys {
			i := v >> low & mask
			k2[c[i]], p2[c[i]] = v, pos[j]
			c[i]++
		}
		copy(keys, k2)
		copy(pos, p2)
		lo := 0
		for _, hi := range c[:len(c)-1] {
			if hi-lo > 1 {
				sortLowPairs(keys[lo:hi], pos[lo:hi], k2[lo:hi], p2[lo:hi], low, cs, level+1)
			}
			lo = hi
		}
		return
	}
	for i := 1; i < len(keys); i++ {
		v, q := keys[i], pos[i]
		j := i
		for ; j > 0 && keys[j-1] > v; j-- {
			keys[j], pos[j] = keys[j-1], pos[j-1]
		}
		keys[j], pos[j] = v, q
	}
}
