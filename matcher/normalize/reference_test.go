package normalize

// The reference implementations below are the name and address normalisers
// as they were before their fast paths were rewritten (single pass, no
// separate ASCII scan). TestFastPathsMatchReference checks the rewritten
// ones give the same output and the same error on every input it tries.

import (
	"bytes"
	"unicode/utf8"
)

func refAddress(s string) (Address, error) {
	if len(s) > maxAddressLen*4 {
		return Address{}, errAddressLong
	}
	if asciiOrSpaces(s) {
		return refAddressOnce(s)
	}
	// As for names: iterate to the fixed point so the output normalises to
	// itself.
	t := s
	var a Address
	for range 4 {
		var err error
		a, err = refAddressOnce(foldUnicode(t))
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

func refAddressOnce(s string) (Address, error) {
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
		if len(w) <= 4 && w[0] >= 'a' && w[0] <= 'z' && refAddressAbbrevMask[w[0]-'a']&(1<<len(w)) != 0 {
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

func refName(s string) (string, error) {
	if len(s) > maxNameLen*4 {
		return "", errNameLong
	}
	if asciiOrSpaces(s) {
		return refNameOnce(s)
	}
	// Folding, dropping apostrophes and splitting can leave a string that
	// NFKC or folding would change again; iterate to the fixed point so
	// that Name(Name(x)) == Name(x). One or two rounds are the norm.
	t := s
	for range 4 {
		out, err := refNameOnce(foldUnicode(t))
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

func refNameOnce(s string) (string, error) {
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
		case clsLower:
			// Copy the whole run at once: most of a name is such runs.
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && asciiClass[s[j]] == clsLower {
				j++
			}
			buf = append(buf, s[i:j]...)
			i = j
			continue
		case clsUpper: // upper-case names are as common as mixed-case ones
			for i < len(s) && s[i] < utf8.RuneSelf && asciiClass[s[i]] >= clsLower && asciiClass[s[i]] <= clsUpper {
				buf = append(buf, s[i]|0x20)
				i++
			}
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
		kind := refNameWordKind(buf[toks[t].lo:toks[t].hi])
		afterTitle := dropSri
		dropSri = false
		switch kind {
		case wordDrop:
			continue
		case wordSriTitle:
			dropSri = true
			continue
		case wordTan:
			if t+1 < len(toks) && refNameWordKind(buf[toks[t+1].lo:toks[t+1].hi]) == wordSri {
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
	return string(out), nil
}

// refNameWordKind is the map lookup the word table replaced.
func refNameWordKind(w []byte) uint8 { return nameWords[string(w)] }

// refAddressAbbrevMask has bit n of entry c set when an abbreviation of n
// bytes starts with letter c: the filter the map lookup had before the
// table replaced both.
var refAddressAbbrevMask = func() (m [26]uint32) {
	for w := range addressAbbrev {
		m[w[0]-'a'] |= 1 << len(w)
	}
	return m
}()
