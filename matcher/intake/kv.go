package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// Key: value blocks are how samples get pasted into a forum post:
//
//	Sample of 20 records, full dump for sale
//
//	Nama: Ali bin Abu
//	No KP: 900101-01-1234
//	Phone: 012-3456789
//	---
//	Nama: …
//
// The rules, line by line:
//
//   - A record is a block of lines. Blocks end at a blank line and at a
//     separator line (a line that starts with 3 or more of the same one of
//     - = * _ # ~, so "---", "=====" and "--- Record 2 ---" all separate).
//   - A key line is "Key: value", "Key : value", "Key = value" or
//     "Key：value" (full-width colon), split at the first of these. A leading
//     bullet ("- ", "* ", "• ") is dropped. The key is 1–40 characters of
//     letters, digits, spaces and _ . / -, starting with a letter; a ':'
//     followed by "//" is a URL, not a key. The value is trimmed and may be
//     empty. The column name is the key lower-cased with runs of spaces,
//     dots, slashes and dashes turned into one '_' ("No KP" → no_kp,
//     "E-mail" → e_mail).
//   - A record starts at its first key line; its row's line is that line's.
//     Lines before it — a post's intro — are ignored, and a block without any
//     key line produces no row at all: it is prose, not a record.
//   - A key that appears twice in a record fills name_2, name_3, … — except
//     the record's first key: when it comes again, a new record starts there,
//     so records pasted one after another without a blank line between them
//     still come out one by one.
//   - Inside a record, an indented line without a key continues the value
//     before it (joined with a space). An unindented line without a key
//     ("(second number not verified)") is not a line of the record, and the
//     record can no longer be trusted to be one person's: reading goes on
//     to the end of the record, and its row is rejected with
//     ReasonNotKeyValue (one rejected row, not one per such line).
//   - A line of "Key: value | Key: value | …" pairs (two or more, the first
//     one a pair; a piece without a key continues the value before it,
//     joined with '|') is a record by itself.
//
// A record is bounded as a whole: its values together may not pass
// Limits.MaxRecordBytes.

type kvReader struct {
	lr      *lineReader
	cols    *columnSet
	lim     Limits
	open    bool   // a record has its first key line
	line    int64  // the record's first key line
	off     int64  // and its offset
	first   []byte // the record's first column name
	last    int    // the column a continuation line extends, -1 none
	size    int    // bytes of the record's values
	reject  bool   // a key passed the column limit
	keyless int64  // the first unindented line without a key in the record, 0 none
	held    []byte // a line that ended the record before it; valid until lr.next
	heldNum int64
	heldOff int64
	hasHeld bool
	name    []byte // scratch
	err     error
}

// newKVReader reads "key: value" blocks.
func newKVReader(r io.Reader, lim Limits) rowReader {
	lim = lim.withDefaults()
	return &kvReader{lr: newLineReader(r, lim.MaxRecordBytes), cols: newColumnSet(lim), lim: lim, last: -1}
}

func (k *kvReader) next() (row, error) {
	if k.err != nil {
		return row{}, k.err
	}
	for {
		var line []byte
		var num, off int64
		if k.hasHeld {
			line, num, off = k.held, k.heldNum, k.heldOff
			k.hasHeld, k.held = false, nil
		} else {
			var err error
			line, num, off, err = k.lr.next()
			if err != nil {
				if errors.Is(err, io.EOF) && k.open {
					return k.close()
				}
				k.err = err
				return row{}, err
			}
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 || kvSeparator(t) {
			if k.open {
				return k.close()
			}
			continue
		}
		if pairs := kvPipePairs(t); pairs > 0 {
			if k.open {
				k.hold(line, num, off)
				return k.close()
			}
			k.start(num, off)
			if err := k.pipeRecord(t); err != nil {
				return row{}, err
			}
			return k.close()
		}
		key, value, ok := kvSplit(t)
		if !ok {
			switch {
			case !k.open: // prose before a record
			case line[0] == ' ' || line[0] == '\t':
				if k.last >= 0 {
					if err := k.grow(len(t) + 1); err != nil {
						return row{}, err
					}
					k.cols.extend(k.last, " ", t)
				}
			case k.keyless == 0:
				k.keyless = num
			}
			continue
		}
		k.name = kvColumnName(k.name[:0], key)
		if k.open && bytes.Equal(k.name, k.first) {
			k.hold(line, num, off)
			return k.close()
		}
		if !k.open {
			k.start(num, off)
			k.first = append(k.first[:0], k.name...)
		}
		if err := k.put(k.name, value); err != nil {
			return row{}, err
		}
	}
}

func (k *kvReader) hold(line []byte, num, off int64) {
	k.held, k.heldNum, k.heldOff, k.hasHeld = line, num, off, true
}

func (k *kvReader) start(num, off int64) {
	k.open, k.line, k.off = true, num, off
	k.first = k.first[:0]
	k.last, k.size, k.reject, k.keyless = -1, 0, false, 0
	k.cols.begin()
}

func (k *kvReader) grow(n int) error {
	k.size += n
	if k.size > k.lim.MaxRecordBytes {
		k.err = &syntaxError{line: k.line, offset: k.off,
			msg:   fmt.Sprintf("a key: value record longer than %d bytes", k.lim.MaxRecordBytes),
			hint:  "this is not a record of a leak sample; if it is, raise the record size limit",
			cause: errLineTooLong}
		return k.err
	}
	return nil
}

func (k *kvReader) put(name, value []byte) error {
	if err := k.grow(len(value)); err != nil {
		return err
	}
	if k.reject {
		return nil
	}
	i, err := putValue(k.cols, name, value, false)
	if err != nil {
		k.reject, k.last = true, -1
		return nil
	}
	k.last = i
	return nil
}

// pipeRecord puts the pairs of a "Key: value | Key: value" line.
func (k *kvReader) pipeRecord(t []byte) error {
	for len(t) > 0 {
		seg := t
		if i := bytes.IndexByte(t, '|'); i >= 0 {
			seg, t = t[:i], t[i+1:]
		} else {
			t = nil
		}
		seg = bytes.TrimSpace(seg)
		if key, value, ok := kvSplit(seg); ok {
			k.name = kvColumnName(k.name[:0], key)
			if len(k.first) == 0 {
				k.first = append(k.first, k.name...)
			}
			if err := k.put(k.name, value); err != nil {
				return err
			}
			continue
		}
		if k.last >= 0 {
			if err := k.grow(len(seg) + 1); err != nil {
				return err
			}
			k.cols.extend(k.last, "|", seg)
		}
	}
	return nil
}

func (k *kvReader) close() (row, error) {
	k.open = false
	k.first = k.first[:0]
	if k.reject {
		k.cols.discard()
		return row{}, &rowError{line: k.line, reason: ReasonTooManyCols,
			detail: fmt.Sprintf("the records have more than %d distinct keys, or keys too long together", k.lim.MaxColumns)}
	}
	if k.keyless != 0 {
		k.cols.discard()
		return row{}, &rowError{line: k.line, reason: ReasonNotKeyValue,
			detail: fmt.Sprintf("line %d inside the record has no key", k.keyless)}
	}
	names, values := k.cols.finish()
	return row{line: k.line, offset: k.off, names: names, values: values}, nil
}

// kvSeparator reports whether the trimmed line t separates records: it starts
// with 3 or more of the same one of - = * _ # ~.
func kvSeparator(t []byte) bool {
	if len(t) < 3 {
		return false
	}
	switch t[0] {
	case '-', '=', '*', '_', '#', '~':
		return t[1] == t[0] && t[2] == t[0]
	}
	return false
}

// kvSplit splits the trimmed line t into a key and a value at the first ':',
// '=' or '：'; ok is false when t is not a key line.
func kvSplit(t []byte) (key, value []byte, ok bool) {
	for _, b := range [][]byte{[]byte("- "), []byte("* "), []byte("• ")} {
		if bytes.HasPrefix(t, b) {
			t = bytes.TrimLeft(t[len(b):], " \t")
			break
		}
	}
	i, w := -1, 0
	for j := 0; j < len(t) && j <= 4*41; j++ {
		switch t[j] {
		case ':', '=':
			i, w = j, 1
		case 0xEF:
			if j+2 < len(t) && t[j+1] == 0xBC && t[j+2] == 0x9A {
				i, w = j, 3
			}
		}
		if i >= 0 {
			break
		}
	}
	if i <= 0 {
		return nil, nil, false
	}
	key = bytes.TrimRight(t[:i], " \t")
	value = bytes.TrimSpace(t[i+w:])
	if t[i] == ':' && bytes.HasPrefix(t[i+1:], []byte("//")) {
		return nil, nil, false
	}
	if !kvKey(key) {
		return nil, nil, false
	}
	return key, value, true
}

// kvKey reports whether key is 1–40 characters of letters, digits, spaces and
// _ . / -, starting with a letter.
func kvKey(key []byte) bool {
	n := 0
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRune(key[i:])
		i += size
		n++
		switch {
		case n > 40 || r == utf8.RuneError:
			return false
		case unicode.IsLetter(r):
		case n == 1:
			return false
		case unicode.IsDigit(r), r == ' ', r == '_', r == '.', r == '/', r == '-':
		default:
			return false
		}
	}
	return n > 0
}

// kvColumnName appends the column name of key to dst: lower-cased, with runs
// of spaces, dots, slashes and dashes turned into one '_', and no '_' at
// either end.
func kvColumnName(dst, key []byte) []byte {
	start := len(dst)
	gap := false
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRune(key[i:])
		i += size
		switch r {
		case ' ', '.', '/', '-', '\t':
			gap = true
			continue
		}
		if gap && len(dst) > start {
			dst = append(dst, '_')
		}
		gap = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// kvPipePairs returns the number of key: value pairs on a line of pairs
// joined by '|', or 0 when t is not such a line: it needs two pairs or more,
// and its first piece must be one.
func kvPipePairs(t []byte) int {
	if bytes.IndexByte(t, '|') < 0 {
		return 0
	}
	n := 0
	for first := true; len(t) > 0; first = false {
		seg := t
		if i := bytes.IndexByte(t, '|'); i >= 0 {
			seg, t = t[:i], t[i+1:]
		} else {
			t = nil
		}
		if _, _, ok := kvSplit(bytes.TrimSpace(seg)); ok {
			n++
		} else if first {
			return 0
		}
	}
	if n < 2 {
		return 0
	}
	return n
}

// sniffKV reports whether head looks like key: value blocks: at least 60% of
// its non-blank, non-separator lines are key lines (or lines of pairs), and
// either a key comes back (repeated blocks) or values hold spaces (prose-like
// values), and it is not a combolist (most "key:value" lines with no space
// around the colon and none in the value, like user123:pass).
func sniffKV(head []byte) bool {
	if ok, _ := sniffCombo(head); ok {
		return false
	}
	lines := headLines(head)
	total, kv, comboLike, spaced := 0, 0, 0, 0
	repeated := false
	seen := map[string]int{}
	var name []byte
	for _, line := range lines {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || kvSeparator(t) {
			continue
		}
		total++
		if kvPipePairs(t) > 0 {
			kv++
			spaced++
			continue
		}
		key, value, ok := kvSplit(t)
		if !ok {
			continue
		}
		kv++
		if bytes.ContainsAny(value, " \t") {
			spaced++
		}
		if i := bytes.IndexByte(t, ':'); i > 0 && t[i-1] != ' ' && len(value) > 0 &&
			i+1 < len(t) && t[i+1] != ' ' && t[i+1] != '\t' && !bytes.ContainsAny(value, " \t") {
			comboLike++
		}
		name = kvColumnName(name[:0], key)
		if len(seen) < 1024 || seen[string(name)] > 0 {
			seen[string(name)]++
			if seen[string(name)] >= 2 {
				repeated = true
			}
		}
	}
	return kv >= 2 && kv*100 >= total*60 && (repeated || spaced > 0) && comboLike*2 < kv
}

// headLines splits head into lines, leaving out a last line that may have
// been cut (head does not end with a newline) unless it is the only one.
func headLines(head []byte) [][]byte {
	lines := bytes.Split(head, []byte("\n"))
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // "" after a final newline, or a cut line
	}
	return lines
}
