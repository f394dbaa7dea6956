package intake

import "unsafe"

// arena makes strings of byte slices by copying them into shared blocks,
// one allocation per arenaBlock bytes instead of one per record: a
// string conversion per CSV line (what encoding/csv does) was a third of
// the fast path's time, in the allocator. A block is never written again
// where it has handed out a string, so the strings are as immutable as
// any; a block lives as long as any of its strings, which costs a record
// kept alone (a sample's) at most one block.
type arena struct {
	block []byte
}

const (
	arenaBlock = 64 << 10
	// arenaMax is the longest text copied into a block; a longer one
	// gets its own allocation, so a block is not mostly wasted.
	arenaMax = arenaBlock / 16
)

// string returns the text of b as a string.
func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaMax {
		return string(b)
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, arenaBlock)
	}
	n := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[n], len(b))
}
