package normalize

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// Email returns the trimmed, case-folded address. Dots and +tags are kept:
// whether they are significant depends on the provider, and a leak that
// quotes an address exactly is stronger evidence than one that does not.
// The local part is folded too, although RFC 5321 makes it case-sensitive,
// because no provider we see treats it so and exports disagree on case.
func (n *Normalizer) Email(s string) (string, error) { return n.email(nil, s) }

func (n *Normalizer) email(a *Strings, s string) (string, error) {
	s = trimSpace(s)
	s = stripMailto(s)
	if len(s) > 0 && s[len(s)-1] == '>' {
		// "<a@b.c>" or "Name <a@b.c>": the display name is not the address.
		i := strings.LastIndexByte(s, '<')
		if i < 0 {
			return "", errEmailNotOne
		}
		s = stripMailto(trimSpace(s[i+1 : len(s)-1]))
	}
	if s == "" {
		return "", errEmailEmpty
	}
	at, upper, ascii := -1, false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '@':
			if at >= 0 {
				return "", errEmailAts
			}
			at = i
		case c <= ' ' || c == 0x7f:
			return "", errEmailSpace
		case c >= utf8.RuneSelf:
			ascii = false
		case c >= 'A' && c <= 'Z':
			upper = true
		}
	}
	if at < 0 {
		return "", errEmailNotOne
	}
	if at == 0 {
		return "", errEmailLocal
	}
	if !validDomain(s[at+1:]) {
		return "", errEmailDomain
	}
	if ascii {
		if upper {
			// Already known to be ASCII: skip strings.ToLower's own scan,
			// and fold on the stack so the result is the only allocation.
			var arr [64]byte
			b := arr[:0]
			if len(s) > len(arr) {
				b = make([]byte, 0, len(s))
			}
			b = b[:len(s)]
			for i := 0; i < len(s); i++ {
				c := s[i]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				b[i] = c
			}
			return a.of(b), nil
		}
		return s, nil
	}
	for _, r := range s {
		if isSpace(r) {
			return "", errEmailSpace
		}
	}
	c := folders.Get().(*cases.Caser)
	s = c.String(s)
	folders.Put(c)
	return s, nil
}

func stripMailto(s string) string {
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		return trimSpace(s[7:])
	}
	return s
}

// validDomain wants at least two non-empty labels of letters, digits and
// hyphens (or non-ASCII, for internationalised domains).
func validDomain(d string) bool {
	if d == "" || d[0] == '.' || d[len(d)-1] == '.' || strings.IndexByte(d, '.') < 0 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '.':
			if d[i+1] == '.' {
				return false
			}
		case c == '-', isDigit(c), c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= utf8.RuneSelf:
		default:
			return false
		}
	}
	return true
}
