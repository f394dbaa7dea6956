package normalize

import (
	"bytes"
	"errors"
	"unicode"
	"unicode/utf8"
)

// maxNameLen bounds the work done on a name; anything longer is not a
// person's name but a misplaced column.
const maxNameLen = 512

// Name word kinds.
const (
	wordDrop     = 1 + iota // a connector or title, dropped wherever it appears
	wordSriTitle            // a title that may be followed by "Sri"/"Seri" (Dato' Sri, Puan Sri), dropped
	wordTan                 // "Tan": a title only when followed by "Sri"/"Seri", otherwise a surname
	wordSri                 // "Sri"/"Seri": a title only after wordSriTitle or wordTan, otherwise a name
)

// nameConnectors are the patronymic connectors of Malay and Indian names.
// They say how two names relate, not who the person is, and are written
// inconsistently (BIN, B., BT, ...), so they are dropped. "B" and "BT" are
// dropped even without a dot: in Malaysian data they are almost always
// bin/binti, and a rule that depended on their position would not survive
// the token sort (the output must normalise to itself). The slash forms
// A/L, A/P, S/O and D/O are recognised before punctuation is split off;
// "@" (alias marker) is treated as punctuation so both aliases stay.
var nameConnectors = []string{"bin", "binti", "binte", "bint", "bte", "bt", "bnt", "b"}

// nameTitles are honorifics dropped from names. Only titles that are
// never personal names are listed (so not "Sri", "Tuan", "Che", "Cik" or
// "Tan"), and they are dropped wherever they appear, not only at the
// start, for the same idempotence reason as the connectors: a title kept in
// the middle would be sorted to the front and dropped by a second pass.
//
//	dato, datuk, datin   federal and state titles (Dato' loses its apostrophe first)
//	dr, prof             Doctor, Professor
//	haji, hj             Haji (men who performed the hajj)
//	hajah, hjh           Hajah (women who performed the hajj)
//	encik, puan          Mr, Mrs/Madam in Malay
//	mr, mrs, ms          English
//	tan sri, puan sri, dato sri, datuk seri, ...  as two words only
var nameTitles = []string{"dato", "datuk", "datin", "dr", "prof", "haji", "hj", "hajah", "hjh", "encik", "puan", "mr", "mrs", "ms",
	"datosri", "datoseri", "datuksri", "datukseri", "tansri", "puansri"}

var nameWords = map[string]uint8{}

func init() {
	for _, w := range nameConnectors {
		nameWords[w] = wordDrop
	}
	for _, w := range nameTitles {
		nameWords[w] = wordDrop
	}
	for _, w := range []string{"dato", "datuk", "datin", "puan"} {
		nameWords[w] = wordSriTitle
	}
	nameWords["tan"] = wordTan
	nameWords["sri"] = wordSri
	nameWords["seri"] = wordSri
}

// Name returns a name as its folded tokens, sorted and joined by single
// spaces, so that word order ("Tan Ah Kow" / "Ah Kow Tan"), connectors and
// titles do not stop two spellings of one name from matching.
func (n *Normalizer) Name(s string) (string, error) { return n.name(nil, s) }

func (n *Normalizer) name(a *Strings, s string) (string, error) {
	if len(s) > maxNameLen*4 {
		return "", errNameLong
	}
	if len(s) <= maxNameLen {
		// One pass for the common case: it gives up on the first rune that
		// needs Unicode folding, and only then is the name folded.
		if out, err := nameOnce(a, s, true); !errors.Is(err, errNeedsFolding) {
			return out, err
		}
	} else if asciiOrSpaces(s) {
		return nameOnce(a, s, false)
	}
	// Folding, dropping apostrophes and splitting can leave a string that
	// NFKC or folding would change again; iterate to the fixed point so
	// that Name(Name(x)) == Name(x). One or two rounds are the norm.
	t := s
	for range 4 {
		out, err := nameOnce(nil, foldUnicode(t), false)
		if err != nil {
			return "", err
		}
		if out == t || isASCII(out) {
			return out, nil
		}
		t = out
	}
	return t, nil
}

type span struct{ lo, hi int }

// Character classes of the name and address scanners.
const (
	clsSep   = iota // punctuation and symbols: end the token
	clsSpace        // white space: ends the token and the whitespace-separated chunk
	clsLower        // ASCII lower-case letter or digit: kept
	clsUpper        // ASCII upper-case letter: kept, folded
	clsSkip         // apostrophe: dropped, joining its neighbours
	clsRune         // non-ASCII letter, digit or mark: kept as it is
)

// asciiClass classifies ASCII bytes with one load instead of a chain of
// comparisons; bytes >= 0x80 are classified per rune.
var asciiClass [utf8.RuneSelf]uint8

func init() {
	for c := range asciiClass {
		switch {
		case asciiSpace[c]:
			asciiClass[c] = clsSpace
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			asciiClass[c] = clsLower
		case c >= 'A' && c <= 'Z':
			asciiClass[c] = clsUpper
		case c == '\'' || c == '`':
			asciiClass[c] = clsSkip
		}
	}
}

// runeClass classifies a non-ASCII rune like asciiClass.
func runeClass(r rune) uint8 {
	switch {
	case isSpace(r):
		return clsSpace
	case isApostrophe(r):
		return clsSkip
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return clsRune
	}
	return clsSep
}

// asciiOrSpaces reports whether s is ASCII apart from white space and
// curly apostrophes, which NFKC and case folding leave as they are (or
// turn into characters the scanners treat the same way). Such strings,
// like "Ahmad\u00a0bin Abdullah" pasted from a web page, skip the Unicode
// path.
func asciiOrSpaces(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !foldStable(r) {
			return false
		}
		i += size
	}
	return true
}

// foldStable reports the non-ASCII runes the one-pass scanners may read
// without the Unicode path first (NFKC and case folding leave them as they
// are, or make runes the scanners treat the same way): white space and
// curly apostrophes.
func foldStable(r rune) bool {
	return isSpace(r) || r == '\u2018' || r == '\u2019' || r == '\u02BC' || r == '\u02BB'
}

// nameOnce does one pass over s, which is either ASCII apart from spaces
// and apostrophes (folded here) or already NFKC-normalised and case-folded.
// With strict, s may be anything, and nameOnce returns errNeedsFolding at
// the first rune the Unicode path has to see first (what asciiOrSpaces
// rejects). The result comes from a (see Strings); a may be nil.
func nameOnce(a *Strings, s string, strict bool) (string, error) {
	if len(s) > maxNameLen {
		return "", errNameLong
	}
	// The token bytes never outgrow the input, so one buffer of len(s)
	// suffices; small names keep it on the stack.
	var bufArr [128]byte
	buf := bufArr[:0]
	if len(s) > len(bufArr) {
		buf = make([]byte, 0, len(s))
	}
	var tokArr [16]span
	toks := tokArr[:0]
	start, atChunk := 0, true
	for i := 0; i < len(s); {
		c, size := s[i], 1
		var cls uint8
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			cls = runeClass(r)
			if strict && !foldStable(r) {
				return "", errNeedsFolding
			}
		}
		if atChunk && cls != clsSpace {
			atChunk = false
			if k := slashConnector(s[i:]); k > 0 {
				i += k
				continue
			}
		}
		switch cls {
		case clsSpace, clsSep:
			if len(buf) > start {
				toks = append(toks, span{start, len(buf)})
			}
			start = len(buf)
			atChunk = cls == clsSpace
		case clsLower, clsUpper:
			// Copy the whole run at once, folded: most of a name is such
			// runs, in lower, upper or mixed case.
			var k int
			buf, k = appendFoldedRun(buf, s[i:])
			i += k
			continue
		case clsRune:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	if len(buf) > start {
		toks = append(toks, span{start, len(buf)})
	}
	if len(toks) == 0 {
		return "", errNameEmpty
	}

	keep := toks[:0] // filtering in place: keep never overtakes the index read
	dropSri := false
	for t := 0; t < len(toks); t++ {
		kind := nameWordKind(buf[toks[t].lo:toks[t].hi])
		afterTitle := dropSri
		dropSri = false
		switch kind {
		case wordDrop:
			continue
		case wordSriTitle:
			dropSri = true
			continue
		case wordTan:
			if t+1 < len(toks) && nameWordKind(buf[toks[t+1].lo:toks[t+1].hi]) == wordSri {
				t++
				continue
			}
		case wordSri:
			if afterTitle {
				continue
			}
		}
		keep = append(keep, toks[t])
	}
	if len(keep) == 0 {
		return "", errNameOnly
	}
	letters := false
	for _, t := range keep {
		if hasLetter(buf[t.lo:t.hi]) {
			letters = true
			break
		}
	}
	if !letters {
		return "", errNameLetters
	}

	for a := 1; a < len(keep); a++ { // insertion sort: names have few tokens
		for b := a; b > 0 && bytes.Compare(buf[keep[b].lo:keep[b].hi], buf[keep[b-1].lo:keep[b-1].hi]) < 0; b-- {
			keep[b], keep[b-1] = keep[b-1], keep[b]
		}
	}
	var outArr [128]byte
	out := outArr[:0]
	if len(s) > len(outArr) {
		out = make([]byte, 0, len(s))
	}
	for i, t := range keep {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, buf[t.lo:t.hi]...)
	}
	if string(out) == s {
		return s, nil
	}
	return a.of(out), nil
}

// nameWordTab lists the connectors and titles by first letter and length,
// so a token is compared with the two or three words it could be rather
// than hashed for a map lookup.
var nameWordTab [26][32][]nameWord

type nameWord struct {
	w    string
	kind uint8
}

func init() {
	for w, k := range nameWords {
		nameWordTab[w[0]-'a'][len(w)] = append(nameWordTab[w[0]-'a'][len(w)], nameWord{w, k})
	}
}

func nameWordKind(w []byte) uint8 {
	if len(w) == 0 || len(w) > 31 || w[0] < 'a' || w[0] > 'z' {
		return 0
	}
	for _, e := range nameWordTab[w[0]-'a'][len(w)] {
		if string(w) == e.w {
			return e.kind
		}
	}
	return 0
}

// slashConnector returns the length of the A/L, A/P, S/O or D/O at the
// start of s when it is a whole chunk (followed by white space or the
// end), and 0 otherwise.
func slashConnector(s string) int {
	if len(s) < 3 || s[1] != '/' || !isSlashConnector(s[:3]) {
		return 0
	}
	k := 3
	if len(s) > 3 && s[3] == '.' {
		k = 4
	}
	if k == len(s) {
		return k
	}
	if r, _ := nextRune(s, k); isSpace(r) {
		return k
	}
	return 0
}

// nextRune decodes the rune at s[i], cheaply for ASCII.
func nextRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isSlashConnector reports A/L, A/P, S/O and D/O (anak lelaki/perempuan,
// son/daughter of), optionally with a trailing dot.
func isSlashConnector(w string) bool {
	if len(w) == 4 && w[3] == '.' {
		w = w[:3]
	}
	if len(w) != 3 || w[1] != '/' {
		return false
	}
	a, b := w[0]|0x20, w[2]|0x20
	return (a == 'a' && (b == 'l' || b == 'p')) || ((a == 's' || a == 'd') && b == 'o')
}

func hasLetter(w []byte) bool {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		if unicode.IsLetter(r) {
			return true
		}
		i += size
	}
	return false
}
