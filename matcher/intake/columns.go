package intake

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// How a column's field was decided. The values are stable: they appear in
// reports and JSON.
const (
	HowOverride      = "override"       // --map COLUMN=FIELD
	HowHeaderContent = "header+content" // the header names the field and the values agree
	HowHeader        = "header"         // the header names the field; the values do not say otherwise
	HowContent       = "content"        // no header, or a header that lies: the values decide
	HowAttribute     = "attribute"      // kept as a generic attribute
	HowSkipped       = "skipped"        // --map COLUMN=- drops it
)

// Column is the decision for one column of a part, and what the values in it
// turned out to be.
type Column struct {
	Name    string           `json:"name"`
	Table   string           `json:"table,omitempty"`
	Field   record.Field     `json:"field"`
	How     string           `json:"how"`
	Why     string           `json:"why"`
	Valid   int64            `json:"valid"`
	Invalid int64            `json:"invalid"`
	Reasons map[string]int64 `json:"invalid_reasons,omitempty"`
}

// Override is one --map COLUMN=FIELD. Column is a column name (any case) or
// a 1-based position; Field is a canonical field, an attribute name, or "-"
// to drop the column.
type Override struct {
	Column string
	Field  string
}

// ParseOverride reads COLUMN=FIELD.
func ParseOverride(s string) (Override, error) {
	col, field, ok := strings.Cut(s, "=")
	col, field = strings.TrimSpace(col), strings.ToLower(strings.TrimSpace(field))
	if !ok || col == "" || field == "" {
		return Override{}, fmt.Errorf("--map %q: want COLUMN=FIELD, e.g. --map no_kp=ic or --map 3=phone", s)
	}
	if field != "-" && !validAttrName(field) {
		return Override{}, fmt.Errorf("--map %q: field %q is not a field name: use one of %s, an attribute name (letters, digits, _), or - to drop the column", s, field, canonicalList())
	}
	return Override{Column: col, Field: field}, nil
}

func validAttrName(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != "" && len(s) <= 64
}

func canonicalList() string {
	names := make([]string, len(record.Canonical))
	for i, f := range record.Canonical {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }

// Content classification. A column's values decide its field when at least
// contentShare of its non-empty sampled values pass that field's normaliser
// and at least minContentValues were sampled. The strong fields are tried in
// this order, so a value that two accept goes to the stricter one (a
// twelve-digit MyKad is never a phone; a five-digit postcode is checked
// after everything longer).
const (
	contentShare     = 0.8
	headerDoubt      = 0.5 // below this share a header's own field loses to content
	minContentValues = 3
	sampleValues     = 200 // values kept per column for the decision
)

// identifying fields are recognised by content whatever the header says: a
// column full of valid MyKad numbers holds MyKad numbers. The others — a
// date, a postcode, a name — are only taken from content when the column has
// no header at all, or a header that names another canonical field: a column
// headed last_login full of dates is not a date of birth.
var identifying = map[record.Field]bool{record.Email: true, record.IC: true, record.NIK: true, record.Phone: true}

// positional says whether a column name was made up by position
// (column_3), i.e. the column has no header.
func positional(name string) bool {
	rest, ok := strings.CutPrefix(name, "column_")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var strongFields = []record.Field{record.Email, record.IC, record.NIK, record.Phone, record.DOB, record.Postcode, record.Gender, record.State}

// colSample is what the window saw of one column.
type colSample struct {
	name, table string
	pos         int // 1-based position in its row
	values      []string
	nonEmpty    int
}

// shares returns, for each strong field, the share of sampled values it
// accepts; also the shares for the heuristic name and address tests.
func shares(n *normalize.Normalizer, values []string) map[record.Field]float64 {
	out := map[record.Field]float64{}
	if len(values) == 0 {
		return out
	}
	for _, f := range strongFields {
		ok := 0
		for _, v := range values {
			if _, err := n.Field(string(f), v); err == nil {
				ok++
			}
		}
		out[f] = float64(ok) / float64(len(values))
	}
	nameOK, addrOK := 0, 0
	for _, v := range values {
		if looksLikeName(v) {
			nameOK++
		}
		if looksLikeAddress(v) {
			addrOK++
		}
	}
	out[record.Name] = float64(nameOK) / float64(len(values))
	out[record.Address] = float64(addrOK) / float64(len(values))
	return out
}

// Words that mark a value as a place or a company, never a person's name.
var notNameWords = map[string]bool{
	"jalan": true, "jln": true, "taman": true, "tmn": true, "lorong": true, "kampung": true, "kg": true,
	"sdn": true, "bhd": true, "berhad": true, "enterprise": true, "pt": true, "tbk": true, "cv": true,
	"ltd": true, "plc": true, "inc": true, "company": true, "syarikat": true, "bandar": true, "kota": true,
	"kuala": true, "selangor": true, "johor": true, "perak": true, "kedah": true, "sabah": true, "sarawak": true,
	"lelaki": true, "perempuan": true, "male": true, "female": true,
}

func looksLikeName(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 3 || len(v) > 100 {
		return false
	}
	words := strings.Fields(v)
	if len(words) < 2 || len(words) > 8 {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(w)
		if notNameWords[lw] {
			return false
		}
		for _, r := range w {
			if unicode.IsDigit(r) || r == '@' && len(w) > 1 {
				return false
			}
		}
	}
	return true
}

var addressWords = map[string]bool{
	"jalan": true, "jln": true, "taman": true, "tmn": true, "lorong": true, "lrg": true, "kampung": true,
	"kg": true, "kpg": true, "no": true, "no.": true, "blok": true, "blk": true, "lot": true, "persiaran": true,
	"jl": true, "jl.": true, "gang": true, "gg": true, "rt": true, "rw": true, "kel": true, "kec": true,
	"street": true, "road": true, "apartment": true, "pangsapuri": true, "flat": true, "bandar": true, "desa": true,
	"kelurahan": true, "kecamatan": true, "simpang": true, "batu": true,
}

func looksLikeAddress(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 10 {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(words) < 3 {
		return false
	}
	hasDigit := strings.ContainsAny(v, "0123456789")
	for _, w := range words {
		if addressWords[w] {
			return true
		}
	}
	return hasDigit && strings.ContainsRune(v, ',')
}

// decide maps every column the window saw. It returns the decisions in
// column order; overrides naming no column are an error.
func decide(n *normalize.Normalizer, samples []*colSample, overrides []Override) ([]*Column, error) {
	cols := make([]*Column, len(samples))
	used := map[Override]bool{}
	type claim struct {
		col   int
		score float64
	}
	claims := map[record.Field][]claim{}
	for i, s := range samples {
		c := &Column{Name: s.name, Table: s.table}
		cols[i] = c
		if o, ok := findOverride(overrides, s); ok {
			used[o] = true
			if o.Field == "-" {
				c.How, c.Why = HowSkipped, "--map "+o.Column+"=-"
				continue
			}
			c.Field, c.How, c.Why = record.Field(o.Field), HowOverride, "--map "+o.Column+"="+o.Field
			claims[c.Field] = append(claims[c.Field], claim{i, 10})
			continue
		}
		sh := shares(n, s.values)
		hf, hok := headerField(s.name)
		content, cshare := bestContent(sh, len(s.values))
		switch {
		case hok && !record.IsCanonical(hf):
			c.Field, c.How, c.Why = hf, HowAttribute, fmt.Sprintf("header %q is a name for the attribute %s", s.name, hf)
			if identifying[content] {
				c.Field, c.How = content, HowContent
				c.Why = fmt.Sprintf("header %q names the attribute %s, but %s of %d values are valid %s", s.name, hf, pct(cshare), len(s.values), describe(content))
			}
		case hok && (content == hf || content == "" || sh[hf] >= headerDoubt || len(s.values) < minContentValues):
			c.Field = hf
			switch {
			case len(s.values) == 0:
				c.How, c.Why = HowHeader, fmt.Sprintf("header %q; the column is empty in the rows sampled", s.name)
			case sh[hf] >= contentShare:
				c.How, c.Why = HowHeaderContent, fmt.Sprintf("header %q, and %s of %d values are valid %s", s.name, pct(sh[hf]), len(s.values), describe(hf))
			default:
				c.How, c.Why = HowHeader, fmt.Sprintf("header %q; only %s of %d values are valid %s", s.name, pct(sh[hf]), len(s.values), describe(hf))
			}
			claims[hf] = append(claims[hf], claim{i, 2 + sh[hf]})
		case content != "" && (positional(s.name) || hok || identifying[content]):
			c.Field, c.How = content, HowContent
			if hok {
				c.Why = fmt.Sprintf("header %q says %s, but only %s of values are valid %s while %s of %d are valid %s", s.name, hf, pct(sh[hf]), describe(hf), pct(cshare), len(s.values), describe(content))
			} else {
				c.Why = fmt.Sprintf("%s of %d values are valid %s", pct(cshare), len(s.values), describe(content))
			}
			claims[content] = append(claims[content], claim{i, 1 + cshare})
		default:
			c.Field, c.How = record.Field(attributeName(s.name)), HowAttribute
			c.Why = "no header or content match for a canonical field"
		}
	}
	for _, o := range overrides {
		if !used[o] {
			return nil, fmt.Errorf("--map %s=%s: no column is named %q; the columns are: %s", o.Column, o.Field, o.Column, columnNames(samples))
		}
	}
	// One column per canonical field: the strongest claim keeps it, the
	// others become attributes (a second phone column stays as phone_2).
	for f, cl := range claims {
		if !record.IsCanonical(f) || len(cl) < 2 {
			continue
		}
		sort.SliceStable(cl, func(a, b int) bool { return cl[a].score > cl[b].score })
		for _, loser := range cl[1:] {
			c := cols[loser.col]
			if c.How == HowOverride {
				return nil, fmt.Errorf("--map: two columns are mapped to %s (%s and %s)", f, cols[cl[0].col].Name, c.Name)
			}
			c.Why += fmt.Sprintf("; column %q holds %s more surely, so this one is kept as an attribute", cols[cl[0].col].Name, f)
			c.Field, c.How = record.Field(attributeName(c.Name)), HowAttribute
			if record.IsCanonical(c.Field) {
				c.Field = record.Field(string(f) + "_" + strconv.Itoa(samples[loser.col].pos))
			}
		}
	}
	return cols, nil
}

// bestContent picks the field the values say, or "" when none is sure.
func bestContent(sh map[record.Field]float64, n int) (record.Field, float64) {
	if n < minContentValues {
		return "", 0
	}
	for _, f := range strongFields {
		if sh[f] >= contentShare {
			return f, sh[f]
		}
	}
	if sh[record.Address] >= 0.6 {
		return record.Address, sh[record.Address]
	}
	if sh[record.Name] >= contentShare {
		return record.Name, sh[record.Name]
	}
	return "", 0
}

func findOverride(overrides []Override, s *colSample) (Override, bool) {
	for _, o := range overrides {
		if strings.EqualFold(o.Column, s.name) || o.Column == strconv.Itoa(s.pos) || strings.EqualFold(o.Column, "column_"+strconv.Itoa(s.pos)) ||
			s.table != "" && strings.EqualFold(o.Column, s.table+"."+s.name) {
			return o, true
		}
	}
	return Override{}, false
}

func columnNames(samples []*colSample) string {
	names := make([]string, len(samples))
	for i, s := range samples {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func pct(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

func describe(f record.Field) string {
	switch f {
	case record.IC:
		return "MyKad numbers"
	case record.NIK:
		return "NIK numbers"
	case record.Phone:
		return "phone numbers"
	case record.Email:
		return "email addresses"
	case record.DOB:
		return "dates"
	case record.Postcode:
		return "postcodes"
	case record.Gender:
		return "gender codes"
	case record.State:
		return "state names"
	case record.Name:
		return "personal names"
	case record.Address:
		return "addresses"
	}
	return string(f)
}

// decideHeader says whether the first record of delimited text is a header.
// It is when a cell is a known column name, or when some column's values are
// of a kind (MyKad, email, date …) that its first cell is not.
func decideHeader(n *normalize.Normalizer, recs [][]string) bool {
	if len(recs) == 0 {
		return false
	}
	first := recs[0]
	known := 0
	for _, c := range first {
		if _, ok := headerField(c); ok {
			if _, err := n.Field("phone", c); err != nil {
				known++
			}
		}
	}
	if known > 0 && known*3 >= len(first) || known >= 2 {
		return true
	}
	if len(recs) < 2 {
		return known > 0
	}
	for col := range first {
		var vals []string
		for _, r := range recs[1:] {
			if col < len(r) && strings.TrimSpace(r[col]) != "" {
				vals = append(vals, r[col])
			}
		}
		f, _ := bestContent(shares(n, vals), len(vals))
		if f == "" || f == record.Name || f == record.Address {
			continue
		}
		if _, err := n.Field(string(f), first[col]); err != nil && strings.TrimSpace(first[col]) != "" {
			return true
		}
	}
	return known > 0
}
