package normalize

import (
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Options configures a Normalizer.
type Options struct {
	// Now is the reference for two-digit years and "not in the future"
	// checks; zero means time.Now() at the time New is called. Pin it in
	// tests and for reproducible re-runs of a job.
	Now time.Time
	// Region is the default phone region, ISO 3166 alpha-2: "MY" (the
	// default when empty) or "ID"; other regions are handed to
	// libphonenumber as they are.
	Region string
}

// Normalizer normalises personal-data values. It holds no mutable state and
// is safe for concurrent use.
type Normalizer struct {
	today   int // reference date as yyyymmdd, in the location of Options.Now
	yy      int // reference year modulo 100: the two-digit-year pivot
	century int // reference year minus yy
	region  string
}

// New returns a Normalizer for o. The reference date is fixed here, once,
// rather than read per value, so that a job sees one consistent "now".
func New(o Options) *Normalizer {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	region := strings.ToUpper(strings.TrimSpace(o.Region))
	if region == "" {
		region = "MY"
	}
	y, m, d := now.Date()
	return &Normalizer{
		today:   y*10000 + int(m)*100 + d,
		yy:      y % 100,
		century: y - y%100,
		region:  region,
	}
}

// Field normalises s as the canonical field named field (the names of
// record.Field) and returns the canonical string. Any other field name gets
// only whitespace treatment, because the package knows nothing about its
// shape.
func (n *Normalizer) Field(field, s string) (string, error) { return n.FieldIn(nil, field, s) }

// FieldIn is Field with the strings it builds taken from a (see Strings),
// which may be nil: for a goroutine that normalises many values and keeps
// the results.
func (n *Normalizer) FieldIn(a *Strings, field, s string) (string, error) {
	switch field {
	case "ic":
		num, _, _, _, _, err := n.myKad(a, s)
		return num, err
	case "nik":
		k, err := n.NIK(s)
		return k.Number, err
	case "name":
		return n.name(a, s)
	case "phone":
		return n.phone(a, s)
	case "email":
		return n.email(a, s)
	case "dob":
		return n.Date(s)
	case "gender":
		return n.Gender(s)
	case "address":
		ad, err := n.address(a, s)
		return ad.Text, err
	case "postcode":
		return n.Postcode(s)
	case "state":
		return n.State(s)
	}
	return plain(field, s)
}

// plain trims s and folds Unicode spaces to ASCII spaces.
func plain(field, s string) (string, error) {
	s = trimSpace(s)
	if s == "" {
		return "", Invalid{Field: field, Reason: "empty"}
	}
	if isASCII(s) {
		// Other ASCII whitespace (tabs, newlines inside a quoted cell) is
		// left alone: it may be meaningful in a free-text column.
		return s, nil
	}
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return ' '
		}
		return r
	}, s), nil
}

// isSpace reports the runes treated as white space: Unicode White_Space
// plus the zero-width characters that spreadsheets and web forms leave
// behind and that are invisible to whoever typed the value.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSpace[r]
	}
	switch r {
	case '\u200B', '\u2060', '\uFEFF', '\u180E':
		return true
	}
	return unicode.IsSpace(r)
}

var asciiSpace = [utf8.RuneSelf]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

// isDash reports the Unicode dashes word processors substitute for '-'.
func isDash(r rune) bool {
	return r == '-' || (r >= '\u2010' && r <= '\u2015') || r == '\u2212' || r == '\uFE63' || r == '\uFF0D'
}

// isApostrophe reports the characters used as apostrophes in names such as
// Dato' and O'Neil; they are dropped so that the parts join.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u02BC', '\u02BB', '\u00B4', '\u2032', '\uFF07':
		return true
	}
	return false
}

func trimSpace(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[size:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// clean trims s and drops a leading "'", the marker spreadsheets use to
// keep a number-like cell as text (and so to keep its leading zero).
func clean(s string) string {
	s = trimSpace(s)
	if len(s) > 0 && s[0] == '\'' {
		s = trimSpace(s[1:])
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// folders pools case folders: a cases.Caser may keep state between calls
// and must not be shared between goroutines, and building one per value
// would allocate on every non-ASCII row.
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// foldUnicode applies NFKC and full case folding, then NFKC again because
// folding can produce sequences that compose differently.
func foldUnicode(s string) string {
	c := folders.Get().(*cases.Caser)
	s = norm.NFKC.String(c.String(norm.NFKC.String(s)))
	folders.Put(c)
	return s
}

// fullYear expands a two-digit year: years up to the reference year's last
// two digits are this century, the rest the previous one.
func (n *Normalizer) fullYear(yy int) int {
	if yy <= n.yy {
		return n.century + yy
	}
	return n.century - 100 + yy
}

func validDate(y, m, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// num2 reads two ASCII digits.
func num2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanDigits copies the digits of s into buf, skipping the ASCII
// separators sep accepts and any Unicode space or dash, and accepting
// full-width digits. It returns how many digits it saw (which may exceed
// len(buf)) and false when s holds anything else.
func scanDigits(s string, buf []byte, sep *[utf8.RuneSelf]bool) (int, bool) {
	k := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if isDigit(c) {
				if k < len(buf) {
					buf[k] = c
				}
				k++
			} else if !sep[c] {
				return k, false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= '\uFF10' && r <= '\uFF19':
			if k < len(buf) {
				buf[k] = byte(r-'\uFF10') + '0'
			}
			k++
		case isSpace(r) || isDash(r):
		default:
			return k, false
		}
	}
	return k, true
}

// errNeedsFolding is returned by the single-pass scanners of names and
// addresses when the text holds a rune that Unicode folding must see first.
// It never leaves the package.
var errNeedsFolding = errors.New("normalize: text needs Unicode folding")
