package normalize

import "strings"

// Strings hands out the strings the normalisers build (a name's sorted
// tokens, an address, an E.164 number, a MyKad number without dashes, a
// folded email) from slabs of a few KiB instead of allocating each one on
// its own: a million-row sample makes several million such strings. Give
// one to FieldIn.
//
// A string handed out is never written again, so it stays valid however
// long it is kept; it keeps its slab alive with it, as a substring keeps
// the string it was cut from. A Strings is not safe for concurrent use:
// give each goroutine its own. The zero value is ready to use.
type Strings struct {
	sb strings.Builder
}

// slabSize is the size of one slab; a string of more than an eighth of it
// is allocated on its own.
const slabSize = 16 << 10

// of returns b as a string, from a's slab when a is not nil.
func (a *Strings) of(b []byte) string {
	if a == nil || len(b) > slabSize/8 {
		return string(b)
	}
	if a.sb.Cap()-a.sb.Len() < len(b) {
		// Start a new slab: the strings of the old one are kept by
		// whoever holds them, and strings.Builder never writes them again.
		a.sb = strings.Builder{}
		a.sb.Grow(slabSize)
	}
	n := a.sb.Len()
	a.sb.Write(b)
	return a.sb.String()[n:]
}
