package store

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	fieldRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	alpha2  = regexp.MustCompile(`^[A-Z]{2}$`)
	hexRE   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

const maxText = 200 // runes, for names, aliases, sector, loaded_by

func invalid(format string, args ...any) error {
	return fmt.Errorf("store: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func checkSlug(what, s string) error {
	if !slugRE.MatchString(s) {
		return invalid("%s %q: must be 1-63 of lower-case a-z, 0-9, '_' and '-', starting with a letter or digit (e.g. \"perkeso\")", what, s)
	}
	return nil
}

// checkSourceID splits "org/source".
func checkSourceID(id string) (org string, err error) {
	org, source, ok := strings.Cut(id, "/")
	if !ok || !slugRE.MatchString(org) || !slugRE.MatchString(source) {
		return "", invalid("source id %q: must be \"org/source\", each part 1-63 of lower-case a-z, 0-9, '_' and '-' starting with a letter or digit (e.g. \"perkeso/contributors\")", id)
	}
	return org, nil
}

// cleanText trims s and checks it is printable, not too long and names
// something (holds a letter or digit).
func cleanText(what, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", invalid("%s is empty: give a name", what)
		}
		return "", nil
	}
	if !utf8.ValidString(s) {
		return "", invalid("%s %q is not valid UTF-8", what, s)
	}
	if n := utf8.RuneCountInString(s); n > maxText {
		return "", invalid("%s is %d characters long, at most %d allowed", what, n, maxText)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid("%s %q holds a control character (%U): use plain text on one line", what, s, r)
		}
	}
	return s, nil
}

// fold is the lookup form of an org id, name or alias: NFKC, lower case,
// letters and digits only. "PERKESO", "Perkeso" and "per-keso" fold alike,
// and so do full-width and other compatibility forms.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// checkFields checks a list of field names: each matches fieldRE, none twice.
func checkFields(what string, fields []string) error {
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if !fieldRE.MatchString(f) {
			return invalid("%s: field name %q must be 1-64 of lower-case a-z, 0-9 and '_', starting with a letter (e.g. \"ic\", \"tarikh_lahir\")", what, f)
		}
		if seen[f] {
			return invalid("%s: field %q is listed twice", what, f)
		}
		seen[f] = true
	}
	return nil
}
