package fingerprint

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unsafe"
)

// column is an append-only sequence kept in chunks, so growing it never
// copies what it holds (a 10M-row load used to spend a tenth of its time
// in append copying the Writer's slices). Chunk k holds 2^(4+k) elements
// up to 2^13: a Writer keeps thousands of columns (bucketed), most of them
// small in a small snapshot.
type column[T any] struct {
	full [][]T // the full chunks, in order
	cur  []T   // the chunk being filled
	n    int   // elements in full
}

const (
	firstChunkBits = 4
	lastChunkBits  = 13
)

func (c *column[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		c.grow()
	}
	c.cur = append(c.cur, v)
	// An element that starts a cache line asks for the next line: a
	// column's end moves a line every few stages (bucketed), and a store
	// to a line not in the cache held up the stores after it.
	if p := uintptr(unsafe.Pointer(&c.cur[len(c.cur)-1])); p&63 < unsafe.Sizeof(v) {
		prefetch(p + 64)
	}
}

func (c *column[T]) grow() {
	if c.cur != nil {
		c.full = append(c.full, c.cur)
		c.n += len(c.cur)
	}
	c.cur = make([]T, 0, 1<<min(firstChunkBits+len(c.full), lastChunkBits))
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

// gather copies the elements into dst, which must be at least c.len()
// long, and returns dst[:c.len()].
func (c *column[T]) gather(dst []T) []T {
	n := 0
	for _, ch := range c.chunks() {
		n += copy(dst[n:], ch)
	}
	return dst[:n]
}

// refill replaces the elements with vals, no more of them than the column
// holds, in the column's own chunks: sorting a bucket needs no memory of
// the bucket's size beyond the sorter's scratch.
func (c *column[T]) refill(vals []T) {
	c.refillBy(len(vals), func(dst []T, from int) { copy(dst, vals[from:]) })
}

// refillBy is refill of n elements that fill makes: it fills dst with
// the elements from number from on, as many as dst holds.
func (c *column[T]) refillBy(n int, fill func(dst []T, from int)) {
	old := c.chunks()
	*c = column[T]{}
	for k, from := 0, 0; from < n; k++ {
		ch := old[k][:min(cap(old[k]), n-from)]
		fill(ch, from)
		if from += len(ch); from < n {
			c.full = append(c.full, ch)
			c.n += len(ch)
		} else {
			c.cur = ch
		}
	}
}

// Radix sorting. Fingerprints are 48-bit keys, sorted in linear time by a
// most-significant-digit radix sort. The first pass happens as rows are
// added: a bucketed column keeps every key (with what goes with it) in one
// of 256 buckets by its top 8 bits. Commit then sorts one bucket at a
// time in a scratch buffer that stays in the CPU cache (4k keys of a
// million, 40k of ten million): the bucket is scattered by as many of the
// next bits as leave about 4 keys a sub-bucket, and those are finished by
// insertion sort. A level whose digit is the same for every key moves
// nothing (a field of few values). Repeats are then dropped and the
// bucket written back into its own chunks. Every pass is stable, which the
// anchor section relies on: the first row of a duplicated anchor keeps its
// name filter.
//
// Before, Commit scattered each whole section by its top digit into a new
// buffer of the section's size. Measured on the 2-core VM at ten million
// rows, 8 fields (BenchmarkSnapshotLoad, alternating runs): Commit's share
// of the load fell from 14-18% to 11-13% and the load's system time from
// 6.3-6.7 s to 3.2-4.4 s (no fresh gigabytes to fault in: a VM pays dearly
// for first touches), while adding costs more (about 2 s of CPU spread
// over the load, in cache misses of the bucket scatter); the load's rate
// came out the same within the machine's noise (x_limit 0.46 both), and
// its peak RSS fell from 3.2 GB to 2.0 GB. Building alone is slower than
// before at a million rows (BenchmarkSnapshot1M commit_rows/s 0.75-0.9M
// against 1.15-1.23M): the scatter is the cost, which a Loader pays spread
// over its workers' time. pdqsort is about five times slower than the
// radix sort, and a least-significant-digit sort, six passes through
// memory, half as fast again.
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

// lowKey is a key of a bucketed key column without its top digit, which
// is its bucket's number: 5 bytes where a uint64 took 8. The bound and
// unbound fingerprints of a 10M-row, 8-field load took 1.1 GB as uint64s
// and take 0.7 GB so: less fresh memory to fault in (dear on a VM whose
// host takes back freed pages) and less to move through the caches when
// adding, sorting and writing. Sorting unpacks a bucket into uint64s in
// the sorter's scratch, which stays in the CPU cache.
type lowKey [5]byte

func packLow(v uint64) (l lowKey) {
	l.set(v)
	return l
}

// set stores the low 40 bits of v in l: two stores (a byte-wise literal
// made five, and a sort of ten million keys a third slower).
func (l *lowKey) set(v uint64) {
	binary.LittleEndian.PutUint32(l[:4], uint32(v))
	l[4] = byte(v >> 32)
}

// key returns the whole key of lowKey l of bucket top.
func (l lowKey) key(top int) uint64 {
	return uint64(top)<<topShift | uint64(l[4])<<32 | uint64(binary.LittleEndian.Uint32(l[:4]))
}

// gatherKeys puts the whole keys of column c, of bucket top, in dst,
// which must be at least c.len() long, and returns dst[:c.len()].
func gatherKeys(c *column[lowKey], top int, dst []uint64) []uint64 {
	n := 0
	for _, ch := range c.chunks() {
		d := dst[n : n+len(ch)]
		for i := range ch {
			d[i] = ch[i].key(top)
		}
		n += len(ch)
	}
	return dst[:n]
}

// refillKeys is refill for a key column, from whole keys.
func refillKeys(c *column[lowKey], keys []uint64) {
	c.refillBy(len(keys), func(dst []lowKey, from int) {
		for i, v := range keys[from : from+len(dst)] {
			dst[i].set(v)
		}
	})
}

// bucketed is a column split by the top digit of each element's 48-bit
// key. Writer.Add stages rows and fills one bucketed column at a time for
// a batch of them, so only one column's 256 bucket ends are written at a
// time. (Per-bucket write-combining buffers in front of the chunks were
// tried and measured no faster: the stores wait on fresh memory either
// way.)
type bucketed[T any] struct {
	b []column[T] // topSize of them, made on the first add
	n int
}

func (s *bucketed[T]) add(key uint64, v T) {
	if s.b == nil {
		s.b = make([]column[T], topSize)
	}
	s.b[key>>topShift].add(v)
	s.n++
}

// all yields the elements, bucket by bucket, chunk by chunk, with the
// number of the bucket (the elements' top digit).
func (s *bucketed[T]) all(yield func(int, []T) bool) {
	for i := range s.b {
		for _, ch := range s.b[i].chunks() {
			if !yield(i, ch) {
				return
			}
		}
	}
}

// sorter sorts bucketed columns one bucket at a time in its scratch
// buffers, which grow to the biggest bucket it has seen. Each goroutine
// that sorts has its own.
type sorter struct {
	keys, keys2 []uint64
	pos, pos2   []uint32
	ents, ents2 []anchorEntry
	cs          counts
}

// sortKeys sorts every bucket of keys (each < 2^48) and drops repeats, in
// place, and returns how many keys remain.
func (s *sorter) sortKeys(k *bucketed[lowKey]) int {
	total := 0
	for d := range k.b {
		c := &k.b[d]
		n := c.len()
		if n == 0 {
			continue
		}
		s.keys, s.keys2 = grab(s.keys, n), grab(s.keys2, n)
		a := gatherKeys(c, d, s.keys)
		sortLow(a, s.keys2[:n], topShift, &s.cs, 0)
		a = slices.Compact(a)
		refillKeys(c, a)
		total += len(a)
	}
	k.n = total
	return total
}

// sortAnchors sorts every bucket of anchor entries by fingerprint, stably,
// and keeps the first of each fingerprint (the name filter of the first
// row that had it). It returns how many entries remain and how many were
// dropped.
func (s *sorter) sortAnchors(k *bucketed[anchorEntry]) (kept, dups int) {
	for d := range k.b {
		c := &k.b[d]
		n := c.len()
		if n == 0 {
			continue
		}
		s.ents, s.ents2 = grab(s.ents, n), grab(s.ents2, n)
		s.keys, s.keys2 = grab(s.keys, n), grab(s.keys2, n)
		s.pos, s.pos2 = grab(s.pos, n), grab(s.pos2, n)
		ents := c.gather(s.ents)
		keys, pos := s.keys[:n], s.pos[:n]
		for i := range ents {
			keys[i], pos[i] = ents[i].fp, uint32(i)
		}
		sortLowPairs(keys, pos, s.keys2[:n], s.pos2[:n], topShift, &s.cs, 0)
		out := s.ents2[:0]
		for i, q := range pos {
			if i > 0 && keys[i] == keys[i-1] {
				continue
			}
			out = append(out, ents[q])
		}
		c.refill(out)
		kept += len(out)
		dups += n - len(out)
	}
	k.n = kept
	return kept, dups
}

// grab returns a slice of length n, buf's storage when it is big enough.
func grab[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
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
