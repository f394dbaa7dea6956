package record

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask returns a value of field f in a form that is safe to print: enough
// for a DPO to recognise the shape of a row (the birth date part of a MyKad,
// an email's domain, a name's initials), never enough to identify a person.
// Masks hide the length of what they hide, so "a***" is all a name token
// ever shows. Every log line, error, preview and API response goes through
// Mask; nothing else prints a value.
func Mask(f Field, v string) string {
	if v == "" {
		return ""
	}
	switch f {
	case IC:
		if len(v) == 12 && allDigits(v) {
			return v[:6] + "-**-***" + v[11:]
		}
	case NIK:
		if len(v) == 16 && allDigits(v) {
			return v[:4] + "***********" + v[15:]
		}
	case Phone:
		if len(v) > 6 {
			return v[:5] + "*****" + v[len(v)-2:]
		}
	case Email:
		if at := strings.LastIndexByte(v, '@'); at > 0 {
			return firstRune(v[:at]) + "***" + v[at:]
		}
	case Name:
		toks := strings.Fields(v)
		for i, t := range toks {
			toks[i] = firstRune(t) + "***"
		}
		return strings.Join(toks, " ")
	case DOB:
		if len(v) == 10 && v[4] == '-' {
			return v[:4] + "-**-**"
		}
	case Gender, State:
		return v
	case Postcode:
		if len(v) == 5 {
			return v[:2] + "***"
		}
	case Address:
		if pc := lastPostcode(v); pc != "" {
			return "*** " + pc
		}
		return "***"
	case "password", "pass", "passwd", "hash", "password_hash", "pin", "otp", "token", "secret":
		return "***"
	}
	return firstRune(v) + "***"
}

func firstRune(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return "*"
	}
	return s[:n]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lastPostcode finds the last five-digit token of an address.
func lastPostcode(s string) string {
	toks := strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	for i := len(toks) - 1; i >= 0; i-- {
		if len(toks[i]) == 5 {
			return toks[i]
		}
	}
	return ""
}
