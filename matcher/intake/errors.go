package intake

import (
	"errors"
	"fmt"
	"strings"
)

// Error is what the intake returns when a sample cannot be read: it names the
// file (and the archive entry), where in it the problem is, what is wrong and
// what the user can do. It never quotes the input, which may be personal data.
type Error struct {
	File   string // the path as given, with "!entry" for an archive entry
	Line   int64  // 1-based line of the decoded text, 0 when not known
	Offset int64  // byte offset of the decoded text, -1 when not known
	Msg    string // what is wrong
	Hint   string // what to do about it
	Err    error  // the cause, for errors.Is/As
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Line > 0 && e.Offset >= 0:
		fmt.Fprintf(&b, ": line %d (byte %d)", e.Line, e.Offset)
	case e.Line > 0:
		fmt.Fprintf(&b, ": line %d", e.Line)
	case e.Offset >= 0:
		fmt.Fprintf(&b, ": byte %d", e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel causes a caller may branch on (the web layer maps them to 4xx).
var (
	// ErrNotText: the input is binary, an image, a document or a database
	// file, not text the intake can read.
	ErrNotText = errors.New("not a text sample")
	// ErrContainer: an archive is unsafe (a zip bomb, too many entries,
	// nested or encrypted) or damaged.
	ErrContainer = errors.New("unsafe or damaged archive")
	// ErrTruncated: the input ends in the middle of a record or stream.
	ErrTruncated = errors.New("truncated input")
	// ErrEmpty: the input holds no rows.
	ErrEmpty = errors.New("empty sample")
)

// streamError is raised by the container and decoding layers under a format
// reader; the reader passes it up unchanged and Read adds the position.
type streamError struct {
	msg, hint string
	cause     error
}

func (e *streamError) Error() string { return e.msg }
func (e *streamError) Unwrap() error { return e.cause }

// positioned turns an error from a format reader into an *Error for file.
func positioned(file string, line, offset int64, err error) *Error {
	var ue *Error
	if errors.As(err, &ue) {
		return ue
	}
	var se *syntaxError
	if errors.As(err, &se) {
		cause := err
		if strings.Contains(se.msg, "truncated") || strings.Contains(se.hint, "truncated") {
			cause = errors.Join(ErrTruncated, err)
		}
		return &Error{File: file, Line: se.line, Offset: se.offset, Msg: se.msg, Hint: se.hint, Err: cause}
	}
	var st *streamError
	if errors.As(err, &st) {
		return &Error{File: file, Line: line, Offset: -1, Msg: st.msg, Hint: st.hint, Err: err}
	}
	return &Error{File: file, Line: line, Offset: offset, Msg: err.Error(), Err: err}
}
