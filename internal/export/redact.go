package export

import (
	"regexp"
	"strings"
	"unicode"
)

// ExcerptLen is how many characters (runes) of a posting's body an export
// carries, after redaction.
const ExcerptLen = 500

// Markers that replace what Redact masks.
const (
	maskEmail  = "[email]"
	maskMyKad  = "[mykad]"
	maskPhone  = "[phone]"
	maskNumber = "[number]"
	maskRow    = "[sample row]"
	maskRows   = "[sample rows]"
)

var (
	// Anything shaped like an e-mail address.
	reEmail = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// MyKad with separators: YYMMDD-PB-###G.
	reMyKad = regexp.MustCompile(`\b\d{6}[- ]\d{2}[- ]\d{4}\b`)
	// International phone numbers: a + then digits with spaces, dashes,
	// dots or brackets (at least 8 digits, checked in Redact).
	rePhoneIntl = regexp.MustCompile(`\+\d[\d\-. ()]{6,18}\d`)
	// Malaysian and Indonesian numbers written with the country code but
	// no +: 60 12 345 6789, 62 812 3456 7890.
	rePhoneCC = regexp.MustCompile(`\b(?:60|62)\d{8,11}\b`)
	// Local numbers with the trunk 0: 012-345 6789, 03-1234 5678,
	// 0812-3456-7890, 0123456789.
	rePhoneLocal = regexp.MustCompile(`\b0\d{1,3}[- ]?\d{3,4}[- ]?\d{3,4}\b`)
	// Card-like groups: 4111 1111 1111 1111.
	reGrouped = regexp.MustCompile(`\b\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{1,7}\b`)
	// Any run of 12 or more digits: MyKad without dashes, NIK (16), card
	// and account numbers.
	reLongDigits = regexp.MustCompile(`\d{12,}`)
)

// Redact masks what looks like personal data in free text: e-mail
// addresses, MyKad numbers (with or without dashes), phone numbers
// (international with +, Malaysian/Indonesian with 60/62 or a leading 0),
// card-like groups of four digits, and any run of 12 or more digits (NIK,
// account numbers). Ordinary words, years, dates, prices and record counts
// such as "1.2M", "279.000.000" or "2019-2023" are kept.
func Redact(s string) string {
	if s == "" {
		return s
	}
	s = reEmail.ReplaceAllString(s, maskEmail)
	s = reMyKad.ReplaceAllString(s, maskMyKad)
	s = rePhoneIntl.ReplaceAllStringFunc(s, func(m string) string {
		if countDigits(m) < 8 {
			return m
		}
		return maskPhone
	})
	s = rePhoneCC.ReplaceAllString(s, maskPhone)
	s = rePhoneLocal.ReplaceAllString(s, maskPhone)
	s = reGrouped.ReplaceAllStringFunc(s, func(m string) string {
		if allYears(m) {
			return m
		}
		return maskNumber
	})
	return maskLongDigits(s)
}

// maskLongDigits masks each run of 12 or more digits, except one inside
// a long hexadecimal token: a Session or Tox id, a hash (hexMin hex digits
// or more, with a letter on both sides of the run), which is a seller's
// contact or a file's digest, not a person's number. A run glued to a word
// ("NIK3171234567890123", "a880101145678b") is still masked, and so still
// marks its line as a quoted record.
func maskLongDigits(s string) string {
	locs := reLongDigits.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if inHexToken(s, l[0], l[1]) {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(maskNumber)
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// hexMin is the shortest hexadecimal token whose digit runs are left
// alone: an MD5 in hex has 32 digits; a Session id 66, a Tox id 76.
const hexMin = 32

// inHexToken reports whether s[i:j], a run of digits, lies strictly inside
// a token of at least hexMin hexadecimal digits and nothing else.
func inHexToken(s string, i, j int) bool {
	if i == 0 || j == len(s) || !isHex(s[i-1]) || !isHex(s[j]) {
		return false
	}
	lo, hi := i, j
	for lo > 0 && isAlnum(s[lo-1]) {
		lo--
	}
	for hi < len(s) && isAlnum(s[hi]) {
		hi++
	}
	if hi-lo < hexMin {
		return false
	}
	for k := lo; k < hi; k++ {
		if !isHex(s[k]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Excerpt is the form a posting body takes in every export: each line
// through Redact, a line that still looks like a quoted record replaced by
// "[sample row]" (several in a row by one "[sample rows]"), white space
// collapsed, then cut to ExcerptLen characters with "…" when something was
// cut. A line looks like a record when Redact masked two things in it, or
// one thing in a line of three or more fields separated by , ; | or tabs:
// the names next to the numbers go with them.
//
// Only the first 4×ExcerptLen characters are looked at, and of them only
// whole lines: a line cut at that boundary is dropped. (A body without
// line breaks is one line; within a line masking never shrinks text below
// two thirds — twelve digits become the eight characters "[number]" — so
// a number cut in half there lies well past the excerpt's end.)
func Excerpt(body string) string {
	head, cut := prefix(body, 4*ExcerptLen)
	lines := strings.Split(head, "\n")
	if cut && len(lines) > 1 {
		// The last line is cut short: drop it rather than judge half a row.
		lines = lines[:len(lines)-1]
	}
	out := lines[:0]
	rows := 0
	for _, l := range lines {
		l = Redact(l)
		if looksLikeRow(l) {
			rows++
			continue
		}
		if rows > 0 {
			out = append(out, rowMark(rows))
			rows = 0
		}
		out = append(out, l)
	}
	if rows > 0 {
		out = append(out, rowMark(rows))
	}
	s, _ := collapseSpace(strings.Join(out, "\n"), 4*ExcerptLen)
	n := 0
	for i := range s {
		if n == ExcerptLen {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	if cut {
		return s + "…"
	}
	return s
}

func rowMark(n int) string {
	if n == 1 {
		return maskRow
	}
	return maskRows
}

// looksLikeRow says whether a redacted line looks like a quoted record.
func looksLikeRow(l string) bool {
	masks := 0
	for _, m := range []string{maskEmail, maskMyKad, maskPhone, maskNumber} {
		masks += strings.Count(l, m)
	}
	if masks >= 2 {
		return true
	}
	if masks == 0 {
		return false
	}
	for _, sep := range []string{",", ";", "|", "\t"} {
		if strings.Count(l, sep) >= 2 {
			return true
		}
	}
	return false
}

// prefix returns the first max runes of s (cut says there was more).
func prefix(s string, max int) (string, bool) {
	n := 0
	for i := range s {
		if n == max {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// collapseSpace turns every run of white space into one space, trims the
// ends, and stops after max runes (cut says it stopped early).
func collapseSpace(s string, max int) (out string, cut bool) {
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			if n >= max {
				return b.String(), true
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			return b.String(), true
		}
		b.WriteRune(r)
		n++
	}
	return b.String(), false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// allYears says whether every group of digits in s is a year 1900–2099
// ("2019 2020 2021 2022" is a list of years, not a card number).
func allYears(s string) bool {
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(g) != 4 || (g[:2] != "19" && g[:2] != "20") {
			return false
		}
	}
	return true
}
