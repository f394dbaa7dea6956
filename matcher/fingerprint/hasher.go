package fingerprint

import (
	"encoding/binary"
	"fmt"
	"hash"
)

// Bits is how many bits of each HMAC-SHA256 are kept. With n = 10^7
// fingerprints in a set, a sample value that is not there matches by
// accident with probability n/2^48 ≈ 3.6e-8: under 0.03 false agreements
// when a 100k-row sample is checked on 8 fields. Six bytes a fingerprint
// keep a 10M-row, 8-field snapshot near 6 bytes per stored fingerprint plus
// its index (the goal is at most 12).
const Bits = 48

// None is the fingerprint of a value that is not there. The Hasher never
// returns it (a MAC whose top 48 bits are all zero, probability 2^-48, is
// mapped to 1), so a Row can use it for a field the record lacks.
const None uint64 = 0

// maxFP is the largest fingerprint; anything above is not a fingerprint.
const maxFP = 1<<Bits - 1

// Domain-separation tags: the first byte of every MAC input.
const (
	tagAnchor  = 'A'
	tagBound   = 'B'
	tagUnbound = 'U'
	tagWhole   = 'W'
	tagBigram  = 'N' // a bigram's bit positions in a name filter
	tagSalt    = 'S' // a record's name-filter permutation
)

// Hasher computes the keyed fingerprints of one source. It is not safe for
// concurrent use; it is cheap to make one per goroutine (the key schedule
// lives in the hash.Hash, the rest is a scratch buffer and the name
// filter's caches: bigram positions, in a 66 KB table for ASCII bigrams
// made on the first name, and name tokens). The caches hold positions
// derived from the key and name fragments, like the filters themselves;
// they live as long as the Hasher and are never written anywhere.
//
// Every MAC input is a tag byte followed by each part as a uvarint length
// and the bytes, so ("ab", "c") and ("a", "bc") differ, and so do the kinds
// of fingerprint of the same value.
//
// A load runs one Hasher per core, and a Hasher writes its own fields and
// buffers several times per MAC, so each sits in cache lines of its own:
// the struct is padded to 128 bytes (an allocation of that size class
// starts on a line) and sum has a capacity of 64. Otherwise another
// core's hot data, the next object of the same size class, could share a
// line with them and the two cores would pass it back and forth on every
// MAC.
type Hasher struct {
	mac   hash.Hash
	buf   []byte                  // the MAC input being built, capacity 256
	sum   []byte                  // the MAC output, capacity 64
	pos   map[string][nameK]uint8 // positions of bigrams not in ascii
	ascii *asciiBigrams           // made on the first name
	// tokens caches the bigram positions of ASCII name tokens.
	tokens map[string][nameBits / 64]uint64
	_      [hasherPad]byte
}

// hasherPad makes a Hasher 128 bytes long on 64-bit platforms.
const hasherPad = 128 - 88

// NewHasher returns a Hasher over the MAC newMAC returns, which must be
// hmac.New(sha256.New, key) with the source's secret key (any MAC of at
// least 32 bytes works; NewHasher panics on a shorter one, a programming
// error). newMAC is called once; the MAC is Reset and reused for every
// fingerprint, so fingerprints cost no allocation.
func NewHasher(newMAC func() hash.Hash) *Hasher {
	m := newMAC()
	if m.Size() < 32 {
		panic(fmt.Sprintf("fingerprint: NewHasher: the MAC gives %d bytes, need 32 (HMAC-SHA256)", m.Size()))
	}
	return &Hasher{
		mac: m,
		buf: make([]byte, 0, 256),
		sum: make([]byte, 0, max(m.Size(), 64)),
		pos: make(map[string][nameK]uint8, 256),
	}
}

// String and GoString keep a Hasher's insides out of logs and error
// messages: its MAC holds key-derived state and its caches name fragments.
func (h *Hasher) String() string   { return "fingerprint.Hasher" }
func (h *Hasher) GoString() string { return "fingerprint.Hasher{}" }

// Anchor is the fingerprint of a record's anchor value (e.g. its MyKad
// number) in field.
func (h *Hasher) Anchor(field, value string) uint64 {
	h.start(tagAnchor)
	h.part(field)
	h.part(value)
	return h.fp()
}

// Bound is the fingerprint of value in field held by the record whose anchor
// value is anchorValue: it matches only the same person with the same value.
func (h *Hasher) Bound(field, anchorValue, value string) uint64 {
	h.start(tagBound)
	h.part(field)
	h.part(anchorValue)
	h.part(value)
	return h.fp()
}

// Unbound is the fingerprint of value in field, whoever holds it.
func (h *Hasher) Unbound(field, value string) uint64 {
	h.start(tagUnbound)
	h.part(field)
	h.part(value)
	return h.fp()
}

// Whole is the fingerprint of a whole record, its values in a fixed field
// order, for matching against known leaks.
func (h *Hasher) Whole(values []string) uint64 {
	h.start(tagWhole)
	for _, v := range values {
		h.part(v)
	}
	return h.fp()
}

func (h *Hasher) start(tag byte) {
	h.buf = append(h.buf[:0], tag)
}

func (h *Hasher) part(s string) {
	if len(s) < 0x80 {
		h.buf = append(h.buf, byte(len(s))) // its uvarint
	} else {
		h.buf = binary.AppendUvarint(h.buf, uint64(len(s)))
	}
	h.buf = append(h.buf, s...)
}

// mac returns the MAC of h.buf; the result is valid until the next call.
func (h *Hasher) macBuf() []byte {
	h.mac.Reset()
	h.mac.Write(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	return h.sum
}

func (h *Hasher) fp() uint64 {
	v := binary.BigEndian.Uint64(h.macBuf()) >> (64 - Bits)
	if v == None {
		v = 1
	}
	return v
}
