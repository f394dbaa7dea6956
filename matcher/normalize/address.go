package normalize

import (
	"errors"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Address is a normalised address.
type Address struct {
	Text     string // folded text, postcode included
	Postcode string // the last five-digit token of Text, "" if none
}

const maxAddressLen = 1024

// addressAbbrev expands the abbreviations common in Malaysian and
// Indonesian addresses, so that "Jln" and "Jalan" match. Only expansions
// that are unambiguous in an address are listed: "ptg" (Petaling, but also
// other words) and "bt" (Batu, but also Bukit Tinggi) are left alone. No
// expansion is itself a key, which keeps Address idempotent.
var addressAbbrev = map[string]string{
	"jln":  "jalan",
	"jl":   "jalan", // Indonesian
	"tmn":  "taman",
	"kg":   "kampung",
	"kpg":  "kampung",
	"kmpg": "kampung",
	"lrg":  "lorong",
	"bdr":  "bandar",
	"bkt":  "bukit",
	"sg":   "sungai",
	"blk":  "blok",
	"kws":  "kawasan",
	"prsn": "persiaran",
	"gg":   "gang",      // Indonesian
	"kec":  "kecamatan", // Indonesian
	"kab":  "kabupaten", // Indonesian
	"kel":  "kelurahan", // Indonesian
}

// Address folds an address to lower-case words, expands common
// abbreviations and picks out the postcode. Punctuation becomes a space,
// except '/' and '-' between a digit and a letter or digit, which are part
// of house and lot numbers ("12-3A", "Lot 1234-B", "3/4").
func (n *Normalizer) Address(s string) (Address, error) { return n.address(nil, s) }

func (n *Normalizer) address(sa *Strings, s string) (Address, error) {
	if len(s) > maxAddressLen*4 {
		return Address{}, errAddressLong
	}
	if len(s) <= maxAddressLen {
		// One pass for the common case: it gives up on the first rune that
		// needs Unicode folding, and only then is the text folded.
		if a, err := addressOnce(sa, s, true); !errors.Is(err, errNeedsFolding) {
			return a, err
		}
	} else if asciiOrSpaces(s) {
		return addressOnce(sa, s, false)
	}
	// As for names: iterate to the fixed point so the output normalises to
	// itself.
	t := s
	var a Address
	for range 4 {
		var err error
		a, err = addressOnce(nil, foldUnicode(t), false)
		if err != nil {
			return Address{}, err
		}
		if a.Text == t || isASCII(a.Text) {
			return a, nil
		}
		t = a.Text
	}
	return a, nil
}

func isAlnumRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// foldedAlnum maps an ASCII letter or digit to itself in lower case, and
// every other byte to 0.
var foldedAlnum = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			t[c] = byte(c)
		case c >= 'A' && c <= 'Z':
			t[c] = byte(c) | 0x20
		}
	}
	return t
}()

// appendFoldedRun appends the run of ASCII letters and digits that starts
// s to dst, in lower case, and returns how many bytes it took. It folds as
// it copies: copying first and folding in place after costs twice as much,
// each byte read back right after the wide store that wrote it.
func appendFoldedRun(dst []byte, s string) ([]byte, int) {
	dst = slices.Grow(dst, len(s))
	o := dst[len(dst):cap(dst)]
	i := 0
	for i < len(s) && i < len(o) {
		f := foldedAlnum[s[i]]
		if f == 0 {
			break
		}
		o[i] = f
		i++
	}
	return dst[:len(dst)+i], i
}

// addressOnce does one pass over s, which is ASCII apart from spaces and
// apostrophes (folded here) or already NFKC-normalised and case-folded.
// With strict, s may be anything, and addressOnce returns errNeedsFolding
// at the first rune the Unicode path has to see first (what
// asciiOrSpaces rejects). The text comes from sa (see Strings); sa may be
// nil.
//
// Words are written straight to the output, one space apart, and each is
// looked at as it ends: an abbreviation is replaced by its expansion, five
// digits mark the postcode.
func addressOnce(sa *Strings, s string, strict bool) (Address, error) {
	if len(s) > maxAddressLen {
		return Address{}, errAddressLong
	}
	var outArr [320]byte
	out := outArr[:0]
	pcAt := -1
	tok := -1 // where the word being written starts in out; -1 between words
	for i := 0; i < len(s); {
		c := s[i]
		if f := foldedAlnum[c]; f != 0 {
			if tok < 0 {
				if len(out) > 0 {
					out = append(out, ' ')
				}
				tok = len(out)
			}
			// Copy the whole run here, folded: most of an address is such
			// runs.
			var k int
			out, k = appendFoldedRun(out, s[i:])
			i += k
			continue
		}
		var cls uint8
		size := 1
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			cls = runeClass(r)
			if strict && !foldStable(r) {
				return Address{}, errNeedsFolding
			}
		}
		switch cls {
		case clsRune:
			if tok < 0 {
				if len(out) > 0 {
					out = append(out, ' ')
				}
				tok = len(out)
			}
			out = append(out, s[i:i+size]...)
		case clsSep:
			if (c == '/' || c == '-') && tok >= 0 && i+1 < len(s) {
				// Keep it between the last kept character of this word and
				// the very next character when either side is a digit.
				p, _ := utf8.DecodeLastRune(out[tok:])
				r, _ := nextRune(s, i+1)
				if isAlnumRune(r) && isAlnumRune(p) && (isASCIIDigit(p) || isASCIIDigit(r)) {
					out = append(out, c)
					break
				}
			}
			fallthrough
		case clsSpace:
			if tok >= 0 {
				out = endAddressWord(out, tok, &pcAt)
				tok = -1
			}
		}
		i += size
	}
	if tok >= 0 {
		out = endAddressWord(out, tok, &pcAt)
	}
	if len(out) == 0 {
		return Address{}, errAddressEmpty
	}
	var a Address
	if string(out) == s {
		a.Text = s
	} else {
		a.Text = sa.of(out)
	}
	if pcAt >= 0 {
		a.Postcode = a.Text[pcAt : pcAt+5]
	}
	return a, nil
}

// endAddressWord looks at the word that ends out, from tok: an
// abbreviation is replaced by its expansion, and five digits other than
// 00000 are the postcode so far.
func endAddressWord(out []byte, tok int, pcAt *int) []byte {
	w := out[tok:]
	switch {
	case len(w) <= 4 && w[0] >= 'a' && w[0] <= 'z':
		for _, e := range addressAbbrevTab[w[0]-'a'][len(w)] {
			if string(w) == e.abbrev {
				return append(out[:tok], e.word...)
			}
		}
	case len(w) == 5 && allDigitsB(w) && string(w) != "00000":
		*pcAt = tok
	}
	return out
}

// addressAbbrevTab lists the abbreviations by first letter and length, so
// a word is compared with the one or two it could be rather than hashed
// for a map lookup.
var addressAbbrevTab [26][5][]struct{ abbrev, word string }

func init() {
	for w, x := range addressAbbrev {
		if len(w) > 4 {
			panic("normalize: address abbreviation longer than the lookup allows: " + w)
		}
		addressAbbrevTab[w[0]-'a'][len(w)] = append(addressAbbrevTab[w[0]-'a'][len(w)], struct{ abbrev, word string }{w, x})
	}
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

func allDigitsB(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
