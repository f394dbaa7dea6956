package normalize

import (
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

var phoneSep = [utf8.RuneSelf]bool{' ': true, '-': true, '.': true, '(': true, ')': true, '/': true, '\t': true}

// Phone returns the E.164 form of a phone number, e.g. "+60123456789".
//
// The common Malaysian and Indonesian shapes are decided by the fast path
// below; anything else (other countries, toll-free and premium numbers,
// lengths the fast path does not know) goes to libphonenumber, parsed with
// the Normalizer's default region and kept only if it is a valid number.
func (n *Normalizer) Phone(s string) (string, error) { return n.phone(nil, s) }

func (n *Normalizer) phone(a *Strings, s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", errPhoneEmpty
	}
	var buf [20]byte
	nd, plus := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case isDigit(c):
				if nd < len(buf) {
					buf[nd] = c
				}
				nd++
			case phoneSep[c]:
			case c == '+' && nd == 0 && !plus:
				plus = true
			default:
				// Letters included: vanity numbers and "ext" suffixes are
				// not something a leak sample should be matched on.
				return "", errPhoneChar
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= '\uFF10' && r <= '\uFF19':
			if nd < len(buf) {
				buf[nd] = byte(r-'\uFF10') + '0'
			}
			nd++
		case r == '\uFF0B' && nd == 0 && !plus:
			plus = true
		case isSpace(r) || isDash(r) || r == '\uFF08' || r == '\uFF09':
		default:
			return "", errPhoneChar
		}
	}
	if nd < 7 {
		return "", errPhoneFew
	}
	if nd > len(buf) {
		return "", errPhoneMany
	}
	d := buf[:nd]
	intl := plus
	if !plus && d[0] == '0' && d[1] == '0' { // 00 is the international prefix in both MY and ID
		d, intl = d[2:], true
	}
	if len(d) > 15 {
		return "", errPhoneMany
	}
	if len(d) < 7 {
		return "", errPhoneFew
	}
	if d[0] == '0' && !intl {
		// A trunk 0: national format, whose country is the default region.
		switch n.region {
		case "MY":
			if myNational(d[1:]) {
				return e164(a, s, "60", d[1:]), nil
			}
		case "ID":
			if idNational(d[1:]) {
				return e164(a, s, "62", d[1:]), nil
			}
		}
		return n.phoneSlow(d, false)
	}
	// With or without a plus, 60/62 followed by a well-formed national
	// number is international: national numbers in both countries start
	// with the trunk 0, so nothing else begins with 6 and has that shape.
	if d[0] == '6' && (d[1] == '0' || d[1] == '2') {
		sig := d[2:]
		if len(sig) > 0 && sig[0] == '0' { // "+60 012..." keeps a stray trunk 0
			sig = sig[1:]
		}
		if d[1] == '0' && myNational(sig) {
			return e164(a, s, "60", sig), nil
		}
		if d[1] == '2' && idNational(sig) {
			return e164(a, s, "62", sig), nil
		}
	}
	if !intl {
		// Spreadsheets drop the trunk 0 of numbers stored as numbers.
		switch n.region {
		case "MY":
			if myNational(d) {
				return e164(a, s, "60", d), nil
			}
		case "ID":
			if idNational(d) {
				return e164(a, s, "62", d), nil
			}
		}
	}
	return n.phoneSlow(d, intl)
}

// myNational reports whether d (without the trunk 0) has the shape of a
// Malaysian mobile or geographic number. It is deliberately a shape test:
// libphonenumber's finer sub-range checks are not worth their cost here.
// 015 (IP telephony), 1-300/1-800 and ten-digit 019 numbers are left to the
// slow path.
func myNational(d []byte) bool {
	if len(d) < 8 {
		return false
	}
	switch d[0] {
	case '1': // mobile: 01X + 7 digits, 011 + 8
		switch d[1] {
		case '1':
			return len(d) == 10
		case '5':
			return false
		}
		return len(d) == 9
	case '3': // Klang Valley: 03 + 8
		return len(d) == 9
	case '4', '5', '6', '7', '9': // other peninsular areas: 0X + 7
		return len(d) == 8
	case '8': // Sabah and Sarawak: 08[2-9] + 6
		return d[1] >= '2' && len(d) == 8
	}
	return false
}

// idNational reports whether d (without the trunk 0) is an Indonesian
// mobile number: 8 then 8 to 11 digits, the second digit not 4 (unused).
// Indonesian landlines vary too much in length for a shape test.
func idNational(d []byte) bool {
	return len(d) >= 9 && len(d) <= 12 && d[0] == '8' && d[1] >= '1' && d[1] != '4'
}

// e164 builds "+" cc sig, reusing s when it already is that string, and
// taking the string from a (which may be nil) otherwise.
func e164(a *Strings, s, cc string, sig []byte) string {
	var out [20]byte
	out[0] = '+'
	k := 1 + copy(out[1:], cc)
	k += copy(out[k:], sig)
	if s == string(out[:k]) {
		return s
	}
	return a.of(out[:k])
}

// phoneSlow hands the digits, not the raw value, to libphonenumber, so that
// it sees no letters (which it would read as a vanity number) and no
// extension.
func (n *Normalizer) phoneSlow(d []byte, intl bool) (string, error) {
	var in [21]byte
	k := 0
	if intl {
		in[0] = '+'
		k = 1
	}
	k += copy(in[k:], d)
	num, err := phonenumbers.Parse(string(in[:k]), n.region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", errPhoneInvalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
