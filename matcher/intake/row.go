package intake

import (
	"errors"
	"fmt"
)

// row is one raw row as a format reader yields it, before mapping and
// normalisation.
type row struct {
	// line is the 1-based line of the decoded text where the row starts.
	line int64
	// offset is the byte offset of the decoded text where the row starts.
	offset int64
	// table is the SQL table the row belongs to, "" for other formats.
	table string
	// names are the column names aligned with values. Readers hand out the
	// same slice for as long as the columns stay the same, so a consumer can
	// cache its per-column decisions keyed on the slice's first element's
	// address; nil means the columns have no names (headerless text), and
	// the consumer names them by position.
	names []string
	// values are the raw cell values. Readers may reuse the slice on the next
	// call to next; a consumer that keeps a row copies it.
	values []string
	// ascii is set by a reader that knows the row's text is all ASCII
	// (and so valid UTF-8), which spares the consumer a look at every value.
	ascii bool
}

// rowReader is a streaming parser of one format. next returns the next row,
// io.EOF after the last one, a *rowError when one row is bad but reading can
// go on (the row is rejected with that reason), or any other error when the
// input cannot be read further (a *syntaxError for a problem in the text).
type rowReader interface {
	next() (row, error)
}

// Reason says why a row was rejected. The values are stable: they appear in
// reports and JSON.
type Reason string

// The reasons a row can be rejected.
const (
	ReasonEmpty         Reason = "empty_row"        // no non-blank cell
	ReasonNoUsable      Reason = "no_usable_field"  // no canonical field normalised to a valid value
	ReasonInvalidUTF8   Reason = "invalid_utf8"     // the row's bytes are not valid UTF-8 in a UTF-8 file
	ReasonRagged        Reason = "too_many_fields"  // more cells than the header has columns
	ReasonCSVSyntax     Reason = "csv_syntax"       // a quote or field error in a delimited row
	ReasonInvalidJSON   Reason = "invalid_json"     // an NDJSON line that is not a JSON object
	ReasonSQLSyntax     Reason = "sql_syntax"       // a tuple of an INSERT that could not be read
	ReasonNotKeyValue   Reason = "not_key_value"    // a line inside a key: value block without a key
	ReasonNotCombo      Reason = "not_combo"        // a combolist line without a separator
	ReasonTooManyCols   Reason = "too_many_columns" // a keyed row with more distinct keys than allowed
	ReasonNestedTooDeep Reason = "nested_too_deep"  // a JSON record nested deeper than allowed
)

// rowError rejects one row; reading goes on after it.
type rowError struct {
	line   int64
	reason Reason
	// detail says what was wrong without quoting any value from the row.
	detail string
}

func (e *rowError) Error() string {
	if e.detail == "" {
		return fmt.Sprintf("line %d: %s", e.line, e.reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.line, e.reason, e.detail)
}

// syntaxError stops reading: the text cannot be parsed past this point. Its
// message names the position and what is wrong, and hint says what the user
// can do. Neither quotes the input: it may be personal data.
type syntaxError struct {
	line   int64
	offset int64
	msg    string
	hint   string
	cause  error // optional, for errors.Is (errLineTooLong, say)
}

func (e *syntaxError) Unwrap() error { return e.cause }

func (e *syntaxError) Error() string {
	s := fmt.Sprintf("line %d (byte %d): %s", e.line, e.offset, e.msg)
	if e.hint != "" {
		s += "; " + e.hint
	}
	return s
}

// errLineTooLong is wrapped by readers when one line or record is longer than
// Limits.MaxRecordBytes.
var errLineTooLong = errors.New("record too long")
