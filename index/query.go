package index

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is a parsed search query. Only Parse and the types of this file
// make one: a user's text never reaches bleve except through them.
type Query interface {
	// String prints the query as a tree, as the golden files show it.
	String() string
	isQuery()
}

// All matches every posting (the empty query).
type All struct{}

// Text matches a word, or with Phrase set a phrase, in the title or body.
type Text struct {
	Value  string
	Phrase bool
}

// Field matches a facet field exactly (after case folding).
type Field struct {
	Field string // the facet name: site, actor, victim, sector, country, data_class, verdict, language, offer
	Value string
}

// Posted matches postings posted in [From, To); a zero bound is open.
type Posted struct {
	From, To time.Time
}

// Records matches the claimed record count. A nil bound is open.
type Records struct {
	Min, Max                   *int64
	MinInclusive, MaxInclusive bool
}

// And matches what all its parts match.
type And []Query

// Or matches what any of its parts match.
type Or []Query

// Not matches what its part does not.
type Not struct{ Q Query }

func (All) isQuery()     {}
func (Text) isQuery()    {}
func (Field) isQuery()   {}
func (Posted) isQuery()  {}
func (Records) isQuery() {}
func (And) isQuery()     {}
func (Or) isQuery()      {}
func (Not) isQuery()     {}

func (All) String() string { return "(all)" }
func (t Text) String() string {
	if t.Phrase {
		return "(phrase " + strconv.Quote(t.Value) + ")"
	}
	return "(word " + strconv.Quote(t.Value) + ")"
}
func (f Field) String() string { return "(" + f.Field + " " + strconv.Quote(f.Value) + ")" }
func (p Posted) String() string {
	d := func(t time.Time) string {
		if t.IsZero() {
			return "*"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "(posted " + d(p.From) + " .. " + d(p.To) + ")"
}
func (r Records) String() string {
	var parts []string
	if r.Min != nil {
		op := ">"
		if r.MinInclusive {
			op = ">="
		}
		parts = append(parts, op+strconv.FormatInt(*r.Min, 10))
	}
	if r.Max != nil {
		op := "<"
		if r.MaxInclusive {
			op = "<="
		}
		parts = append(parts, op+strconv.FormatInt(*r.Max, 10))
	}
	return "(records " + strings.Join(parts, " ") + ")"
}
func (a And) String() string { return list("and", a) }
func (o Or) String() string  { return list("or", o) }
func (n Not) String() string { return "(not " + n.Q.String() + ")" }

func list(op string, qs []Query) string {
	var b strings.Builder
	b.WriteString("(" + op)
	for _, q := range qs {
		b.WriteString(" " + q.String())
	}
	b.WriteString(")")
	return b.String()
}

// QueryError is a query that does not parse: Pos is the byte offset in
// the query where the problem is.
type QueryError struct {
	Pos int
	Msg string
}

func (e *QueryError) Error() string { return fmt.Sprintf("query: at position %d: %s", e.Pos, e.Msg) }

// Limits on a query, so a hostile one cannot make the parser or bleve work
// unboundedly.
const (
	MaxQueryBytes = 2048
	maxDepth      = 20
	maxTerms      = 64
)

// fieldNames maps what a user may write before ':' to the facet name.
var fieldNames = map[string]string{
	"site": "site", "actor": "actor", "author": "actor", "victim": "victim",
	"sector": "sector", "country": "country", "class": "data_class", "data_class": "data_class",
	"verdict": "verdict", "lang": "language", "language": "language", "offer": "offer",
	"posted": "posted", "records": "records",
}

const fieldList = "site, actor, victim, sector, country, class, verdict, lang, offer, posted, records"

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tPhrase
	tField
	tAnd
	tOr
	tNot
	tLParen
	tRParen
)

type token struct {
	kind     tokKind
	pos      int
	text     string // word, phrase or field value
	field    string // for tField: the facet name
	valuePos int    // for tField: where the value starts
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tWord:
		return fmt.Sprintf("word %q", t.text)
	case tPhrase:
		return "a phrase"
	case tField:
		return t.field + ":"
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	case tLParen:
		return "("
	default:
		return ")"
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return append(toks, token{kind: tEOF, pos: len(s)}), nil
		}
		start := i
		switch c := s[i]; {
		case c == '(':
			toks = append(toks, token{kind: tLParen, pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, pos: i})
			i++
		case c == '"':
			text, end, err := phrase(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tPhrase, pos: start, text: text})
			i = end
		case c == '-':
			if i+1 >= len(s) || isSpace(s[i+1]) || s[i+1] == ')' {
				return nil, &QueryError{i, "expected a word, phrase, field:value or ( after -"}
			}
			toks = append(toks, token{kind: tNot, pos: i})
			i++
		default:
			for i < len(s) && !isSpace(s[i]) && s[i] != '(' && s[i] != ')' && s[i] != '"' {
				i++
			}
			w := s[start:i]
			switch w {
			case "AND":
				toks = append(toks, token{kind: tAnd, pos: start})
				continue
			case "OR":
				toks = append(toks, token{kind: tOr, pos: start})
				continue
			case "NOT":
				toks = append(toks, token{kind: tNot, pos: start})
				continue
			}
			name, val, hasColon := strings.Cut(w, ":")
			if !hasColon || !isFieldName(name) {
				toks = append(toks, token{kind: tWord, pos: start, text: w})
				continue
			}
			field, ok := fieldNames[strings.ToLower(name)]
			if !ok {
				return nil, &QueryError{start, fmt.Sprintf("unknown field %q: expected one of %s (quote the text to search for it)", name, fieldList)}
			}
			vpos := start + len(name) + 1
			if val == "" {
				if i < len(s) && s[i] == '"' {
					text, end, err := phrase(s, i)
					if err != nil {
						return nil, err
					}
					val, i = text, end
					vpos++
				} else {
					return nil, &QueryError{vpos, fmt.Sprintf("expected a value after %s:", name)}
				}
			}
			toks = append(toks, token{kind: tField, pos: start, text: val, field: field, valuePos: vpos})
		}
	}
}

// isFieldName says whether the text before a ':' looks like a field name
// (letters and '_' only). "10:30" stays a word; "foo:bar" is an unknown
// field, an error rather than a silent word search.
func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// phrase reads a quoted phrase starting at s[i] == '"'. A backslash
// escapes a quote or a backslash.
func phrase(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
				b.WriteByte(s[j+1])
				j++
				continue
			}
			b.WriteByte('\\')
		case '"':
			if strings.TrimSpace(b.String()) == "" {
				return "", 0, &QueryError{i, "empty phrase: expected text between the quotes"}
			}
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, &QueryError{i, `unterminated phrase: expected a closing "`}
}

type parser struct {
	toks  []token
	i     int
	depth int
	terms int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// Parse parses a search query:
//
//	socso "data bocor" victim:PERKESO -site:pastebin
//	(bpjs OR "bpjs kesehatan") AND NOT offer:free
//	posted:2024-01-01..2024-06-30 records:>=1000000 lang:ms
//
// Words and phrases search titles (ranked higher) and bodies; words next to
// each other must all match; NOT binds tighter than AND, AND tighter than
// OR; field names are case-insensitive, operators must be upper case. The
// empty query matches everything.
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return nil, &QueryError{MaxQueryBytes, fmt.Sprintf("query longer than %d bytes", MaxQueryBytes)}
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, &QueryError{i, "invalid UTF-8"}
			}
			i += n
		}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return All{}, nil
	}
	p := &parser{toks: toks}
	q, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, &QueryError{t.pos, "unexpected ): no ( to close"}
		}
		return nil, &QueryError{t.pos, "expected end of query, found " + describe(t)}
	}
	return q, nil
}

func (p *parser) or() (Query, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	qs := []Query{first}
	for p.peek().kind == tOr {
		p.next()
		q, err := p.and()
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	if len(qs) == 1 {
		return first, nil
	}
	return Or(qs), nil
}

func startsUnary(k tokKind) bool {
	return k == tWord || k == tPhrase || k == tField || k == tNot || k == tLParen
}

func (p *parser) and() (Query, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	qs := []Query{first}
	for {
		k := p.peek().kind
		if k == tAnd {
			p.next()
		} else if !startsUnary(k) {
			break
		}
		q, err := p.unary()
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	if len(qs) == 1 {
		return first, nil
	}
	return And(qs), nil
}

func (p *parser) unary() (Query, error) {
	if p.peek().kind != tNot {
		return p.primary()
	}
	t := p.next()
	if p.depth++; p.depth > maxDepth {
		return nil, &QueryError{t.pos, fmt.Sprintf("query nested deeper than %d levels", maxDepth)}
	}
	defer func() { p.depth-- }()
	q, err := p.unary()
	if err != nil {
		return nil, err
	}
	if n, ok := q.(Not); ok { // NOT NOT x is x
		return n.Q, nil
	}
	return Not{q}, nil
}

func (p *parser) primary() (Query, error) {
	t := p.next()
	if t.kind == tWord || t.kind == tPhrase || t.kind == tField {
		if p.terms++; p.terms > maxTerms {
			return nil, &QueryError{t.pos, fmt.Sprintf("more than %d terms", maxTerms)}
		}
	}
	switch t.kind {
	case tWord:
		return Text{Value: t.text}, nil
	case tPhrase:
		return Text{Value: t.text, Phrase: true}, nil
	case tField:
		return fieldQuery(t)
	case tLParen:
		if p.depth++; p.depth > maxDepth {
			return nil, &QueryError{t.pos, fmt.Sprintf("query nested deeper than %d levels", maxDepth)}
		}
		q, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, &QueryError{c.pos, fmt.Sprintf("expected ) to close the ( at position %d, found %s", t.pos, describe(c))}
		}
		return q, nil
	}
	return nil, &QueryError{t.pos, "expected a word, phrase, field:value, NOT or (, found " + describe(t)}
}

func fieldQuery(t token) (Query, error) {
	switch t.field {
	case "posted":
		return postedQuery(t.text, t.valuePos)
	case "records":
		return recordsQuery(t.text, t.valuePos)
	}
	return Field{Field: t.field, Value: t.text}, nil
}

// postedQuery parses A..B, A.., ..B or A, where each date is YYYY, YYYY-MM,
// YYYY-MM-DD or RFC 3339; a bound covers its whole period, so
// posted:2024-01..2024-03 runs from 1 January to the end of March.
func postedQuery(v string, pos int) (Query, error) {
	a, b, isRange := strings.Cut(v, "..")
	if !isRange {
		from, to, err := period(a, pos)
		if err != nil {
			return nil, err
		}
		return Posted{From: from, To: to}, nil
	}
	if a == "" && b == "" {
		return nil, &QueryError{pos, "expected a date before or after .. (posted:2024-01-01..2024-06-30)"}
	}
	var q Posted
	if a != "" {
		from, _, err := period(a, pos)
		if err != nil {
			return nil, err
		}
		q.From = from
	}
	if b != "" {
		_, to, err := period(b, pos+len(a)+2)
		if err != nil {
			return nil, err
		}
		q.To = to
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, &QueryError{pos, "the date range ends before it starts"}
	}
	return q, nil
}

func period(s string, pos int) (time.Time, time.Time, error) {
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{time.RFC3339, func(t time.Time) time.Time { return t.Add(time.Second) }},
	} {
		if len(s) < len("2006") {
			break
		}
		t, err := time.Parse(f.layout, s)
		if err != nil {
			continue
		}
		if t.Year() < 1970 || t.Year() > 2200 {
			return time.Time{}, time.Time{}, &QueryError{pos, fmt.Sprintf("date %q is out of range (1970–2200)", s)}
		}
		return t.UTC(), f.next(t).UTC(), nil
	}
	return time.Time{}, time.Time{}, &QueryError{pos, fmt.Sprintf("expected a date such as 2024, 2024-06 or 2024-06-30, found %q", s)}
}

// recordsQuery parses >N, >=N, <N, <=N, =N, N, A..B, A.. and ..B; numbers
// may carry k, m or b (1.2m is 1200000).
func recordsQuery(v string, pos int) (Query, error) {
	var q Records
	op := ""
	for _, o := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(v, o) {
			op = o
			break
		}
	}
	if op != "" {
		n, err := count(v[len(op):], pos+len(op))
		if err != nil {
			return nil, err
		}
		switch op {
		case ">", ">=":
			q.Min, q.MinInclusive = &n, op == ">="
		case "<", "<=":
			q.Max, q.MaxInclusive = &n, op == "<="
		default:
			q.Min, q.Max, q.MinInclusive, q.MaxInclusive = &n, &n, true, true
		}
		return q, nil
	}
	a, b, isRange := strings.Cut(v, "..")
	if !isRange {
		n, err := count(a, pos)
		if err != nil {
			return nil, err
		}
		return Records{Min: &n, Max: &n, MinInclusive: true, MaxInclusive: true}, nil
	}
	if a == "" && b == "" {
		return nil, &QueryError{pos, "expected a number before or after .. (records:1000..50000)"}
	}
	if a != "" {
		n, err := count(a, pos)
		if err != nil {
			return nil, err
		}
		q.Min, q.MinInclusive = &n, true
	}
	if b != "" {
		n, err := count(b, pos+len(a)+2)
		if err != nil {
			return nil, err
		}
		q.Max, q.MaxInclusive = &n, true
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		return nil, &QueryError{pos, "the range ends below where it starts"}
	}
	return q, nil
}

func count(s string, pos int) (int64, error) {
	mult := 1.0
	num := s
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, num = 1e3, s[:n-1]
		case 'm', 'M':
			mult, num = 1e6, s[:n-1]
		case 'b', 'B':
			mult, num = 1e9, s[:n-1]
		}
	}
	ok := num != ""
	for _, c := range []byte(num) {
		if !(c >= '0' && c <= '9' || c == '.' || c == ',' || c == '_') {
			ok = false
		}
	}
	f, err := strconv.ParseFloat(strings.NewReplacer(",", "", "_", "").Replace(num), 64)
	if !ok || err != nil {
		return 0, &QueryError{pos, fmt.Sprintf("expected a number of records such as 5000, 1.2m or >1000000, found %q", s)}
	}
	f *= mult
	if f > 1e15 || math.IsNaN(f) {
		return 0, &QueryError{pos, fmt.Sprintf("record count %q is too large", s)}
	}
	return int64(math.Round(f)), nil
}
