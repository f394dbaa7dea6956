package matcher

import (
	"strings"
	"unicode"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// Values are fingerprinted in one canonical form on both sides — when a
// DPO's export is loaded into a snapshot and when a sample is verified — so
// this is the single place that says what a field's value is. Canonical
// fields are already normalised by the intake. Attributes (member numbers,
// employers, salaries, registration dates) arrive as the seller typed them,
// so they are folded here: case, spaces, thousands separators and trailing
// zero decimals ("3,500.00" = "3500"), and dates for date-like fields.

// Valuer gives a record's value of a field in the canonical form.
type Valuer struct {
	norm *normalize.Normalizer
}

// NewValuer returns a Valuer; norm parses dates in attributes.
func NewValuer(norm *normalize.Normalizer) *Valuer { return &Valuer{norm: norm} }

// Value returns rec's canonical value of field, "" when absent.
func (v *Valuer) Value(rec *record.Record, field string) string {
	if i := record.Slot(record.Field(field)); i >= 0 {
		return rec.Values[i]
	}
	raw := rec.Get(record.Field(field))
	if raw == "" {
		return ""
	}
	if dateField(field) {
		if d, err := v.norm.Date(raw); err == nil {
			return d
		}
	}
	return foldAttr(raw)
}

// dateField says whether an attribute holds a date by its name.
func dateField(field string) bool {
	return field == "registered" || strings.HasSuffix(field, "_date") || strings.HasSuffix(field, "_at") ||
		strings.HasPrefix(field, "tarikh_") || strings.HasPrefix(field, "tanggal_") || strings.HasPrefix(field, "date_")
}

// foldAttr folds an attribute value: lower case, runs of spaces to one, and
// a number's thousands separators and zero decimals dropped.
func foldAttr(s string) string {
	s = strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
	if n, ok := foldNumber(s); ok {
		return n
	}
	return s
}

// foldNumber reads 3,500.00 / 3500.0 / RM3,500 as 3500.
func foldNumber(s string) (string, bool) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "rm"), "rp")
	t = strings.TrimSpace(t)
	if t == "" {
		return "", false
	}
	var b strings.Builder
	dot := -1
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ',' && dot < 0:
		case c == '.' && dot < 0:
			dot = b.Len()
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	out := b.String()
	if dot >= 0 {
		out = strings.TrimRight(out, "0")
		out = strings.TrimSuffix(out, ".")
	}
	if out == "" || out == "." {
		return "0", true
	}
	return out, true
}
