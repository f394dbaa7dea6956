package intake

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Delimited text (CSV, TSV, semicolon, pipe) is read with encoding/csv in
// lazy-quote mode: leak samples are exported by every tool there is, and a
// stray quote in a name is far more common than a file that depends on
// strict quoting. What encoding/csv does not bound — the length of a record
// — recordGuard does.

// recordGuard sits under encoding/csv and fails once the reader has pulled
// more than max bytes past the start of the current record: a 2 GB line, or a
// quote that is never closed, ends in an error with bounded memory.
type recordGuard struct {
	r    io.Reader
	n    int64 // bytes handed to the csv reader
	mark int64 // offset where the current record starts
	max  int64
	// Lines: newlines before mark, and the offsets of those handed out
	// past it (bounded by max plus the read-ahead), so the line where a
	// runaway record starts can be named.
	lines   int64
	pending []int64
	// lastHigh is the offset of the last byte >= 0x80 handed out, -1 while
	// there has been none: a record that starts after it is ASCII, and so
	// valid UTF-8 without a look at its values.
	lastHigh int64
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.n-g.mark > g.max {
		return 0, errLineTooLong
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		g.pending = append(g.pending, g.n+int64(i+j))
		i += j + 1
	}
	if k := lastHighByte(p[:n]); k >= 0 {
		g.lastHigh = g.n + int64(k)
	}
	g.n += int64(n)
	return n, err
}

// lastHighByte returns the index of the last byte of p that is not ASCII,
// or -1. It looks at eight bytes at a time: text is nearly all ASCII.
func lastHighByte(p []byte) int {
	i := len(p)
	for i >= 8 && binary.LittleEndian.Uint64(p[i-8:i])&0x8080808080808080 == 0 {
		i -= 8
	}
	for i > 0 {
		i--
		if p[i] >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// setMark moves the record start to off and returns its 1-based line.
func (g *recordGuard) setMark(off int64) int64 {
	g.mark = off
	k := 0
	for k < len(g.pending) && g.pending[k] < off {
		k++
	}
	g.lines += int64(k)
	g.pending = g.pending[:copy(g.pending, g.pending[k:])]
	return g.lines + 1
}

// csvReader reads a record at a time. While every record is one line, it
// reads lines itself and splits them at the delimiter, quoted fields
// included, exactly as encoding/csv does in lazy-quote mode
// (TestCSVFastPathSameAsCSV and FuzzCSVFastPath compare the two) at less
// of the cost. At the first quoted field that goes on past its line end it
// hands that record and the rest of the text to encoding/csv, which reads
// on to the end.
type csvReader struct {
	lim     Limits
	names   []string
	header  bool // the first record names the columns
	started bool

	// The fast path; lr is nil once encoding/csv has taken over.
	lr      *lineReader
	delim   byte
	recEnd  int64 // offset after the last record: encoding/csv's InputOffset
	recNL   int64 // newlines before recEnd
	blankLF int64 // blank lines ("\n", "\r\n") read since recEnd
	blankCR int64
	rec     []string
	buf     []byte // the fields of a line with quotes, unquoted
	ends    []int  // where each field ends in buf
	text    arena  // the fields' text

	// encoding/csv, reading the text from recEnd on.
	cr *csv.Reader
	g  *recordGuard
}

// newCSVReader reads delimited text. With header, the first record names the
// columns; without, columns are named column_1, column_2, … and a wider row
// adds names.
func newCSVReader(r io.Reader, delim rune, header bool, lim Limits) rowReader {
	c := &csvReader{lim: lim, header: header}
	if delim >= utf8.RuneSelf || delim == '"' || delim == '\r' || delim == '\n' {
		c.slow(r, delim)
		return c
	}
	c.delim = byte(delim)
	c.lr = newLineReader(r, lim.MaxRecordBytes)
	return c
}

// slow hands the text r, which starts at c.recEnd, to encoding/csv.
func (c *csvReader) slow(r io.Reader, delim rune) {
	// The guard's slack covers encoding/csv's own 4 KiB read-ahead.
	g := &recordGuard{r: r, max: int64(c.lim.MaxRecordBytes) + 4096, lastHigh: -1,
		n: c.recEnd, mark: c.recEnd, lines: c.recNL}
	cr := csv.NewReader(g)
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c.cr, c.g, c.lr = cr, g, nil
}

func (c *csvReader) next() (row, error) {
	for {
		var (
			rec         []string
			line, start int64
			ascii       bool
		)
		if c.lr != nil {
			var err error
			if rec, line, start, ascii, err = c.fastRecord(); err != nil {
				return row{}, err
			}
		}
		if c.lr == nil { // encoding/csv reads (it may just have taken over)
			start = c.recEnd + c.cr.InputOffset()
			startLine := c.g.setMark(start)
			var err error
			rec, err = c.cr.Read()
			if err != nil {
				return row{}, c.wrap(err, start, startLine)
			}
			l, _ := c.cr.FieldPos(0)
			line, ascii = c.recNL+int64(l), c.g.lastHigh < start
		}
		if !c.started {
			c.started = true
			if c.header {
				c.names = headerNames(rec)
				if len(c.names) > c.lim.MaxColumns {
					return row{}, &syntaxError{line: line, offset: start, msg: fmt.Sprintf("the header has %d columns, more than the %d allowed", len(c.names), c.lim.MaxColumns), hint: "check the delimiter, or raise the column limit"}
				}
				continue
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		// Trailing empty cells (a row ending in delimiters) do not make a
		// row ragged.
		for len(rec) > len(c.names) && len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
			rec = rec[:len(rec)-1]
		}
		if len(rec) > len(c.names) {
			if c.header {
				return row{}, &rowError{line: line, reason: ReasonRagged, detail: fmt.Sprintf("%d fields, the header has %d", len(rec), len(c.names))}
			}
			if len(rec) > c.lim.MaxColumns {
				return row{}, &rowError{line: line, reason: ReasonTooManyCols, detail: fmt.Sprintf("%d fields, more than the %d allowed", len(rec), c.lim.MaxColumns)}
			}
			c.names = positionalNames(c.names, len(rec))
		}
		return row{line: line, offset: start, names: c.names, values: rec, ascii: ascii}, nil
	}
}

// fastRecord reads the next record of the fast path, skipping blank lines
// as encoding/csv does, and returns its fields, its line and the offset
// encoding/csv would give it (where the previous record ended). When the
// record has a quoted field that goes on past its line, it hands the record
// to encoding/csv and returns no fields (c.lr is then nil).
func (c *csvReader) fastRecord() (rec []string, line, start int64, ascii bool, err error) {
	start = c.recEnd
	for {
		b, num, off, err := c.lr.next()
		if errors.Is(err, errLineTooLong) {
			return nil, 0, 0, false, c.tooLong(c.recNL+1, start)
		}
		if err != nil {
			return nil, 0, 0, false, err
		}
		end := c.lr.off - off - int64(len(b)) // the line end: 0, 1 or 2 bytes
		raw := b
		if end == 0 && len(b) > 0 && b[len(b)-1] == '\r' {
			b = b[:len(b)-1] // encoding/csv drops a \r before the end of the text
		}
		if len(b) == 0 {
			switch end {
			case 2:
				c.blankCR++
			case 1:
				c.blankLF++
			}
			continue
		}
		if !c.split(b) {
			// encoding/csv reads this record (from the blank lines
			// before it) and the rest of the text.
			raw = append(bytes.Clone(raw), "\r\n"[2-end:]...)
			blank := &blankLines{lf: c.blankLF, crlf: c.blankCR}
			c.slow(io.MultiReader(blank, bytes.NewReader(raw), c.lr.br), rune(c.delim))
			return nil, 0, 0, false, nil
		}
		c.recEnd, c.recNL, c.blankLF, c.blankCR = c.lr.off, num, 0, 0
		if end == 0 {
			c.recNL-- // the last line, with no newline after it
		}
		return c.rec, num, start, lastHighByte(b) < 0, nil
	}
}

// split cuts a line (without its end) into c.rec as encoding/csv does in
// lazy-quote mode: a field that starts with a quote runs to the quote
// before a delimiter or the line end, "" in it is a quote, and any other
// quote is kept as it is. It returns false when a quoted field is not
// closed on the line (encoding/csv would read the next line into it).
func (c *csvReader) split(b []byte) bool {
	c.rec = c.rec[:0]
	if bytes.IndexByte(b, '"') < 0 {
		str := c.text.string(b)
		for {
			i := strings.IndexByte(str, c.delim)
			if i < 0 {
				break
			}
			c.rec = append(c.rec, str[:i])
			str = str[i+1:]
		}
		c.rec = append(c.rec, str)
		return true
	}
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	for done := false; !done; {
		if len(b) == 0 || b[0] != '"' {
			i := bytes.IndexByte(b, c.delim)
			if i < 0 {
				c.buf = append(c.buf, b...)
				c.ends = append(c.ends, len(c.buf))
				break
			}
			c.buf = append(c.buf, b[:i]...)
			c.ends = append(c.ends, len(c.buf))
			b = b[i+1:]
			continue
		}
		b = b[1:]
		for field := true; field; {
			i := bytes.IndexByte(b, '"')
			if i < 0 {
				return false
			}
			c.buf = append(c.buf, b[:i]...)
			b = b[i+1:]
			switch {
			case len(b) > 0 && b[0] == '"': // "" is a quote
				c.buf = append(c.buf, '"')
				b = b[1:]
			case len(b) > 0 && b[0] == c.delim: // the field ends
				b = b[1:]
				c.ends = append(c.ends, len(c.buf))
				field = false
			case len(b) == 0: // the field and the record end
				c.ends = append(c.ends, len(c.buf))
				field, done = false, true
			default: // a bare quote, kept
				c.buf = append(c.buf, '"')
			}
		}
	}
	str := c.text.string(c.buf)
	prev := 0
	for _, e := range c.ends {
		c.rec = append(c.rec, str[prev:e])
		prev = e
	}
	return true
}

// blankLines reads as the blank lines the fast path skipped before handing
// over: so many "\n" and "\r\n", which is all encoding/csv needs to
// count lines and offsets as if it had read them itself.
type blankLines struct{ lf, crlf int64 }

func (b *blankLines) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && b.lf > 0 {
		p[n] = '\n'
		n++
		b.lf--
	}
	for n+1 < len(p) && b.crlf > 0 {
		p[n], p[n+1] = '\r', '\n'
		n += 2
		b.crlf--
	}
	if n == 0 {
		if b.crlf > 0 { // p has room for one byte only
			return 0, io.ErrShortBuffer
		}
		return 0, io.EOF
	}
	return n, nil
}

func (c *csvReader) wrap(err error, start, startLine int64) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	if errors.Is(err, errLineTooLong) {
		// encoding/csv passes errors of its reader up as they are.
		return c.tooLong(startLine, start)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		startLine := c.recNL + int64(pe.StartLine)
		if errors.Is(pe.Err, errLineTooLong) {
			return c.tooLong(startLine, start)
		}
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrFieldCount) {
			if pe.Line > pe.StartLine+1 && c.g.n-start > int64(c.lim.MaxRecordBytes)/2 {
				return &syntaxError{line: startLine, offset: start, msg: "a quoted field that is never closed", hint: "the file looks truncated or damaged; get the complete file"}
			}
			return &rowError{line: startLine, reason: ReasonCSVSyntax, detail: pe.Err.Error()}
		}
		return pe.Err
	}
	return err
}

func (c *csvReader) tooLong(line, start int64) error {
	return &syntaxError{line: line, offset: start,
		msg:  fmt.Sprintf("a record longer than %s (a line that never ends, or a quote that is never closed)", humanBytes(int64(c.lim.MaxRecordBytes))),
		hint: "this is not a row of a leak sample; if it is, raise the record size limit", cause: errLineTooLong}
}

// headerNames cleans a header record: names trimmed, empty ones named by
// position, repeated ones numbered (phone, phone_2).
func headerNames(rec []string) []string {
	names := make([]string, len(rec))
	seen := make(map[string]int, len(rec))
	for i, h := range rec {
		h = strings.TrimSpace(strings.Trim(h, "\ufeff"))
		if h == "" {
			h = "column_" + strconv.Itoa(i+1)
		}
		key := strings.ToLower(h)
		seen[key]++
		if k := seen[key]; k > 1 {
			h += "_" + strconv.Itoa(k)
		}
		names[i] = h
	}
	return names
}

// positionalNames extends names to n columns named column_1 … column_n. It
// returns a new slice so rows already handed out keep theirs.
func positionalNames(names []string, n int) []string {
	out := make([]string, n)
	copy(out, names)
	for i := len(names); i < n; i++ {
		out[i] = "column_" + strconv.Itoa(i+1)
	}
	return out
}

// sniffDelimiter picks the delimiter under which the first lines of head have
// the most consistent number of fields (at least two). ok is false when no
// candidate splits the lines: the text is one column (a list of emails, say)
// and is read as comma-separated with one field.
func sniffDelimiter(head []byte) (delim rune, width int, ok bool) {
	if i := bytes.LastIndexByte(head, '\n'); i > 0 && i < len(head)-1 {
		head = head[:i+1] // drop a line the head cut in two
	}
	best, bestScore := ',', 0.0
	for _, d := range []rune{',', '\t', ';', '|'} {
		if !bytes.ContainsRune(head, d) {
			continue
		}
		cr := csv.NewReader(bytes.NewReader(head))
		cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = d, true, -1
		counts := map[int]int{}
		rows := 0
		for rows < 200 {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rows++
				continue
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			counts[len(rec)]++
			rows++
		}
		mode, modeN := 0, 0
		for w, n := range counts {
			if n > modeN || (n == modeN && w > mode) {
				mode, modeN = w, n
			}
		}
		if mode < 2 || rows == 0 {
			continue
		}
		// Consistency first; among equally consistent delimiters, the one
		// that splits into more fields (a name with a comma in a
		// semicolon file must not make it comma-separated).
		score := float64(modeN)/float64(rows) + float64(mode)/1000
		if score > bestScore {
			best, bestScore, width = d, score, mode
		}
	}
	return best, width, bestScore >= 0.5
}
