package normalize

import (
	"sync"
	"unicode/utf8"
)

// months maps English, Malay and Indonesian month names and abbreviations
// (lower case, without a trailing dot) to month numbers.
var months = map[string]int{}

func init() {
	for m, names := range [12][]string{
		{"jan", "january", "januari"},
		{"feb", "february", "februari", "pebruari", "peb"},
		{"mar", "march", "mac", "maret"},
		{"apr", "april"},
		{"may", "mei"},
		{"jun", "june", "juni"},
		{"jul", "july", "julai", "juli"},
		{"aug", "august", "ogo", "ogos", "agu", "agt", "agus", "agustus"},
		{"sep", "sept", "september"},
		{"oct", "october", "okt", "oktober"},
		{"nov", "november", "nop", "nopember"},
		{"dec", "december", "dis", "disember", "des", "desember"},
	} {
		for _, name := range names {
			months[name] = m + 1
		}
	}
}

// dateTok is a number (nd digits) or, when word is set, a month.
type dateTok struct {
	v, nd int
	word  bool
}

// Date returns a date as YYYY-MM-DD.
//
// Numeric day/month order follows the Malaysian and Indonesian convention,
// day first, unless only month-first makes sense (the second number is over
// 12). Two-digit years use the same pivot as MyKad numbers. Dates before
// 1900 or after the reference date are rejected: the field is a birth date.
func (n *Normalizer) Date(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", errDateEmpty
	}
	y, m, d, err := n.parseDate(s)
	if err != nil {
		return "", err
	}
	if !validDate(y, m, d) {
		return "", errDateBad
	}
	if y < 1900 {
		return "", errDateYear
	}
	if y*10000+m*100+d > n.today {
		return "", errDateFuture
	}
	if y < dateTableEnd {
		// Every date a birth date can be is in the table: no allocation.
		return isoDate(y, m, d), nil
	}
	out := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-',
		byte('0' + d/10), byte('0' + d%10),
	}
	if s == string(out[:]) {
		return s, nil
	}
	return string(out[:]), nil
}

// The dates from 1900 to dateTableEnd, as YYYY-MM-DD, are kept in one
// string (744 KB, built on first use), 31 days to every month, so that
// Date returns a slice of it instead of allocating ten bytes a row.
const dateTableEnd = 2100

var dateTable = sync.OnceValue(func() string {
	b := make([]byte, 0, (dateTableEnd-1900)*12*31*10)
	for y := 1900; y < dateTableEnd; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= 31; d++ {
				b = append(b,
					byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
					byte('0'+m/10), byte('0'+m%10), '-',
					byte('0'+d/10), byte('0'+d%10))
			}
		}
	}
	return string(b)
})

// isoDate returns y-m-d as YYYY-MM-DD from dateTable; 1900 <= y <
// dateTableEnd, 1 <= m <= 12, 1 <= d <= 31.
func isoDate(y, m, d int) string {
	i := (((y-1900)*12+m-1)*31 + d - 1) * 10
	return dateTable()[i : i+10]
}

func (n *Normalizer) parseDate(s string) (y, m, d int, err error) {
	// ISO 8601 date, possibly followed by a time ("2006-01-02T15:04:05Z",
	// "2006-01-02 15:04:05"), which is dropped.
	if len(s) >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4] && allDigits(s[0:4]) && allDigits(s[5:7]) && allDigits(s[8:10]) {
		if len(s) == 10 || (len(s) > 11 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && isDigit(s[11])) {
			return atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10]), nil
		}
	}

	var t [3]dateTok
	nt := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isDigit(c):
			j, v := i, 0
			for j < len(s) && isDigit(s[j]) {
				if j-i < 9 {
					v = v*10 + int(s[j]-'0')
				}
				j++
			}
			if nt == 3 {
				// A time after a complete date: "02/01/2006 10:30".
				if j-i <= 2 && j < len(s) && s[j] == ':' {
					i = len(s)
					continue
				}
				return 0, 0, 0, errDateFormat
			}
			t[nt] = dateTok{v: v, nd: j - i}
			nt++
			i = j
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			j := i
			for j < len(s) && s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z' {
				j++
			}
			if nt == 3 {
				return 0, 0, 0, errDateFormat
			}
			mon := monthOf(s[i:j])
			if mon == 0 {
				return 0, 0, 0, errDateMonth
			}
			t[nt] = dateTok{v: mon, word: true}
			nt++
			i = j
		case c == ' ' || c == '-' || c == '/' || c == '.' || c == ',' || c == '\t':
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isSpace(r) && !isDash(r) {
				return 0, 0, 0, errDateFormat
			}
			i += size
		default:
			return 0, 0, 0, errDateFormat
		}
	}

	a, b, c := t[0], t[1], t[2]
	switch {
	case nt == 1 && a.nd == 8:
		// 20060102, or else 02012006: a day-first reading has a year of at
		// most 1231 when the year-first one is plausible, so at most one
		// of them passes the range check.
		y, m, d = a.v/10000, a.v/100%100, a.v%100
		if !validDate(y, m, d) || y < 1900 {
			d, m, y = a.v/1000000, a.v/10000%100, a.v%10000
		}
		return y, m, d, nil
	case nt != 3:
		return 0, 0, 0, errDateFormat
	case !a.word && !b.word && !c.word:
		if a.nd == 4 && b.nd <= 2 && c.nd <= 2 {
			return a.v, b.v, c.v, nil
		}
		if a.nd <= 2 && b.nd <= 2 && (c.nd == 4 || c.nd == 2) {
			d, m = a.v, b.v
			if a.v <= 12 && b.v > 12 {
				d, m = b.v, a.v
			}
			return n.year(c), m, d, nil
		}
	case !a.word && b.word && !c.word: // 02 Jan 2006, 2006 Jan 02
		if a.nd <= 2 && (c.nd == 4 || c.nd == 2) {
			return n.year(c), b.v, a.v, nil
		}
		if a.nd == 4 && c.nd <= 2 {
			return a.v, b.v, c.v, nil
		}
	case a.word && !b.word && !c.word: // Jan 2, 2006
		if b.nd <= 2 && (c.nd == 4 || c.nd == 2) {
			return n.year(c), a.v, b.v, nil
		}
	}
	return 0, 0, 0, errDateFormat
}

func (n *Normalizer) year(t dateTok) int {
	if t.nd == 2 {
		return n.fullYear(t.v)
	}
	return t.v
}

// monthOf returns the month a name or abbreviation stands for, 0 if none.
func monthOf(w string) int {
	if len(w) < 3 || len(w) > 9 {
		return 0
	}
	var b [9]byte
	for i := 0; i < len(w); i++ {
		b[i] = w[i] | 0x20
	}
	return months[string(b[:len(w)])]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
