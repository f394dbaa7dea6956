package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// JSON samples come in two shapes. A JSON document is an array of record
// objects, or an object that wraps one ({"status":"ok","data":[{…},…]}): the
// first key, at any depth of wrapping objects, whose value is an array of
// objects is streamed, and every other value is skipped token by token (each
// bounded like a record). NDJSON is one record object per line.
//
// Both are read with encoding/json's Decoder token by token, so no record is
// ever held whole: each is flattened into a columnSet as it is read. A record
// is bounded by jsonCounter, which refuses to hand the decoder more than
// Limits.MaxRecordBytes past the start of the current record (or, between
// records, past the last token), and the decoder's own buffer never holds
// more than that and one read.
//
// Flattening: a nested object's members get dotted names (address.postcode);
// an array's scalar elements are joined with "; " into one value; an array of
// objects joins each member's values the same way (phones.type = "home;
// work"); numbers keep their literal text, true/false become "true"/"false",
// null becomes "". A key that appears twice in one record fills name_2. A
// record nested deeper than Limits.MaxDepth (the record object is level 1) is
// rejected with ReasonNestedTooDeep.

// jsonChunk caps one read handed to the decoder, so what it holds beyond the
// token it needs is small.
const jsonChunk = 32 << 10

// jsonCounter sits under the decoder. It counts the newlines it hands on so a
// decoder offset can be turned into a line, and it fails with errLineTooLong
// once the decoder asks for more than max bytes past the mark.
//
// Newlines are kept as a bitmap of the bytes read past the last offset asked
// about (one bit a byte), so what it keeps is an eighth of what the decoder
// holds.
type jsonCounter struct {
	r       io.Reader
	pos     int64 // bytes handed to the decoder
	max     int64
	markOff int64 // where the current record (or gap between tokens) starts
	bits    []uint64
	bbase   int64 // offset of bit 0 of bits[0], a multiple of 64
	counted int64 // newlines before cbase
	cbase   int64 // offsets below cbase are counted
}

func (c *jsonCounter) Read(p []byte) (int, error) {
	if len(p) > jsonChunk {
		p = p[:jsonChunk]
	}
	room := c.markOff + c.max - c.pos
	if room <= 0 {
		return 0, errLineTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		c.setBit(c.pos + int64(i+j))
		i += j + 1
	}
	c.pos += int64(n)
	return n, err
}

func (c *jsonCounter) setBit(off int64) {
	k := off - c.bbase
	w := int(k / 64)
	for len(c.bits) <= w {
		c.bits = append(c.bits, 0)
	}
	c.bits[w] |= 1 << uint(k%64)
}

// mark starts the budget of max bytes at off.
func (c *jsonCounter) mark(off int64) {
	if off > c.markOff {
		c.markOff = off
	}
}

// lineAt returns the 1-based line of offset off. Offsets asked about must not
// go down (an offset below the last one asked about gets that one's line).
func (c *jsonCounter) lineAt(off int64) int64 {
	if off > c.pos {
		off = c.pos
	}
	if off > c.cbase {
		// Count the bits in [cbase, off).
		from, to := c.cbase-c.bbase, off-c.bbase
		for from < to {
			w := int(from / 64)
			if w >= len(c.bits) {
				break
			}
			lo := uint(from % 64)
			hi := uint(64)
			if end := int64(w+1) * 64; to < end {
				hi = uint(to - int64(w)*64)
			}
			word := c.bits[w] >> lo
			if hi-lo < 64 {
				word &= 1<<(hi-lo) - 1
			}
			c.counted += int64(bits.OnesCount64(word))
			from = int64(w+1) * 64
		}
		c.cbase = off
		// Drop the words wholly below cbase.
		if drop := int((c.cbase - c.bbase) / 64); drop > 0 && drop >= len(c.bits)/2 {
			if drop > len(c.bits) {
				drop = len(c.bits)
			}
			n := copy(c.bits, c.bits[drop:])
			c.bits = c.bits[:n]
			c.bbase += int64(drop) * 64
			if cap(c.bits) > 1024 && n < cap(c.bits)/4 {
				c.bits = append([]uint64(nil), c.bits...)
			}
		}
	}
	return c.counted + 1
}

// jsonFlattener reads one record object token by token into cols.
type jsonFlattener struct {
	dec      *json.Decoder
	cols     *columnSet
	maxDepth int
	tick     func() // called after each token; may be nil
	name     []byte // the dotted name being built
	reject   Reason // why the record is rejected, "" when it is not
	detail   string
}

func (f *jsonFlattener) token() (json.Token, error) {
	tok, err := f.dec.Token()
	if f.tick != nil {
		f.tick()
	}
	return tok, err
}

// record reads the members of a record object whose '{' has been read, up to
// and including its '}'. It returns an error only when the JSON cannot be
// read on; a record that is read but rejected has f.reject set.
func (f *jsonFlattener) record() error {
	f.reject, f.detail = "", ""
	f.cols.begin()
	return f.object(0, 1, false)
}

func (f *jsonFlattener) object(plen, depth int, join bool) error {
	for {
		tok, err := f.token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return nil // '}': the decoder checks the nesting
		}
		f.name = f.name[:plen]
		if plen > 0 {
			f.name = append(f.name, '.')
		}
		f.name = append(f.name, key...)
		if err := f.value(len(f.name), depth, join); err != nil {
			return err
		}
	}
}

func (f *jsonFlattener) value(n, depth int, join bool) error {
	tok, err := f.token()
	if err != nil {
		return err
	}
	return f.valueOf(tok, n, depth, join)
}

// valueOf flattens the value that starts with tok under the name f.name[:n].
func (f *jsonFlattener) valueOf(tok json.Token, n, depth int, join bool) error {
	switch t := tok.(type) {
	case json.Delim:
		if depth >= f.maxDepth {
			f.rejectRecord(ReasonNestedTooDeep, fmt.Sprintf("the record is nested deeper than %d levels", f.maxDepth))
			return f.skip(1)
		}
		if t == '{' {
			return f.object(n, depth+1, join)
		}
		return f.array(n, depth+1)
	case string:
		f.put(n, t, join)
	case json.Number:
		f.put(n, string(t), join)
	case bool:
		if t {
			f.put(n, "true", join)
		} else {
			f.put(n, "false", join)
		}
	case nil:
		f.put(n, "", join)
	default: // float64 without UseNumber
		f.put(n, fmt.Sprint(t), join)
	}
	return nil
}

func (f *jsonFlattener) array(n, depth int) error {
	empty := true
	for {
		tok, err := f.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && d == ']' {
			if empty && f.reject == "" {
				if err := f.cols.touch(f.name[:n]); err != nil {
					f.tooManyColumns()
				}
			}
			return nil
		}
		empty = false
		if err := f.valueOf(tok, n, depth, true); err != nil {
			return err
		}
	}
}

func (f *jsonFlattener) put(n int, v string, join bool) {
	if f.reject != "" {
		return
	}
	if _, err := putValue(f.cols, f.name[:n], v, join); err != nil {
		f.tooManyColumns()
	}
}

func (f *jsonFlattener) tooManyColumns() {
	f.rejectRecord(ReasonTooManyCols, fmt.Sprintf("the records have more than %d distinct keys, or keys too long together", f.cols.maxCols))
}

func (f *jsonFlattener) rejectRecord(r Reason, detail string) {
	if f.reject == "" {
		f.reject, f.detail = r, detail
	}
}

// skip reads tokens until depth open objects and arrays are closed. The
// record's budget bounds the bytes; the nesting is bounded too, as the
// decoder keeps a word for each open level: past jsonSkipDepth more levels
// it fails with errJSONTooDeep.
func (f *jsonFlattener) skip(depth int) error {
	for max := depth + jsonSkipDepth; depth > 0; {
		tok, err := f.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth > max {
			return errJSONTooDeep
		}
	}
	return nil
}

// errJSONTooDeep stops reading a record nested far deeper than allowed.
var errJSONTooDeep = errors.New("JSON nested too deep")

// jsonReader streams the records of a JSON document.
type jsonReader struct {
	lim     Limits
	cnt     *jsonCounter
	dec     *json.Decoder
	fl      jsonFlattener
	state   int
	started bool // a token has been read
	wrap    int  // objects open around the array
	pending bool // the first record's '{' has been read
	recLine int64
	recOff  int64
	err     error
}

const (
	jsonStart = iota
	jsonArray
	jsonDone
)

// newJSONReader reads a JSON array of objects, or an object that wraps one.
func newJSONReader(r io.Reader, lim Limits) rowReader {
	lim = lim.withDefaults()
	cnt := &jsonCounter{r: r, max: int64(lim.MaxRecordBytes)}
	dec := json.NewDecoder(cnt)
	dec.UseNumber()
	j := &jsonReader{lim: lim, cnt: cnt, dec: dec}
	j.fl = jsonFlattener{dec: dec, cols: newColumnSet(lim), maxDepth: lim.MaxDepth, tick: j.tick}
	return j
}

// tick keeps the newline bitmap short: the decoder has consumed everything
// before its input offset.
func (j *jsonReader) tick() {
	j.cnt.lineAt(j.dec.InputOffset())
}

// token reads one token outside a record, and starts a budget there: a value
// outside the records (and what comes before it) may take up to
// Limits.MaxRecordBytes.
func (j *jsonReader) token() (json.Token, error) {
	j.cnt.mark(j.dec.InputOffset())
	return j.tokenIn()
}

// tokenIn reads one token within the current budget.
func (j *jsonReader) tokenIn() (json.Token, error) {
	tok, err := j.dec.Token()
	j.tick()
	return tok, err
}

func (j *jsonReader) next() (row, error) {
	if j.err != nil {
		return row{}, j.err
	}
	for {
		switch j.state {
		case jsonStart:
			if err := j.start(); err != nil {
				if errors.Is(err, io.EOF) && !j.started {
					j.err = io.EOF // no JSON at all: no rows
					return row{}, io.EOF
				}
				return row{}, j.fail(err, false)
			}
		case jsonArray:
			return j.element()
		default:
			return row{}, io.EOF
		}
	}
}

func (j *jsonReader) fail(err error, inRecord bool) error {
	err = j.convert(err, inRecord)
	j.err = err
	return err
}

// start reads up to the array of records.
func (j *jsonReader) start() error {
	tok, err := j.token()
	if err != nil {
		return err
	}
	j.started = true
	switch tok {
	case json.Delim('['):
		j.state = jsonArray
		return nil
	case json.Delim('{'):
		return j.search()
	}
	return &syntaxError{line: 1, offset: 0, msg: "the JSON is a single value, not an array of records",
		hint: "a JSON sample is an array of objects, or an object holding one"}
}

// search looks through the wrapping object for the first key whose value is
// an array of objects, descending into nested objects.
func (j *jsonReader) search() error {
	j.wrap = 1
	for {
		tok, err := j.token()
		if err != nil {
			return err
		}
		if _, ok := tok.(string); !ok { // '}'
			j.wrap--
			if j.wrap == 0 {
				j.state = jsonDone
				return &syntaxError{line: j.cnt.lineAt(j.dec.InputOffset() - 1), offset: j.dec.InputOffset() - 1,
					msg:  "the JSON object holds no array of records",
					hint: "a JSON sample is an array of objects, or an object holding one"}
			}
			continue
		}
		tok, err = j.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['):
			el, err := j.tokenIn()
			if err != nil {
				return err
			}
			switch el {
			case json.Delim(']'):
				continue
			case json.Delim('{'):
				j.state, j.pending = jsonArray, true
				return nil
			case json.Delim('['):
				if err := j.skip(2, 0); err != nil {
					return err
				}
			default:
				if err := j.skip(1, 0); err != nil {
					return err
				}
			}
		case json.Delim('{'):
			if j.wrap >= j.lim.MaxDepth {
				if err := j.skip(1, 0); err != nil {
					return err
				}
				continue
			}
			j.wrap++
		}
	}
}

// skip reads tokens until depth open objects and arrays are closed. A token
// read at depth markAt or less starts a new budget, so each value below that
// depth is bounded as a whole. The nesting is bounded too: the decoder keeps
// a word for each open level.
func (j *jsonReader) skip(depth, markAt int) error {
	max := j.lim.MaxDepth + jsonSkipDepth
	for depth > 0 {
		var tok json.Token
		var err error
		if depth <= markAt {
			tok, err = j.token()
		} else {
			tok, err = j.tokenIn()
		}
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth > max {
			off := j.dec.InputOffset() - 1
			return &syntaxError{line: j.cnt.lineAt(off), offset: off,
				msg:  fmt.Sprintf("JSON nested deeper than %d levels", max),
				hint: "this is not the JSON of a leak sample"}
		}
	}
	return nil
}

// jsonSkipDepth is how much deeper than Limits.MaxDepth a value that is
// skipped (outside the records) may nest.
const jsonSkipDepth = 64

// element reads the next element of the array of records.
func (j *jsonReader) element() (row, error) {
	var tok json.Token
	if j.pending {
		j.pending = false
		tok = json.Delim('{')
	} else {
		var err error
		if tok, err = j.token(); err != nil {
			return row{}, j.fail(err, false)
		}
	}
	switch tok {
	case json.Delim(']'):
		j.state = jsonDone
		if j.wrap > 0 {
			// The rest of the wrapping objects: skipped, but a file cut
			// there is still reported.
			if err := j.skip(j.wrap, j.wrap); err != nil {
				return row{}, j.fail(err, false)
			}
		}
		return row{}, io.EOF
	case json.Delim('{'):
		start := j.dec.InputOffset() - 1
		j.recOff, j.recLine = start, j.cnt.lineAt(start)
		j.cnt.mark(start)
		if err := j.fl.record(); err != nil {
			return row{}, j.fail(err, true)
		}
		j.cnt.mark(j.dec.InputOffset())
		if j.fl.reject != "" {
			j.fl.cols.discard()
			return row{}, &rowError{line: j.recLine, reason: j.fl.reject, detail: j.fl.detail}
		}
		names, values := j.fl.cols.finish()
		return row{line: j.recLine, offset: j.recOff, names: names, values: values}, nil
	case json.Delim('['):
		line := j.cnt.lineAt(j.dec.InputOffset() - 1)
		if err := j.skip(1, 0); err != nil {
			return row{}, j.fail(err, false)
		}
		return row{}, &rowError{line: line, reason: ReasonInvalidJSON, detail: "an element of the array is an array, not an object"}
	}
	// A scalar holds no raw newline, so its last byte is on its line.
	line := j.cnt.lineAt(j.dec.InputOffset() - 1)
	return row{}, &rowError{line: line, reason: ReasonInvalidJSON, detail: fmt.Sprintf("an element of the array is %s, not an object", jsonKind(tok))}
}

func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "not an object"
}

// convert turns an error of the decoder into a *syntaxError that names the
// position and never the text.
func (j *jsonReader) convert(err error, inRecord bool) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errLineTooLong):
		line, off, what := j.recLine, j.recOff, "record"
		if !inRecord {
			off, what = j.cnt.markOff, "value"
			line = j.cnt.lineAt(off)
		}
		return &syntaxError{line: line, offset: off,
			msg:   fmt.Sprintf("a JSON %s longer than %d bytes", what, j.lim.MaxRecordBytes),
			hint:  "this is not a record of a leak sample; if it is, raise the record size limit",
			cause: errLineTooLong}
	case errors.Is(err, errJSONTooDeep):
		return &syntaxError{line: j.recLine, offset: j.recOff,
			msg:  fmt.Sprintf("a JSON record nested far deeper than %d levels", j.lim.MaxDepth),
			hint: "this is not the JSON of a leak sample"}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if inRecord {
			return &syntaxError{line: j.recLine, offset: j.recOff, msg: "the input ends inside this JSON record",
				hint: "the file looks truncated; get the complete file", cause: io.ErrUnexpectedEOF}
		}
		return &syntaxError{line: j.cnt.lineAt(j.cnt.pos), offset: j.cnt.pos, msg: "the input ends before the JSON is closed",
			hint: "the file looks truncated; get the complete file", cause: io.ErrUnexpectedEOF}
	case errors.As(err, &se):
		off := se.Offset - 1
		if off < 0 {
			off = 0
		}
		if off < j.cnt.cbase {
			off = j.cnt.cbase
		}
		return &syntaxError{line: j.cnt.lineAt(off), offset: off, msg: "invalid JSON syntax",
			hint: "the text is not valid JSON from here on; check that the file is complete and was not edited"}
	}
	return err
}

// ndjsonReader reads one record object per line.
type ndjsonReader struct {
	lr *lineReader
	br bytes.Reader
	fl jsonFlattener
}

// newNDJSONReader reads one JSON object per line; blank lines are skipped and
// a line that is not a JSON object is rejected with ReasonInvalidJSON.
func newNDJSONReader(r io.Reader, lim Limits) rowReader {
	lim = lim.withDefaults()
	return &ndjsonReader{lr: newLineReader(r, lim.MaxRecordBytes),
		fl: jsonFlattener{cols: newColumnSet(lim), maxDepth: lim.MaxDepth}}
}

func (n *ndjsonReader) next() (row, error) {
	for {
		line, num, off, err := n.lr.next()
		if err != nil {
			return row{}, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' {
			return row{}, &rowError{line: num, reason: ReasonInvalidJSON, detail: "the line is not a JSON object"}
		}
		if !json.Valid(line) {
			return row{}, &rowError{line: num, reason: ReasonInvalidJSON, detail: "the line is not valid JSON, or holds more than one value"}
		}
		n.br.Reset(line)
		dec := json.NewDecoder(&n.br)
		dec.UseNumber()
		n.fl.dec = dec
		_, err = dec.Token() // '{'
		if err == nil {
			err = n.fl.record()
		}
		if err != nil || n.fl.reject != "" {
			n.fl.cols.discard()
			if n.fl.reject == "" {
				return row{}, &rowError{line: num, reason: ReasonInvalidJSON, detail: "the line is not valid JSON"}
			}
			return row{}, &rowError{line: num, reason: n.fl.reject, detail: n.fl.detail}
		}
		names, values := n.fl.cols.finish()
		return row{line: num, offset: off, names: names, values: values}, nil
	}
}

// sniffJSON reports whether head (the first bytes of the decoded text, maybe
// cut mid-record) looks like JSON: its first non-space byte is '[' or '{'.
// ndjson is set when the first non-blank line is a complete JSON object by
// itself and the next non-blank line starts with '{'.
func sniffJSON(head []byte) (ok bool, ndjson bool) {
	t := bytes.TrimLeft(head, " \t\r\n\v\f")
	if len(t) == 0 || (t[0] != '[' && t[0] != '{') {
		return false, false
	}
	if t[0] != '{' {
		return true, false
	}
	i := bytes.IndexByte(t, '\n')
	if i < 0 {
		return true, false
	}
	if !json.Valid(bytes.TrimSpace(t[:i])) {
		return true, false
	}
	rest := bytes.TrimLeft(t[i+1:], " \t\r\n\v\f")
	return true, len(rest) > 0 && rest[0] == '{'
}
