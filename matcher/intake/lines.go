package intake

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// lineReader reads lines of at most max bytes, tracking 1-based line numbers
// and byte offsets. It never holds more than max (+2 for the line end) bytes
// of one line, whatever the input: a 2 GB line ends in an error once its
// first max+2 bytes have been read.
type lineReader struct {
	br  *bufio.Reader
	max int
	num int64 // lines returned so far
	off int64 // offset of the next line's start
	acc []byte
	err error // sticky
}

// newLineReader reads lines of at most max bytes from r. A *bufio.Reader is
// used as it is; any other reader gets one.
func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = Limits{}.withDefaults().MaxRecordBytes
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		size := 64 << 10
		if max+2 < size {
			size = max + 2
		}
		if size < 16 {
			size = 16
		}
		br = bufio.NewReaderSize(r, size)
	}
	return &lineReader{br: br, max: max}
}

// next returns the next line without its \n or \r\n (the slice is valid until
// the next call), the line's number and its start offset; io.EOF at the end.
// A line longer than max bytes ends reading with a *syntaxError that wraps
// errLineTooLong.
func (l *lineReader) next() (line []byte, num int64, off int64, err error) {
	if l.err != nil {
		return nil, 0, 0, l.err
	}
	num, off = l.num+1, l.off
	l.acc = l.acc[:0]
	for {
		chunk, rerr := l.br.ReadSlice('\n')
		if errors.Is(rerr, bufio.ErrBufferFull) {
			// The line goes on. Whatever it holds so far, less a '\r' that may
			// be the start of its end, counts against max.
			if len(l.acc)+len(chunk)-1 > l.max {
				return nil, 0, 0, l.fail(l.tooLong(num, off))
			}
			l.acc = append(l.acc, chunk...)
			continue
		}
		if len(l.acc) > 0 {
			if len(l.acc)+len(chunk)-2 > l.max {
				return nil, 0, 0, l.fail(l.tooLong(num, off))
			}
			l.acc = append(l.acc, chunk...)
			chunk = l.acc
		}
		if rerr != nil && rerr != io.EOF {
			return nil, 0, 0, l.fail(rerr)
		}
		if len(chunk) == 0 {
			return nil, 0, 0, l.fail(io.EOF)
		}
		l.off += int64(len(chunk))
		line = chunk
		if len(line) > 0 && line[len(line)-1] == '\n' {
			line = line[:len(line)-1]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
		}
		if len(line) > l.max {
			return nil, 0, 0, l.fail(l.tooLong(num, off))
		}
		l.num = num
		return line, num, off, nil
	}
}

func (l *lineReader) fail(err error) error {
	l.err = err
	return err
}

func (l *lineReader) tooLong(num, off int64) error {
	return &syntaxError{line: num, offset: off,
		msg:   fmt.Sprintf("a line longer than %d bytes", l.max),
		hint:  "this is not a line of a leak sample; if it is, raise the record size limit",
		cause: errLineTooLong}
}

// columnSet names the columns of a keyed format (JSON, key: value). Names are
// added in the order they first appear and never removed, so every row's
// names is a prefix of every later row's. The names slice handed out stays
// the same (same backing array, same first element) for as long as no name is
// added; adding one makes a new slice, so a consumer that caches per-column
// decisions on the slice's first element sees the change.
//
// Values are collected per row: begin starts a row, put sets a column, and
// finish returns the values aligned with names ("" for a column the row
// lacks). Every byte it keeps is bounded: at most maxCols names of at most
// maxNameBytes bytes together, and value buffers that are dropped when a row
// made them large.
type columnSet struct {
	maxCols      int
	maxNameBytes int
	index        map[string]int
	names        []string
	nameBytes    int
	bufs         [][]byte // the current row's value of each column
	gen          []uint32 // gen[i] == cur when column i is set in the current row
	cur          uint32
	out          []string
}

func newColumnSet(lim Limits) *columnSet {
	lim = lim.withDefaults()
	return &columnSet{maxCols: lim.MaxColumns, maxNameBytes: lim.MaxRecordBytes, index: map[string]int{}}
}

// errTooManyColumns is returned by put when a new name would pass the limits;
// the row is then rejected with ReasonTooManyCols.
var errTooManyColumns = errors.New("too many columns")

// keepValueBytes is the capacity of a value buffer kept from one row to the
// next; a buffer that grew larger is dropped, so a few huge rows cannot pin
// maxCols huge buffers.
const keepValueBytes = 4 << 10

// begin starts a row.
func (c *columnSet) begin() {
	c.cur++
	if c.cur == 0 { // wrapped: forget every mark
		clear(c.gen)
		c.cur = 1
	}
}

// colBytes returns the index of name, adding it when it is new.
func (c *columnSet) colBytes(name []byte) (int, error) {
	if i, ok := c.index[string(name)]; ok {
		return i, nil
	}
	return c.add(string(name))
}

// col returns the index of name, adding it when it is new.
func (c *columnSet) col(name string) (int, error) {
	if i, ok := c.index[name]; ok {
		return i, nil
	}
	return c.add(name)
}

func (c *columnSet) add(name string) (int, error) {
	if len(c.names) >= c.maxCols || c.nameBytes+len(name) > c.maxNameBytes {
		return 0, errTooManyColumns
	}
	names := make([]string, len(c.names)+1, len(c.names)+1+len(c.names)/4)
	copy(names, c.names)
	names[len(c.names)] = name
	c.names = names
	c.nameBytes += len(name)
	i := len(names) - 1
	c.index[name] = i
	c.bufs = append(c.bufs, nil)
	c.gen = append(c.gen, 0)
	return i, nil
}

// putValue sets column name to v in c's current row and returns its index.
// When the row already set that column, join appends v after "; " (the
// elements of an array), and !join puts v in the first free column of
// name_2, name_3, … (a key that appears twice).
func putValue[T string | []byte](c *columnSet, name []byte, v T, join bool) (int, error) {
	i, err := c.colBytes(name)
	if err != nil {
		return 0, err
	}
	if c.gen[i] == c.cur {
		if join {
			c.bufs[i] = append(append(c.bufs[i], "; "...), v...)
			return i, nil
		}
		base := string(name)
		for k := 2; c.gen[i] == c.cur; k++ {
			if i, err = c.col(base + "_" + strconv.Itoa(k)); err != nil {
				return 0, err
			}
		}
	}
	b := c.bufs[i][:0]
	c.gen[i] = c.cur
	c.bufs[i] = append(b, v...)
	return i, nil
}

// touch adds column name without setting it (an empty array).
func (c *columnSet) touch(name []byte) error {
	_, err := c.colBytes(name)
	return err
}

// extend appends sep and v to column i, which the current row has set.
func (c *columnSet) extend(i int, sep string, v []byte) {
	if c.gen[i] != c.cur {
		c.bufs[i] = append(c.bufs[i][:0], v...)
		c.gen[i] = c.cur
		return
	}
	c.bufs[i] = append(append(c.bufs[i], sep...), v...)
}

// finish returns the current row's names and values; values is reused by the
// next call.
func (c *columnSet) finish() (names, values []string) {
	c.out = c.out[:0]
	for i := range c.names {
		v := ""
		if c.gen[i] == c.cur {
			v = string(c.bufs[i])
		}
		if cap(c.bufs[i]) > keepValueBytes {
			c.bufs[i] = nil
		}
		c.out = append(c.out, v)
	}
	return c.names, c.out
}

// discard drops the current row's values (a rejected row).
func (c *columnSet) discard() {
	for i := range c.bufs {
		if cap(c.bufs[i]) > keepValueBytes {
			c.bufs[i] = nil
		}
	}
	c.begin()
}
