package posting

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes bounds one NDJSON line. A posting with its inline samples
// fits easily; a longer line is a broken or hostile file.
const MaxLineBytes = 8 << 20

// ErrLineTooLong is returned (inside a LineError) for a line longer than
// MaxLineBytes. The reader cannot go on after it.
var ErrLineTooLong = errors.New("line longer than 8 MiB (one posting per line; is this NDJSON?)")

// LineError is a problem with one line of an NDJSON stream.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Reader reads postings from NDJSON, one JSON object per line; blank lines
// are skipped.
type Reader struct {
	sc    *bufio.Scanner
	line  int
	fatal error
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &Reader{sc: sc}
}

// Next returns the next posting, decoded and validated, or io.EOF at the
// end. A line that does not decode or validate gives a *LineError, and the
// next call goes on with the following line; an over-long line or a read
// error ends the stream (every later call returns the same error).
func (r *Reader) Next() (Posting, error) {
	if r.fatal != nil {
		return Posting{}, r.fatal
	}
	for r.sc.Scan() {
		r.line++
		b := bytes.TrimSpace(r.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if b[0] != '{' {
			return Posting{}, &LineError{r.line, errors.New("not a JSON object (one posting object per line)")}
		}
		var p Posting
		if err := json.Unmarshal(b, &p); err != nil {
			return Posting{}, &LineError{r.line, err}
		}
		if err := p.Validate(); err != nil {
			return Posting{}, &LineError{r.line, err}
		}
		return p, nil
	}
	err := r.sc.Err()
	switch {
	case err == nil:
		r.fatal = io.EOF
	case errors.Is(err, bufio.ErrTooLong):
		r.fatal = &LineError{r.line + 1, ErrLineTooLong}
	default:
		r.fatal = &LineError{r.line + 1, fmt.Errorf("read: %w", err)}
	}
	return Posting{}, r.fatal
}

// WriteNDJSON writes p as one line of NDJSON.
func WriteNDJSON(w io.Writer, p Posting) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode posting %s: %w", p.ID, err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
