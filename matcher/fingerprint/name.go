package fingerprint

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// NameFilter is a keyed bigram Bloom filter of a name (Schnell, Bachteler
// and Reiher 2009, "Privacy-preserving record linkage using Bloom
// filters"): 256 bits, K = 4 bits per bigram. The zero value means "no
// name". See Hasher.Name for how it is built and NameMatch for what the
// Dice coefficient of two filters means.
type NameFilter [32]byte

// IsZero reports whether the filter holds no name.
func (f NameFilter) IsZero() bool { return f == NameFilter{} }

// Filter shape. A normalised Malaysian name has 2–5 tokens and 15–40
// bigrams (each token padded with a space both sides), so K = 4 sets
// 60–160 of 256 bits: the filter is at most about half full, which keeps
// unrelated names well apart (their bigram overlap is what is left) while a
// bigram that differs moves K bits, enough for one typo to show. More bits
// would cost snapshot space (the name filter is 32 of the anchor entry's 38
// bytes) for no better separation at this name length.
const (
	nameBits = 8 * len(NameFilter{})
	nameK    = 4
	// maxBigramCache bounds the per-Hasher bigram cache. ASCII names use
	// a few hundred distinct bigrams; the bound only matters for hostile or
	// non-Latin input, where the cache is simply emptied and refilled.
	maxBigramCache = 4096
	// maxTokenCache bounds the per-Hasher token cache (asciiToken) in the
	// same way; a name token costs about 70 bytes there.
	maxTokenCache = 8192
)

// NameMatch is the default Dice threshold: two filters of the same anchor
// at or above it are the same name up to noise. Measured over 10,000
// generated Malaysian names of each kind (Malay, Chinese and Indian naming
// traditions; TestNameDiceBands in name_test.go logs these):
//
//	pair                                  mean   1st  50th  99th pct   >= 0.73
//	same name                             1.000  1.00  1.00  1.00      100%
//	one-letter typo (sub/del/ins/swap)    0.901  0.75  0.91  0.99      99.6%
//	a dropped token (e.g. middle name)    0.846  0.72  0.85  1.00      98.3%
//	unrelated names                       0.316  0.11  0.31  0.62      0.13%
//	unrelated, same naming tradition      0.377  0.13  0.36  0.71      0.82%
//
// So the threshold sits between the 99th percentile of unrelated names of
// the same tradition (0.71: Chinese names sharing a surname and a given
// name, Malay names sharing a father's name) and the 1st percentile of
// one-letter typos (0.75), and also accepts most dropped middle names. 0.8,
// the usual figure from the literature, would reject 4% of one-letter
// typos at this name length. A filter of 256 bits with K = 2, 3 or 4, or
// 512 bits with K = 4 to 8, all separate typos from same-tradition names
// with 0.75–0.9% error at their best threshold (an exact bigram set, no
// Bloom filter at all, 0.56%): the overlap is in the names, not the filter.
//
// The threshold is compared only against the filter stored for the SAME
// anchor (same person): the question is "is this the same name with noise",
// not "who has this name".
const NameMatch = 0.73

// Name returns the name filter of an already-normalised name (lower-case
// tokens, sorted, joined by single spaces, as normalize.Name gives it) for
// the record whose anchor fingerprint is anchor.
//
// Each token is padded with a space on both sides and cut into bigrams of
// runes, so token order does not matter and token boundaries count. A
// bigram sets K bits at positions taken from HMAC(key, "N", bigram) (cached
// per Hasher, names repeat bigrams a lot). Then the bit positions are put
// through a permutation of the 256 positions that is secret and different
// for every record: a 4-round Feistel network on 8 bits whose round
// functions come from HMAC(key, "S", anchor). Dice between two filters of
// the same anchor is unchanged by it, but filters of different records no
// longer share coordinates, which defeats the frequency and pattern-mining
// attacks that recover names from a file of plain bigram Bloom filters
// (Kuzu et al. 2011, Niedermeyer et al. 2014, Christen et al. 2017): what a
// filter still shows without the key is its bit count, roughly the name's
// length.
//
// An empty name gives the zero filter.
func (h *Hasher) Name(anchor uint64, name string) NameFilter {
	// The bigrams' positions before the permutation, as a set: names
	// repeat bigrams (" a" in "ahmad bin abdullah"), and each position
	// is permuted once.
	var u [nameBits / 64]uint64
	for rest := name; rest != ""; {
		// The next token, by hand: strings.SplitSeq's iterator was a
		// fifth of Name's time outside its MAC.
		tok := rest
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		switch {
		case tok == "": // spaces around or between tokens
		case isASCII(tok):
			m := h.asciiToken(tok)
			for w := range u {
				u[w] |= m[w]
			}
		default:
			h.anyToken(&u, tok)
		}
	}
	var f NameFilter
	if u == [len(u)]uint64{} {
		return f
	}
	permuteSet((*[32]byte)(h.salt(anchor)), &u, &f)
	return f
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiToken returns the positions of the bigrams of an ASCII token,
// padded with a space on both sides, as a mask. Masks are cached per
// token: names repeat tokens far more than they differ (bin, binti, a/l,
// common given names), which makes a token one map lookup instead of a
// table lookup per bigram.
func (h *Hasher) asciiToken(tok string) [nameBits / 64]uint64 {
	if m, ok := h.tokens[tok]; ok {
		return m
	}
	var m [nameBits / 64]uint64
	t := h.asciiTable()
	prev := byte(' ')
	for k := 0; k <= len(tok); k++ {
		c := byte(' ')
		if k < len(tok) {
			c = tok[k]
		}
		for _, b := range t.positions(h, prev, c) {
			m[b>>6] |= 1 << (b & 63)
		}
		prev = c
	}
	if h.tokens == nil {
		h.tokens = make(map[string][nameBits / 64]uint64, 256)
	} else if len(h.tokens) >= maxTokenCache {
		clear(h.tokens)
	}
	h.tokens[strings.Clone(tok)] = m // not a slice of the caller's name
	return m
}

// anyToken adds the positions of the bigrams of a token that is not all
// ASCII, padded with a space on both sides, to u.
func (h *Hasher) anyToken(u *[nameBits / 64]uint64, tok string) {
	var kb [2 * utf8.UTFMax]byte
	kb[0] = ' '
	n := 1 // kb[:n] is the previous rune
	for k := 0; k <= len(tok); {
		var c, w int // the current rune is tok[k:k+w], or " " at the end
		switch {
		case k == len(tok):
			kb[n] = ' '
			c, w = 1, 1
		case tok[k] < utf8.RuneSelf:
			kb[n] = tok[k]
			c, w = 1, 1
		default:
			_, w = utf8.DecodeRuneInString(tok[k:])
			c = copy(kb[n:], tok[k:k+w])
		}
		var p [nameK]uint8
		if n == 1 && c == 1 && kb[0] < utf8.RuneSelf && kb[1] < utf8.RuneSelf {
			p = h.asciiTable().positions(h, kb[0], kb[1])
		} else {
			p = h.bigram(kb[:n+c])
		}
		for _, b := range p {
			u[b>>6] |= 1 << (b & 63)
		}
		copy(kb[:], kb[n:n+c])
		n = c
		k += w
	}
}

// asciiBigrams caches the positions of the bigrams of two ASCII
// characters, which are nearly all of them in Malaysian names, in a table:
// a map lookup per bigram was a tenth of the time a Hasher spent on a row.
type asciiBigrams struct {
	pos  [128 * 128][nameK]uint8
	have [128 * 128 / 64]uint64
}

func (h *Hasher) asciiTable() *asciiBigrams {
	if h.ascii == nil {
		h.ascii = new(asciiBigrams)
	}
	return h.ascii
}

// positions returns the K bit positions of the bigram of a and b (both
// ASCII), before the record's permutation: the same as bigram.
func (t *asciiBigrams) positions(h *Hasher, a, b byte) [nameK]uint8 {
	i := uint(a)<<7 | uint(b)
	if t.have[i>>6]&(1<<(i&63)) != 0 {
		return t.pos[i]
	}
	p := h.bigramMAC([]byte{a, b})
	t.pos[i] = p
	t.have[i>>6] |= 1 << (i & 63)
	return p
}

// bigram returns the K bit positions of a bigram, before the record's
// permutation.
func (h *Hasher) bigram(b []byte) [nameK]uint8 {
	if p, ok := h.pos[string(b)]; ok {
		return p
	}
	p := h.bigramMAC(b)
	if len(h.pos) >= maxBigramCache {
		clear(h.pos)
	}
	h.pos[string(b)] = p
	return p
}

func (h *Hasher) bigramMAC(b []byte) [nameK]uint8 {
	h.start(tagBigram)
	h.buf = binary.AppendUvarint(h.buf, uint64(len(b)))
	h.buf = append(h.buf, b...)
	var p [nameK]uint8
	copy(p[:], h.macBuf()) // 256 positions: one MAC byte each
	return p
}

// perm is a permutation of the 256 filter positions: a 4-round Feistel
// network on two nibbles, perm[i] the round function of round i as a table
// of 16 nibbles. Round i's function is nibbles 0..15 of bytes 8i..8i+7 of
// HMAC(key, "S", anchor), the low nibble of each byte first.
type perm [4][16]uint8

// salt returns HMAC(key, "S", anchor), valid until the Hasher's next MAC.
func (h *Hasher) salt(anchor uint64) []byte {
	h.start(tagSalt)
	var a [6]byte
	put48(a[:], anchor)
	h.buf = append(h.buf, byte(len(a)))
	h.buf = append(h.buf, a[:]...)
	return h.macBuf()[:32]
}

// permOf makes the round tables of a salt.
func permOf(s *[32]byte) perm {
	var p perm
	for j, b := range s {
		p[j>>3][(j&7)<<1] = b & 15
		p[j>>3][(j&7)<<1|1] = b >> 4
	}
	return p
}

// permuteSetGeneric is permuteSet in Go: each set position in turn
// through the Feistel network, a chain of four dependent table lookups.
func permuteSetGeneric(salt *[32]byte, u *[nameBits / 64]uint64, f *NameFilter) {
	p := permOf(salt)
	for w, x := range u {
		for x != 0 {
			q := p.apply(uint8(w<<6 | bits.TrailingZeros64(x)))
			x &= x - 1
			f[q>>3] |= 1 << (q & 7)
		}
	}
}

func (p *perm) apply(x uint8) uint8 {
	l, r := x>>4, x&15
	for i := range p {
		l, r = r, l^p[i][r]
	}
	return l<<4 | r
}

// Dice returns the Dice coefficient of two name filters,
// 2|a∧b| / (|a|+|b|): 1 for the same name, near NameMatch for small
// differences. Two empty filters give 0: no name is no evidence.
func Dice(a, b NameFilter) float64 {
	var both, na, nb int
	for i := 0; i < len(a); i += 8 {
		x := binary.LittleEndian.Uint64(a[i:])
		y := binary.LittleEndian.Uint64(b[i:])
		both += bits.OnesCount64(x & y)
		na += bits.OnesCount64(x)
		nb += bits.OnesCount64(y)
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(both) / float64(na+nb)
}
