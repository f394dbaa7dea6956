package fingerprint

import (
	"hash/maphash"
	"unsafe"
)

// Repeats remembers the unbound fingerprints of values that repeat from
// record to record, per field, so a load computes the HMAC of such a
// value once in a while instead of once per record. Exports are full of
// them: a gender has two values, a postcode a few thousand, a birth date
// some tens of thousands, a state or an employer a handful; a phone
// number or an e-mail address hardly ever repeats. Bound fingerprints are
// per person and never repeat, so they are not cached.
//
// Each field has a direct-mapped table of repeatSlots slots (a slot is a
// value of at most repeatMax bytes, held in the slot, and its
// fingerprint; a longer value is never cached). A lookup costs from a
// tenth of an HMAC (a few values, in the CPU cache) to half of one (a
// full table, out of it), so a field whose lookups hit less than half
// the time over a window of repeatWindow lookups has its table switched
// off for good: a field of unique values costs two windows of lookups.
// (At a quarter, generated e-mail addresses, a third of which repeat,
// kept theirs and the load was no faster for it.) The first window only
// fills the table and is not judged: a field of many values that
// repeat, such as the birth dates of a register spanning 70 years (some
// 26,000 values), misses most of its first lookups and hits most later
// ones.
// A map in place of the table (tried first) cost more than it saved once
// it held tens of thousands of values: its inserts allocate and its
// lookups miss the cache.
//
// The values are plaintext of the export, held in memory only as long
// as the load that uses the Repeats, like the records themselves;
// nothing of them is written anywhere.
//
// A Repeats is used with one Hasher and, like it, is not safe for
// concurrent use.
type Repeats struct {
	h      *Hasher
	seed   maphash.Seed
	fields []repeatField // by field index
}

type repeatField struct {
	slots         []repeatSlot // repeatSlots of them once used
	lookups, hits int          // in the current window
	warm          bool         // past the first window
	off           bool
}

type repeatSlot struct {
	fp  uint64 // None: the slot is empty
	n   uint8  // len of the value
	val [repeatMax]byte
}

const (
	repeatSlots  = 1 << 15
	repeatMax    = 23 // a slot is 32 bytes
	repeatWindow = 1 << 16
)

// NewRepeats returns a cache of the unbound fingerprints h makes for
// fields 0..nfields-1.
func NewRepeats(h *Hasher, nfields int) *Repeats {
	return &Repeats{h: h, seed: maphash.MakeSeed(), fields: make([]repeatField, nfields)}
}

// Unbound is h.Unbound(field, value), field being field number j: the
// same fingerprint, from the table when value was seen before.
func (c *Repeats) Unbound(j int, field, value string) uint64 {
	rf := &c.fields[j]
	if rf.off {
		return c.h.Unbound(field, value)
	}
	if rf.lookups == repeatWindow {
		if rf.warm && rf.hits*2 < rf.lookups {
			*rf = repeatField{off: true}
			return c.h.Unbound(field, value)
		}
		rf.lookups, rf.hits, rf.warm = 0, 0, true
	}
	rf.lookups++
	if len(value) > repeatMax {
		return c.h.Unbound(field, value)
	}
	if rf.slots == nil {
		rf.slots = make([]repeatSlot, repeatSlots)
	}
	s := &rf.slots[maphash.String(c.seed, value)&(repeatSlots-1)]
	if s.fp != None && string(s.val[:s.n]) == value {
		rf.hits++
		return s.fp
	}
	fp := c.h.Unbound(field, value)
	s.fp, s.n = fp, uint8(copy(s.val[:], value))
	return fp
}

// Prefetch starts bringing in the slot that Unbound(j, field, value) will
// read, and returns at once. A table of thousands of values (a birth
// date's, a postcode's) is mostly out of the CPU's caches when it is
// read, since a load streams records, rows and buckets through them: a
// lookup cost about 100 ns at 10M rows, half of an HMAC, all of it
// waiting for memory. A load prefetches the next record's slots before it
// hashes this one, so the wait overlaps with hashing.
func (c *Repeats) Prefetch(j int, value string) {
	rf := &c.fields[j]
	if rf.off || rf.slots == nil || len(value) > repeatMax {
		return
	}
	prefetch(uintptr(unsafe.Pointer(&rf.slots[maphash.String(c.seed, value)&(repeatSlots-1)])))
}

// Off reports whether field j's table has been switched off.
func (c *Repeats) Off(j int) bool { return c.fields[j].off }
