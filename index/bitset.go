package index

import "math/bits"

// bitset is a set of a segment's document numbers, one bit each.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// fullBitset holds 0 ≤ d < n.
func fullBitset(n int) bitset {
	b := newBitset(n)
	for i := range b {
		b[i] = ^uint64(0)
	}
	b.trim(n)
	return b
}

// trim clears the bits at and above n.
func (b bitset) trim(n int) {
	if r := n % 64; r != 0 {
		b[len(b)-1] &= 1<<r - 1
	}
}

func (b bitset) set(d uint32)      { b[d/64] |= 1 << (d % 64) }
func (b bitset) clear(d uint32)    { b[d/64] &^= 1 << (d % 64) }
func (b bitset) has(d uint32) bool { return b[d/64]&(1<<(d%64)) != 0 }

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

// not complements b among 0 ≤ d < n.
func (b bitset) not(n int) {
	for i := range b {
		b[i] = ^b[i]
	}
	b.trim(n)
}

// next returns the first member at or after d.
func (b bitset) next(d uint32) (uint32, bool) {
	i := int(d / 64)
	if i >= len(b) {
		return 0, false
	}
	w := b[i] &^ (1<<(d%64) - 1)
	for w == 0 {
		if i++; i == len(b) {
			return 0, false
		}
		w = b[i]
	}
	return uint32(i*64 + bits.TrailingZeros64(w)), true
}

// each calls fn with every member in ascending order.
func (b bitset) each(fn func(d uint32)) {
	for i, w := range b {
		for w != 0 {
			fn(uint32(i*64 + bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
}
