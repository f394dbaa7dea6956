package intake

import (
	"bytes"
	"io"
)

// Combolists are credential lists, one "identifier SEP password" a line, SEP
// one of ':', ';', '|'. A line is split at the first SEP: passwords may hold
// the separator, identifiers (emails, user names) do not. The identifier's
// column is email when it is an email (an '@' with a '.' after it), else
// username; the second column is password.
//
// Stealer logs add the site in front (ULP: URL, login, password):
//
//	https://site.example/login:someone@mail.example:secret
//	android://hash@com.app/:user123:secret
//	site.example:someone@mail.example:secret
//
// and come out as url, email (or username), password. The rule: a line whose
// start is a scheme ("https://", "android://", …) has its URL end at the
// first SEP after the "://" that is not a port (":8080/"); what follows must
// hold another SEP with a non-empty identifier before it. A line that starts
// with a bare domain (letters, digits, '-' and '.', a letter-only last label)
// is read as ULP only when another SEP follows and either the identifier is
// an email or the domain starts with "www." or has a path — so that
// "john.smith:pass:word" stays a user name and a password holding a ':'.
//
// A blank line is skipped; a line without the separator, with nothing before
// it, or a URL with no login after it is rejected with ReasonNotCombo.

type comboReader struct {
	lr  *lineReader
	sep byte
	// The four column lists: a row's names is the one that fits it.
	email, user, urlEmail, urlUser []string
	vals                           [3]string
}

// newComboReader reads a combolist with the separator sep.
func newComboReader(r io.Reader, sep byte, lim Limits) rowReader {
	lim = lim.withDefaults()
	return &comboReader{lr: newLineReader(r, lim.MaxRecordBytes), sep: sep,
		email:    []string{"email", "password"},
		user:     []string{"username", "password"},
		urlEmail: []string{"url", "email", "password"},
		urlUser:  []string{"url", "username", "password"},
	}
}

func (c *comboReader) next() (row, error) {
	for {
		line, num, off, err := c.lr.next()
		if err != nil {
			return row{}, err
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		url, id, pass, ok := comboSplit(t, c.sep)
		if !ok {
			detail := "the line has no separator"
			if comboScheme(t) {
				detail = "a URL without a login and a password after it"
			} else if bytes.IndexByte(t, c.sep) >= 0 {
				detail = "nothing comes before the separator"
			}
			return row{}, &rowError{line: num, reason: ReasonNotCombo, detail: detail}
		}
		email := comboEmail(id)
		r := row{line: num, offset: off}
		switch {
		case url != nil && email:
			r.names = c.urlEmail
		case url != nil:
			r.names = c.urlUser
		case email:
			r.names = c.email
		default:
			r.names = c.user
		}
		if url != nil {
			c.vals[0], c.vals[1], c.vals[2] = string(url), string(id), string(pass)
			r.values = c.vals[:3]
		} else {
			c.vals[0], c.vals[1] = string(id), string(pass)
			r.values = c.vals[:2]
		}
		return r, nil
	}
}

// comboSplit splits the trimmed line t. url is nil unless the line is ULP;
// ok is false when there is no separator or no identifier, or when a URL has
// no login after it.
func comboSplit(t []byte, sep byte) (url, id, pass []byte, ok bool) {
	if comboScheme(t) {
		u, rest, found := comboURL(t, sep)
		if !found {
			return nil, nil, nil, false
		}
		i := bytes.IndexByte(rest, sep)
		if i <= 0 {
			return nil, nil, nil, false // a URL without a login after it
		}
		return u, rest[:i], rest[i+1:], true
	}
	i := bytes.IndexByte(t, sep)
	if i <= 0 {
		return nil, nil, nil, false
	}
	id, pass = t[:i], t[i+1:]
	if rest := pass; comboDomain(id) {
		if j := bytes.IndexByte(rest, sep); j > 0 {
			login := rest[:j]
			if comboEmail(login) || bytes.HasPrefix(id, []byte("www.")) || bytes.IndexByte(id, '/') >= 0 {
				return id, login, rest[j+1:], true
			}
		}
	}
	return nil, id, pass, true
}

// comboScheme reports whether t starts with "scheme://".
func comboScheme(t []byte) bool {
	s := bytes.Index(t, []byte("://"))
	if s <= 0 || s > 32 {
		return false
	}
	for i, c := range t[:s] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// comboURL splits the URL at the start of t (comboScheme(t) holds) off at
// the first sep after the "://" that is not a port.
func comboURL(t []byte, sep byte) (url, rest []byte, found bool) {
	s := bytes.Index(t, []byte("://"))
	inHost := true
	for i := s + 3; i < len(t); i++ {
		switch c := t[i]; {
		case c == '/':
			inHost = false
		case c == sep:
			if sep == ':' && inHost {
				// A port: digits, then '/' or another ':' that has a further
				// ':' after it (host:port:login:password).
				j := i + 1
				for j < len(t) && j-i <= 5 && t[j] >= '0' && t[j] <= '9' {
					j++
				}
				if j > i+1 && j < len(t) && (t[j] == '/' || t[j] == ':' && bytes.IndexByte(t[j+1:], ':') > 0) {
					i = j - 1
					continue
				}
			}
			return t[:i], t[i+1:], true
		}
	}
	return nil, nil, false
}

// comboDomain reports whether b looks like a domain, maybe with a path:
// letters, digits, '-' and '.', at least one dot, a last label of letters
// only.
func comboDomain(b []byte) bool {
	host := b
	if i := bytes.IndexByte(b, '/'); i >= 0 {
		host = b[:i]
	}
	dot := bytes.LastIndexByte(host, '.')
	if dot <= 0 || dot == len(host)-1 {
		return false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	for _, c := range host[dot+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// comboEmail reports whether b is an email: an '@' that is not first, with a
// '.' after it, and no space.
func comboEmail(b []byte) bool {
	at := bytes.IndexByte(b, '@')
	return at > 0 && bytes.IndexByte(b[at+1:], '.') > 0 && !bytes.ContainsAny(b, " \t")
}

// sniffCombo reports whether head is a combolist, and its separator. At least
// 80% of the non-blank lines (the last one left out: it may be cut) must be
// "identifier SEP rest" with no space or comma in the identifier, a
// non-empty rest and no space around the separator; the separator is the one
// most lines fit, ':' first when tied. Delimited text is kept out: a first
// line that looks like a header (more than 2 fields, or column names like
// no_kp or email) means no, and so do values with spaces unless most
// identifiers are emails, and so does a rest that holds the separator again
// on most lines (three fields or more; ULP lines count their URL apart).
func sniffCombo(head []byte) (ok bool, sep byte) {
	lines := headLines(head)
	var best struct {
		sep                          byte
		match, emails, spaced, multi int
	}
	total := 0
	var first []byte
	for _, line := range lines {
		if t := bytes.TrimSpace(line); len(t) > 0 {
			total++
			if first == nil {
				first = t
			}
		}
	}
	if total == 0 {
		return false, 0
	}
	for _, s := range []byte{':', ';', '|'} {
		match, emails, spaced, multi := 0, 0, 0, 0
		for _, line := range lines {
			t := bytes.TrimSpace(line)
			if len(t) == 0 {
				continue
			}
			url, id, pass, ok := comboSplit(t, s)
			if !ok || len(pass) == 0 || bytes.ContainsAny(id, " \t,") || bytes.ContainsAny(url, " \t") ||
				pass[0] == ' ' || pass[0] == '\t' {
				continue
			}
			match++
			if bytes.IndexByte(pass, s) >= 0 {
				multi++
			}
			if comboEmail(id) {
				emails++
			}
			if bytes.ContainsAny(pass, " \t") {
				spaced++
			}
		}
		if match > best.match {
			best.sep, best.match, best.emails, best.spaced, best.multi = s, match, emails, spaced, multi
		}
	}
	if best.match == 0 || best.match*100 < total*80 {
		return false, 0
	}
	if comboHeader(first, best.sep) {
		return false, 0
	}
	if best.emails*2 <= best.match && best.spaced > 0 {
		return false, 0
	}
	if best.multi*2 > best.match {
		return false, 0 // three fields and more: delimited text
	}
	return true, best.sep
}

// comboHeader reports whether the first line looks like the header of
// delimited text: more than 2 word-like fields, or fields that are all
// usual column names (email, password, nama, …, or a name with '_' like
// no_kp).
func comboHeader(t []byte, sep byte) bool {
	fields := bytes.Split(t, []byte{sep})
	words, named := 0, 0
	for _, f := range fields {
		f = bytes.TrimSpace(f)
		if !comboWord(f) {
			continue
		}
		words++
		switch string(bytes.ToLower(f)) {
		case "email", "e-mail", "mail", "password", "pass", "passwd", "pwd", "user", "username",
			"login", "name", "nama", "id", "phone", "ic", "hash", "url":
			named++
			continue
		}
		if bytes.IndexByte(f, '_') > 0 && !bytes.ContainsAny(f, "0123456789") {
			named++
		}
	}
	if len(fields) > 2 && words == len(fields) {
		return true
	}
	return named == len(fields)
}

func comboWord(f []byte) bool {
	if len(f) == 0 || !(f[0] >= 'a' && f[0] <= 'z' || f[0] >= 'A' && f[0] <= 'Z') {
		return false
	}
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ' ' || c == '-') {
			return false
		}
	}
	return true
}
