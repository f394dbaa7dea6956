package normalize

import (
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
func (n *Normalizer) Address(s string) (Address, error) {
	if len(s) > maxAddressLen*4 {
		return Address{}, errAddressLong
	}
	if asciiOrSpaces(s) {
		return addressOnce(s)
	}
	// As for names: iterate to the fixed point so the output normalises to
	// itself.
	t := s
	var a Address
	for range 4 {
		var err error
		a, err = addressOnce(foldUnicode(t))
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

// addressOnce does one pass over s, which is either ASCII apart from spaces
// and apostrophes (folded here) or already NFKC-normalised and case-folded.
func addressOnce(s string) (Address, error) {
	if len(s) > maxAddressLen {
		return Address{}, errAddressLong
	}
	var bufArr [256]byte
	buf := bufArr[:0]
	if len(s) > len(bufArr) {
		buf = make([]byte, 0, len(s))
	}
	var tokArr [32]span
	toks := tokArr[:0]
	start := 0
	for i := 0; i < len(s); {
		c, size := s[i], 1
		var cls uint8
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			cls = runeClass(r)
		}
		switch cls {
		case clsLower, clsUpper:
			for i < len(s) && s[i] < utf8.RuneSelf && asciiClass[s[i]] >= clsLower && asciiClass[s[i]] <= clsUpper {
				buf = append(buf, s[i]|0x20)
				i++
			}
			continue
		case clsRune:
			buf = append(buf, s[i:i+size]...)
		case clsSep:
			if (c == '/' || c == '-') && len(buf) > start && i+1 < len(s) {
				// Keep it between the last kept character of this token and
				// the very next character when either side is a digit.
				p, _ := utf8.DecodeLastRune(buf[start:])
				r, _ := nextRune(s, i+1)
				if isAlnumRune(r) && isAlnumRune(p) && (isASCIIDigit(p) || isASCIIDigit(r)) {
					buf = append(buf, c)
					break
				}
			}
			fallthrough
		case clsSpace:
			if len(buf) > start {
				toks = append(toks, span{start, len(buf)})
			}
			start = len(buf)
		}
		i += size
	}
	if len(buf) > start {
		toks = append(toks, span{start, len(buf)})
	}
	if len(toks) == 0 {
		return Address{}, errAddressEmpty
	}

	var outArr [320]byte
	out := outArr[:0]
	pcAt := -1
	for i, t := range toks {
		if i > 0 {
			out = append(out, ' ')
		}
		w := buf[t.lo:t.hi]
		if len(w) <= 4 && w[0] >= 'a' && w[0] <= 'z' && addressAbbrevMask[w[0]-'a']&(1<<len(w)) != 0 {
			if x, ok := addressAbbrev[string(w)]; ok {
				out = append(out, x...)
				continue
			}
		}
		if len(w) == 5 && allDigitsB(w) && string(w) != "00000" {
			pcAt = len(out)
		}
		out = append(out, w...)
	}
	var a Address
	if string(out) == s {
		a.Text = s
	} else {
		a.Text = string(out)
	}
	if pcAt >= 0 {
		a.Postcode = a.Text[pcAt : pcAt+5]
	}
	return a, nil
}

// addressAbbrevMask has bit n of entry c set when an abbreviation of n
// bytes starts with letter c, so most words skip the map lookup.
var addressAbbrevMask [26]uint32

func init() {
	for w := range addressAbbrev {
		if len(w) > 4 {
			panic("normalize: address abbreviation longer than the lookup allows: " + w)
		}
		addressAbbrevMask[w[0]-'a'] |= 1 << len(w)
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
