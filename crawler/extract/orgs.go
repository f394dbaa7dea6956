package extract

import (
	"sort"
	"strings"
	"unicode"
)

// OrgMatcher finds the registered organisations a text names, returning
// their ids. The crawler only needs this much of the organisation
// register; cmd/ wires the real one in.
type OrgMatcher interface {
	Match(text string) []string
}

// AliasTable is an OrgMatcher over a fixed table of names.
type AliasTable struct {
	names []aliasName
}

type aliasName struct {
	norm string // normalised, padded with spaces
	id   string
}

// Aliases returns an OrgMatcher from org id to the names it goes by, e.g.
// {"socso": {"Socso", "PERKESO", "Pertubuhan Keselamatan Sosial"}}. A name
// matches as whole words, ignoring case and punctuation.
func Aliases(table map[string][]string) *AliasTable {
	a := &AliasTable{}
	for id, names := range table {
		for _, n := range append([]string{id}, names...) {
			norm := normalizeWords(n)
			if len(strings.TrimSpace(norm)) < 3 {
				continue // "MY", "ID": too many false hits
			}
			a.names = append(a.names, aliasName{norm: norm, id: id})
		}
	}
	return a
}

// Match returns the sorted ids of the organisations named in text.
func (a *AliasTable) Match(text string) []string {
	if a == nil {
		return nil
	}
	t := normalizeWords(text)
	seen := map[string]bool{}
	var ids []string
	for _, n := range a.names {
		if !seen[n.id] && strings.Contains(t, n.norm) {
			seen[n.id] = true
			ids = append(ids, n.id)
		}
	}
	sort.Strings(ids)
	return ids
}

// normalizeWords lower-cases, turns every run of non-letters/digits into
// one space and pads with spaces, so Contains matches whole words.
func normalizeWords(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}
