package record

import (
	"log/slog"
	"strings"
)

// Field names a column of a record. The canonical fields are the constants
// below; any other column is kept as a generic attribute under its own
// lower-cased name (employer, salary, member_no, password, ...).
type Field string

// The canonical fields, in the order records print them.
const (
	IC       Field = "ic"       // Malaysian MyKad number, 12 digits, no dashes
	NIK      Field = "nik"      // Indonesian Nomor Induk Kependudukan, 16 digits
	Name     Field = "name"     // folded name, tokens sorted
	Phone    Field = "phone"    // E.164, e.g. +60123456789
	Email    Field = "email"    // trimmed, case-folded
	DOB      Field = "dob"      // YYYY-MM-DD
	Gender   Field = "gender"   // "M" or "F"
	Address  Field = "address"  // folded address text
	Postcode Field = "postcode" // five digits
	State    Field = "state"    // canonical state or province name
)

// Canonical lists the canonical fields in their fixed order; a Record keeps
// their values in an array indexed the same way (see Slot).
var Canonical = [...]Field{IC, NIK, Name, Phone, Email, DOB, Gender, Address, Postcode, State}

// NumCanonical is the number of canonical fields.
const NumCanonical = len(Canonical)

// Slot returns the index of a canonical field in Record.Values, or -1 when
// f is not canonical.
func Slot(f Field) int {
	for i, c := range Canonical {
		if c == f {
			return i
		}
	}
	return -1
}

// IsCanonical reports whether f is one of the canonical fields.
func IsCanonical(f Field) bool { return Slot(f) >= 0 }

// Attr is a generic attribute: a column that is not a canonical field, kept
// under its lower-cased column name with its trimmed value.
type Attr struct {
	Name  string
	Value string
}

// Record is one normalised row of a sample or an export. It holds personal
// data: its String and LogValue methods mask every value, so a Record can be
// logged or put in an error without leaking what it holds. Read the values
// only through Get, Values and Attrs.
type Record struct {
	// Part names where the row came from inside the input: a zip entry, an
	// SQL table, or "" for a plain file.
	Part string
	// Line is the 1-based line of the decoded input where the row starts.
	Line int64
	// Values holds the normalised canonical values indexed like Canonical;
	// "" means missing or not valid.
	Values [NumCanonical]string
	// Attrs holds the other columns in column order.
	Attrs []Attr
}

// Get returns the value of a canonical field or attribute, "" when absent.
func (r *Record) Get(f Field) string {
	if i := Slot(f); i >= 0 {
		return r.Values[i]
	}
	for _, a := range r.Attrs {
		if a.Name == string(f) {
			return a.Value
		}
	}
	return ""
}

// Set stores a canonical value or an attribute.
func (r *Record) Set(f Field, v string) {
	if i := Slot(f); i >= 0 {
		r.Values[i] = v
		return
	}
	for i := range r.Attrs {
		if r.Attrs[i].Name == string(f) {
			r.Attrs[i].Value = v
			return
		}
	}
	r.Attrs = append(r.Attrs, Attr{Name: string(f), Value: v})
}

// Fields returns the canonical fields that hold a value, in canonical order.
func (r *Record) Fields() []Field {
	var out []Field
	for i, v := range r.Values {
		if v != "" {
			out = append(out, Canonical[i])
		}
	}
	return out
}

// Masked returns the record's fields with masked values, canonical fields
// first, then attributes, skipping empty values.
func (r *Record) Masked() []Attr {
	out := make([]Attr, 0, NumCanonical+len(r.Attrs))
	for i, v := range r.Values {
		if v != "" {
			out = append(out, Attr{Name: string(Canonical[i]), Value: Mask(Canonical[i], v)})
		}
	}
	for _, a := range r.Attrs {
		if a.Value != "" {
			out = append(out, Attr{Name: a.Name, Value: Mask(Field(a.Name), a.Value)})
		}
	}
	return out
}

// String prints the record masked, e.g. {ic:850101-**-***3 name:a**** b****}.
func (r Record) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, a := range r.Masked() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Name)
		b.WriteByte(':')
		b.WriteString(a.Value)
	}
	b.WriteByte('}')
	return b.String()
}

// LogValue makes slog print the masked record, never the raw values.
func (r Record) LogValue() slog.Value {
	m := r.Masked()
	attrs := make([]slog.Attr, 0, len(m)+1)
	attrs = append(attrs, slog.Int64("line", r.Line))
	for _, a := range m {
		attrs = append(attrs, slog.String(a.Name, a.Value))
	}
	return slog.GroupValue(attrs...)
}
