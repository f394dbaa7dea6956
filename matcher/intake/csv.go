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

type csvReader struct {
	cr      *csv.Reader
	g       *recordGuard
	lim     Limits
	names   []string
	header  bool // the first record names the columns
	started bool
}

// newCSVReader reads delimited text. With header, the first record names the
// columns; without, columns are named column_1, column_2, … and a wider row
// adds names.
func newCSVReader(r io.Reader, delim rune, header bool, lim Limits) rowReader {
	// The guard's slack covers encoding/csv's own 4 KiB read-ahead.
	g := &recordGuard{r: r, max: int64(lim.MaxRecordBytes) + 4096, lastHigh: -1}
	cr := csv.NewReader(g)
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvReader{cr: cr, g: g, lim: lim, header: header}
}

func (c *csvReader) next() (row, error) {
	for {
		start := c.cr.InputOffset()
		startLine := c.g.setMark(start)
		rec, err := c.cr.Read()
		if err != nil {
			return row{}, c.wrap(err, start, startLine)
		}
		line, _ := c.cr.FieldPos(0)
		if !c.started {
			c.started = true
			if c.header {
				c.names = headerNames(rec)
				if len(c.names) > c.lim.MaxColumns {
					return row{}, &syntaxError{line: int64(line), offset: start, msg: fmt.Sprintf("the header has %d columns, more than the %d allowed", len(c.names), c.lim.MaxColumns), hint: "check the delimiter, or raise the column limit"}
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
				return row{}, &rowError{line: int64(line), reason: ReasonRagged, detail: fmt.Sprintf("%d fields, the header has %d", len(rec), len(c.names))}
			}
			if len(rec) > c.lim.MaxColumns {
				return row{}, &rowError{line: int64(line), reason: ReasonTooManyCols, detail: fmt.Sprintf("%d fields, more than the %d allowed", len(rec), c.lim.MaxColumns)}
			}
			c.names = positionalNames(c.names, len(rec))
		}
		return row{line: int64(line), offset: start, names: c.names, values: rec, ascii: c.g.lastHigh < start}, nil
	}
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
		if errors.Is(pe.Err, errLineTooLong) {
			return c.tooLong(int64(pe.StartLine), start)
		}
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrFieldCount) {
			if pe.Line > pe.StartLine+1 && c.g.n-start > int64(c.lim.MaxRecordBytes)/2 {
				return &syntaxError{line: int64(pe.StartLine), offset: start, msg: "a quoted field that is never closed", hint: "the file looks truncated or damaged; get the complete file"}
			}
			return &rowError{line: int64(pe.StartLine), reason: ReasonCSVSyntax, detail: pe.Err.Error()}
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
