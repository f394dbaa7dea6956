package intake

// SQL dumps.
//
// A leak sample in SQL is nearly always a dump written by a tool (mysqldump,
// pg_dump in plain format with COPY or --inserts, phpMyAdmin, Adminer,
// sqlite3 .dump), not SQL a person wrote, and all we want from it is the rows.
// So this is not an SQL parser: it reads the small subset of SQL those tools
// emit and skips the rest.
//
//   - CREATE TABLE name (col type ..., KEY ..., ...) gives the column names
//     of a table; the types, defaults and key or constraint lines are skipped.
//   - INSERT [IGNORE] INTO / REPLACE INTO name [(cols)] VALUES (...),(...);
//     gives one row per tuple. Values are literals: strings, numbers, NULL,
//     TRUE/FALSE, hex and bit literals; function calls such as NOW() are kept
//     as written, casts such as '2021-01-01'::date are dropped. A trailing
//     ON DUPLICATE KEY UPDATE / ON CONFLICT / RETURNING clause is skipped.
//   - COPY name [(cols)] FROM stdin; followed by PostgreSQL text-format lines
//     up to \. gives one row per line.
//   - Every other statement (SET, DROP, LOCK TABLES, ALTER, CREATE FUNCTION
//     with a dollar-quoted body, SELECT pg_catalog.set_config(...), psql
//     meta-commands such as \connect, mysql DELIMITER blocks, comments and
//     MySQL /*!...*/ conditional comments) is skipped up to its terminator,
//     respecting quotes and comments.
//
// The reader streams: it never holds a statement, only the tuple or COPY line
// it is reading, which Limits.MaxRecordBytes caps, so a dump of any size with
// a million tuples in one INSERT costs the same memory as a small one. It
// tracks the line and byte offset of everything it reads so that errors can
// say where the problem is without quoting the data, which is personal data.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sqlDialect says how backslashes inside '...' strings are read.
type sqlDialect int

const (
	// dialectMySQL reads backslash escapes in every quoted string.
	dialectMySQL sqlDialect = iota
	// dialectPostgres reads '...' literally (standard_conforming_strings)
	// and backslash escapes only in E'...' strings.
	dialectPostgres
)

func (d sqlDialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "mysql"
}

const (
	sqlMaxIdent     = 1024    // bytes of one identifier or keyword
	sqlMaxTag       = 64      // bytes of a $tag$ of a dollar-quoted string
	sqlMaxDelim     = 16      // bytes of a mysql DELIMITER
	sqlMaxTables    = 4096    // table definitions and column lists remembered
	sqlSchemaBudget = 8 << 20 // bytes of column names remembered
	sqlBufSize      = 64 << 10

	sqlTruncatedHint = "the file looks truncated; get the complete dump"
	sqlJunkHint      = "the file is not a plain-text SQL dump or it is damaged; decompress or convert it first, or get an intact copy"
)

var sqlBOM = []byte{0xef, 0xbb, 0xbf}

// sniffSQL looks at the first bytes of a dump and reports whether it looks
// like an SQL dump, and which dialect.
func sniffSQL(head []byte) (ok bool, d sqlDialect) {
	z := sqlSniffer{b: bytes.TrimPrefix(head, sqlBOM)}
	return z.run()
}

// newSQLReader streams rows out of an SQL dump read from r.
func newSQLReader(r io.Reader, d sqlDialect, lim Limits) rowReader {
	lim = lim.withDefaults()
	return &sqlReader{
		br:      bufio.NewReaderSize(r, sqlBufSize),
		d:       d,
		max:     lim.MaxRecordBytes,
		maxCols: lim.MaxColumns,
		line:    1,
		limit:   math.MaxInt64,
		delim:   []byte{';'},
		defs:    map[string][]string{},
		synth:   map[string][]string{},
		lists:   map[string][]string{},
	}
}

type sqlState uint8

const (
	sqlTop        sqlState = iota // between statements
	sqlTuple                      // after VALUES or ",": a tuple comes
	sqlAfterTuple                 // after the ")" of a tuple
	sqlCopy                       // inside the data of COPY ... FROM stdin
	sqlCopySkip                   // inside COPY data in a format not read
)

// Modes of reading a quoted string.
const (
	sqlSkip   = iota // skip it
	sqlDecode        // append its decoded value to buf
	sqlRaw           // append it as written to buf
)

type sqlReader struct {
	br      *bufio.Reader
	d       sqlDialect
	max     int // Limits.MaxRecordBytes
	maxCols int // Limits.MaxColumns

	line        int64 // line of the next byte, 1-based
	off         int64 // offset of the next byte
	prev, prev2 byte  // the last two bytes read
	started     bool

	// limit is the offset past which the record being read is too long;
	// limLine, limOff and limWhat say which record for the error.
	limit   int64
	limLine int64
	limOff  int64
	limWhat string

	delim []byte // statement terminator, ";" unless a mysql DELIMITER says
	state sqlState
	err   error // sticky: io.EOF or a fatal error

	stmtLine int64    // line where the current statement began
	copyLine int64    // line where the current COPY data began
	table    string   // table of the current INSERT or COPY
	tkey     string   // its lookup key
	names    []string // its column names; nil: synthesised at the first row

	buf    []byte   // the current tuple's values, or the current COPY line
	dec    []byte   // decoded COPY fields
	ends   []int    // end of each value in buf
	nvals  int      // values of the current tuple, even those past maxCols
	values []string // handed out with each row
	wbuf   []byte   // the current word or identifier

	defs        map[string][]string // columns of CREATE TABLE, by table key
	synth       map[string][]string // synthesised names, by table key
	lists       map[string][]string // interned explicit column lists
	schemaBytes int
}

// sqlAbort carries a fatal error from deep in the scanner up to next.
type sqlAbort struct{ err error }

func (s *sqlReader) next() (r row, err error) {
	if s.err != nil {
		return row{}, s.err
	}
	defer func() {
		if p := recover(); p != nil {
			a, ok := p.(sqlAbort)
			if !ok {
				panic(p)
			}
			s.err = a.err
			r, err = row{}, a.err
		}
	}()
	if !s.started {
		s.started = true
		if bytes.Equal(s.peekN(len(sqlBOM)), sqlBOM) {
			for range sqlBOM {
				s.get()
			}
		}
	}
	for {
		switch s.state {
		case sqlTop:
			if !s.statement() {
				s.err = io.EOF
				return row{}, io.EOF
			}
		case sqlTuple:
			if !s.skipSpace() {
				s.truncated("an INSERT statement", s.stmtLine)
			}
			b, _ := s.peek()
			if b == '(' {
				return s.tuple()
			}
			line := s.line
			s.setLimit("tuple")
			if sqlIdentStart(b) && sqlIsWord(s.readWord(), "ROW") { // mysql 8: VALUES ROW(...), ROW(...)
				s.skipSpace()
				if c, _ := s.peek(); c == '(' {
					s.clearLimit()
					return s.tuple()
				}
			}
			s.resync(true)
			s.clearLimit()
			return row{}, &rowError{line: line, reason: ReasonSQLSyntax, detail: "a tuple was expected; skipped to the next one"}
		case sqlAfterTuple:
			if !s.skipSpace() {
				// The last statement lacks its ";": tolerated.
				s.err = io.EOF
				return row{}, io.EOF
			}
			b, _ := s.peek()
			switch {
			case b == ',':
				s.get()
				s.state = sqlTuple
			case s.atDelim(b):
				s.eatDelim()
				s.state = sqlTop
			case b == ';':
				s.get()
				s.state = sqlTop
			case sqlIdentStart(b) && s.trailingClause():
				// ON DUPLICATE KEY UPDATE, ON CONFLICT, RETURNING, AS alias.
				s.skipStatement()
				s.state = sqlTop
			default:
				line := s.line
				s.setLimit("tuple")
				s.resync(true)
				s.clearLimit()
				return row{}, &rowError{line: line, reason: ReasonSQLSyntax, detail: "unexpected text after a tuple; skipped to the next one"}
			}
		case sqlCopy:
			line, off := s.line, s.off
			eof := s.readLine()
			if sqlIsCopyEnd(s.buf) {
				s.state = sqlTop
				continue
			}
			if eof {
				s.truncated("COPY data", s.copyLine)
			}
			return s.copyRow(line, off)
		case sqlCopySkip:
			eof := s.readLine()
			if sqlIsCopyEnd(s.buf) {
				s.state = sqlTop
				return row{}, &rowError{line: s.stmtLine, reason: ReasonSQLSyntax, detail: "COPY data in CSV or binary format is not read; the block is skipped"}
			}
			if eof {
				s.truncated("COPY data", s.copyLine)
			}
		}
	}
}

// ---- bytes

func (s *sqlReader) get() (byte, bool) {
	b, err := s.br.ReadByte()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			panic(sqlAbort{err})
		}
		return 0, false
	}
	s.off++
	if s.off > s.limit {
		s.tooLong()
	}
	if b == '\n' {
		s.line++
	}
	s.prev2, s.prev = s.prev, b
	return b, true
}

func (s *sqlReader) peek() (byte, bool) {
	p, err := s.br.Peek(1)
	if len(p) == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			panic(sqlAbort{err})
		}
		return 0, false
	}
	return p[0], true
}

// peekN returns up to n next bytes, fewer at the end of the input.
func (s *sqlReader) peekN(n int) []byte {
	p, err := s.br.Peek(n)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		panic(sqlAbort{err})
	}
	return p
}

// readLine reads one line into buf without its line end, and reports
// whether the input ended before a newline.
func (s *sqlReader) readLine() (eof bool) {
	line, off := s.line, s.off
	s.buf = s.buf[:0]
loop:
	for {
		chunk, err := s.br.ReadSlice('\n')
		s.off += int64(len(chunk))
		if len(s.buf)+len(chunk) > s.max+2 {
			s.limLine, s.limOff, s.limWhat = line, off, "COPY line"
			s.tooLong()
		}
		s.buf = append(s.buf, chunk...)
		switch {
		case err == nil:
			s.line++
			s.buf = s.buf[:len(s.buf)-1]
			break loop
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			eof = true
			break loop
		default:
			panic(sqlAbort{err})
		}
	}
	if n := len(s.buf); n > 0 && s.buf[n-1] == '\r' {
		s.buf = s.buf[:n-1]
	}
	if len(s.buf) > s.max {
		s.limLine, s.limOff, s.limWhat = line, off, "COPY line"
		s.tooLong()
	}
	s.prev2, s.prev = 0, '\n'
	return eof
}

// ---- errors

func (s *sqlReader) fail(line, off int64, msg, hint string) {
	panic(sqlAbort{&syntaxError{line: line, offset: off, msg: msg, hint: hint}})
}

func (s *sqlReader) truncated(what string, line int64) {
	s.fail(s.line, s.off, fmt.Sprintf("the dump ends inside %s that began on line %d", what, line), sqlTruncatedHint)
}

func (s *sqlReader) junk() {
	s.fail(s.line, s.off, fmt.Sprintf("binary data (a control byte) at byte %d where SQL text should be", s.off), sqlJunkHint)
}

func (s *sqlReader) tooLong() {
	panic(sqlAbort{&syntaxError{
		line:   s.limLine,
		offset: s.limOff,
		msg:    fmt.Sprintf("%v: a single %s longer than %d bytes", errLineTooLong, s.limWhat, s.max),
		hint:   "no genuine row is that long: the dump may be damaged (an unterminated quoted string swallows the rest of the file) or hold a large blob; raise the record limit only for a file you trust",
		cause:  errLineTooLong,
	}})
}

func (s *sqlReader) tooManyCols() {
	s.fail(s.line, s.off, fmt.Sprintf("a column list of more than %d columns", s.maxCols), "raise the column limit if the table is genuine")
}

func (s *sqlReader) setLimit(what string) {
	s.limLine, s.limOff, s.limWhat = s.line, s.off, what
	s.limit = s.off + int64(s.max)
}

func (s *sqlReader) clearLimit() { s.limit = math.MaxInt64 }

// ---- lexical helpers

func sqlIsSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

// sqlIsJunk reports a byte that has no business outside a quoted string of an
// SQL text.
func sqlIsJunk(b byte) bool { return (b < 0x20 && !sqlIsSpace(b)) || b == 0x7f }

func sqlIdentStart(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b >= 0x80
}

func sqlIdentByte(b byte) bool {
	return sqlIdentStart(b) || (b >= '0' && b <= '9') || b == '$'
}

// sqlIsBare reports a byte that can be part of an unquoted value.
func sqlIsBare(b byte) bool {
	if sqlIsSpace(b) || sqlIsJunk(b) {
		return false
	}
	switch b {
	case ',', '(', ')', '\'', '"', '`', ';', ':':
		return false
	}
	return true
}

func sqlIsWord(w, k string) bool { return strings.EqualFold(w, k) }

func sqlIsAnyWord(w string, ks ...string) bool {
	for _, k := range ks {
		if strings.EqualFold(w, k) {
			return true
		}
	}
	return false
}

func sqlIsCopyEnd(line []byte) bool { return len(line) == 2 && line[0] == '\\' && line[1] == '.' }

func sqlUnhex(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

func (s *sqlReader) atDelim(b byte) bool {
	if b != s.delim[0] {
		return false
	}
	return len(s.delim) == 1 || bytes.Equal(s.peekN(len(s.delim)), s.delim)
}

func (s *sqlReader) eatDelim() {
	for range s.delim {
		s.get()
	}
}

func (s *sqlReader) atComment(b byte) bool {
	switch b {
	case '-', '/':
		p := s.peekN(2)
		return len(p) == 2 && ((b == '-' && p[1] == '-') || (b == '/' && p[1] == '*'))
	case '#':
		return s.d == dialectMySQL
	}
	return false
}

func (s *sqlReader) skipComment() {
	if b, _ := s.peek(); b == '/' {
		s.skipBlock()
		return
	}
	s.skipLine()
}

// skipLine skips through the end of the line.
func (s *sqlReader) skipLine() {
	for {
		b, ok := s.get()
		if !ok || b == '\n' {
			return
		}
	}
}

// skipBlock skips a /* ... */ comment, MySQL /*! ... */ conditional comments
// included; PostgreSQL block comments nest.
func (s *sqlReader) skipBlock() {
	line := s.line
	s.get()
	s.get()
	for depth := 1; ; {
		b, ok := s.get()
		if !ok {
			s.truncated("a comment", line)
		}
		n, _ := s.peek()
		switch {
		case b == '*' && n == '/':
			s.get()
			if depth--; depth == 0 {
				return
			}
		case b == '/' && n == '*' && s.d == dialectPostgres:
			s.get()
			depth++
		}
	}
}

// skipSpace skips white space and comments, and reports false at the end
// of the input.
func (s *sqlReader) skipSpace() bool {
	for {
		b, ok := s.peek()
		switch {
		case !ok:
			return false
		case sqlIsSpace(b):
			s.get()
		case s.atComment(b):
			s.skipComment()
		default:
			return true
		}
	}
}

// readWord reads an unquoted word: a keyword or an identifier.
func (s *sqlReader) readWord() string {
	s.wbuf = s.wbuf[:0]
	for {
		b, ok := s.peek()
		if !ok || !sqlIdentByte(b) {
			return string(s.wbuf)
		}
		if len(s.wbuf) >= sqlMaxIdent {
			s.fail(s.line, s.off, fmt.Sprintf("a word longer than %d bytes", sqlMaxIdent), sqlJunkHint)
		}
		s.get()
		s.wbuf = append(s.wbuf, b)
	}
}

// readQuotedIdent reads a `quoted`, "quoted" or [quoted] identifier and
// returns it unquoted.
func (s *sqlReader) readQuotedIdent() string {
	line := s.line
	q, _ := s.get()
	end := q
	if q == '[' {
		end = ']'
	}
	s.wbuf = s.wbuf[:0]
	for {
		b, ok := s.get()
		if !ok {
			s.truncated("a quoted identifier", line)
		}
		if b == end {
			if n, ok := s.peek(); !ok || n != end {
				return string(s.wbuf)
			}
			s.get()
		}
		if len(s.wbuf) >= sqlMaxIdent {
			s.fail(s.line, s.off, fmt.Sprintf("an identifier longer than %d bytes", sqlMaxIdent), sqlJunkHint)
		}
		s.wbuf = append(s.wbuf, b)
	}
}

func (s *sqlReader) namePart() (string, bool) {
	b, ok := s.peek()
	switch {
	case !ok:
		return "", false
	case b == '`' || b == '"' || b == '[':
		return s.readQuotedIdent(), true
	case sqlIdentByte(b):
		return s.readWord(), true
	}
	return "", false
}

// readName reads a possibly qualified name (schema.table) and returns its
// last part, unquoted. first is its first part when the caller has already
// read it as a word, else "".
func (s *sqlReader) readName(first string) (string, bool) {
	last := first
	if first == "" {
		p, ok := s.namePart()
		if !ok {
			return "", false
		}
		last = p
	}
	for {
		if b, ok := s.peek(); !ok || b != '.' {
			return last, true
		}
		s.get()
		p, ok := s.namePart()
		if !ok {
			return "", false
		}
		last = p
	}
}

// escapes reports whether a string opened by the quote q, not read yet,
// takes backslash escapes.
func (s *sqlReader) escapes(q byte) bool {
	switch {
	case q == '`':
		return false
	case s.d == dialectMySQL:
		return true
	case q == '\'':
		return (s.prev == 'E' || s.prev == 'e') && !sqlIdentByte(s.prev2)
	}
	return false
}

// skipQuoted skips a quoted string or identifier.
func (s *sqlReader) skipQuoted() {
	q, _ := s.peek()
	esc := s.escapes(q)
	s.get()
	s.quoted(q, esc, sqlSkip)
}

// quoted reads the rest of a string opened by q, whose opening quote is read.
func (s *sqlReader) quoted(q byte, esc bool, mode int) {
	line := s.line
	for {
		b, ok := s.get()
		if !ok {
			s.truncated("a quoted string", line)
		}
		switch {
		case b == q:
			if n, ok := s.peek(); ok && n == q {
				s.get()
				switch mode {
				case sqlDecode:
					s.buf = append(s.buf, q)
				case sqlRaw:
					s.buf = append(s.buf, q, q)
				}
				continue
			}
			if mode == sqlRaw {
				s.buf = append(s.buf, q)
			}
			return
		case b == '\\' && esc:
			c, ok := s.get()
			if !ok {
				s.truncated("a quoted string", line)
			}
			switch mode {
			case sqlDecode:
				s.unescape(c)
			case sqlRaw:
				s.buf = append(s.buf, '\\', c)
			}
		case mode != sqlSkip:
			s.buf = append(s.buf, b)
		}
	}
}

// unescape appends the value of the escape sequence \c, c read.
func (s *sqlReader) unescape(c byte) {
	if s.d == dialectMySQL {
		switch c {
		case '0':
			c = 0
		case 'b':
			c = '\b'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		case 'Z':
			c = 0x1a
		case '%', '_':
			// MySQL keeps the backslash of \% and \_ outside LIKE patterns.
			s.buf = append(s.buf, '\\')
		}
		s.buf = append(s.buf, c)
		return
	}
	// PostgreSQL E'...' strings.
	switch c {
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := int(c - '0')
		for range 2 {
			n, ok := s.peek()
			if !ok || n < '0' || n > '7' {
				break
			}
			s.get()
			v = v*8 + int(n-'0')
		}
		c = byte(v)
	case 'x':
		v, n := s.hexDigits(2)
		if n > 0 {
			c = byte(v)
		}
	case 'u', 'U':
		want := 4
		if c == 'U' {
			want = 8
		}
		v, n := s.hexDigits(want)
		if n < want {
			s.buf = append(s.buf, c)
			s.buf = strconv.AppendUint(s.buf, uint64(v), 16) // best effort
			return
		}
		s.buf = utf8.AppendRune(s.buf, rune(v))
		return
	}
	s.buf = append(s.buf, c)
}

func (s *sqlReader) hexDigits(most int) (v, n int) {
	for n < most {
		b, ok := s.peek()
		if !ok {
			break
		}
		d, ok := sqlUnhex(b)
		if !ok {
			break
		}
		s.get()
		v = v<<4 | int(d)
		n++
	}
	return v, n
}

// dollar reads a PostgreSQL dollar-quoted string $tag$...$tag$ when one
// starts here, appending its body to buf when keep, and reports whether
// one did; nothing is read when not.
func (s *sqlReader) dollar(keep bool) bool {
	p := s.peekN(sqlMaxTag + 2)
	n := 0
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c == '$' {
			n = i + 1
			break
		}
		if !sqlIdentStart(c) && (i == 1 || c < '0' || c > '9') {
			return false
		}
	}
	if n == 0 {
		return false
	}
	tag := string(p[:n])
	line := s.line
	for range n {
		s.get()
	}
	for {
		b, ok := s.get()
		if !ok {
			s.truncated("a dollar-quoted string", line)
		}
		if b == '$' && string(s.peekN(n-1)) == tag[1:] {
			for range n - 1 {
				s.get()
			}
			return true
		}
		if keep {
			s.buf = append(s.buf, b)
		}
	}
}

// ---- statements

// statement reads the start of the next statement and dispatches on it; it
// reports false at the end of the input.
func (s *sqlReader) statement() bool {
	if !s.skipSpace() {
		return false
	}
	s.stmtLine = s.line
	b, _ := s.peek()
	switch {
	case s.atDelim(b):
		s.eatDelim()
		return true
	case b == ';':
		s.get()
		return true
	case b == '\\': // a psql meta-command: \connect, \restrict, ...
		s.skipLine()
		return true
	case sqlIsJunk(b):
		s.junk()
	case !sqlIdentStart(b):
		s.skipStatement()
		return true
	}
	w := s.readWord()
	switch {
	case sqlIsWord(w, "INSERT"), sqlIsWord(w, "REPLACE"):
		s.insert()
	case sqlIsWord(w, "CREATE"):
		s.create()
	case sqlIsWord(w, "COPY"):
		s.copyStmt()
	case sqlIsWord(w, "DELIMITER") && s.d == dialectMySQL:
		s.delimiter()
	default:
		s.skipStatement()
	}
	return true
}

// skipStatement skips to the end of the statement, past its terminator.
func (s *sqlReader) skipStatement() {
	for {
		b, ok := s.peek()
		if !ok {
			s.truncated("a statement", s.stmtLine)
		}
		switch {
		case s.atDelim(b):
			s.eatDelim()
			return
		case b == '\'' || b == '"' || b == '`':
			s.skipQuoted()
		case s.atComment(b):
			s.skipComment()
		case b == '$' && s.d == dialectPostgres && !sqlIdentByte(s.prev) && s.dollar(false):
		case sqlIsJunk(b):
			s.junk()
		default:
			s.get()
		}
	}
}

// delimiter reads the rest of a mysql DELIMITER line.
func (s *sqlReader) delimiter() {
	var d []byte
	bad := false
	for {
		b, ok := s.get()
		if !ok || b == '\n' {
			break
		}
		if sqlIsSpace(b) {
			continue
		}
		if len(d) >= sqlMaxDelim || sqlIsJunk(b) {
			bad = true
			continue
		}
		d = append(d, b)
	}
	if len(d) > 0 && !bad {
		s.delim = d
	}
}

// insert reads INSERT/REPLACE [modifiers] [INTO] name [(cols)] ... VALUES.
func (s *sqlReader) insert() {
	var name string
	for {
		if !s.skipSpace() {
			s.truncated("an INSERT statement", s.stmtLine)
		}
		b, _ := s.peek()
		ok := false
		switch {
		case b == '`' || b == '"' || b == '[':
			name, ok = s.readName("")
		case sqlIdentByte(b):
			w := s.readWord()
			switch {
			case sqlIsAnyWord(w, "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"):
				continue
			case sqlIsWord(w, "INTO"):
				if !s.skipSpace() {
					s.truncated("an INSERT statement", s.stmtLine)
				}
				name, ok = s.readName("")
			default: // mysql: INSERT name VALUES ...
				name, ok = s.readName(w)
			}
		}
		if !ok {
			s.skipStatement()
			return
		}
		break
	}
	var cols []string
	hasCols := false
	for {
		if !s.skipSpace() {
			s.truncated("an INSERT statement", s.stmtLine)
		}
		b, _ := s.peek()
		if b == '(' && !hasCols {
			s.get()
			c, ok := s.columnList()
			if !ok {
				s.skipStatement()
				return
			}
			cols, hasCols = c, true
			continue
		}
		if !sqlIdentStart(b) {
			s.skipStatement()
			return
		}
		w := s.readWord()
		switch {
		case sqlIsAnyWord(w, "VALUES", "VALUE"):
			s.begin(name, cols)
			s.state = sqlTuple
			return
		case sqlIsWord(w, "AS"): // PostgreSQL: INSERT INTO t AS alias
			s.skipSpace()
			if _, ok := s.readName(""); !ok {
				s.skipStatement()
				return
			}
		case sqlIsWord(w, "OVERRIDING"): // OVERRIDING SYSTEM VALUE
			for range 2 {
				s.skipSpace()
				if b, _ := s.peek(); !sqlIdentStart(b) {
					s.skipStatement()
					return
				}
				s.readWord()
			}
		default: // SELECT, SET, DEFAULT VALUES, PARTITION, ...
			s.skipStatement()
			return
		}
	}
}

// columnList reads a column list after its "(".
func (s *sqlReader) columnList() ([]string, bool) {
	cols := []string{}
	for {
		if !s.skipSpace() {
			s.truncated("a column list", s.stmtLine)
		}
		if b, _ := s.peek(); b == ')' && len(cols) == 0 {
			s.get()
			return cols, true
		}
		name, ok := s.readName("")
		if !ok {
			return nil, false
		}
		if len(cols) >= s.maxCols {
			s.tooManyCols()
		}
		cols = append(cols, name)
		if !s.skipSpace() {
			s.truncated("a column list", s.stmtLine)
		}
		switch b, _ := s.peek(); b {
		case ',':
			s.get()
		case ')':
			s.get()
			return cols, true
		default:
			return nil, false
		}
	}
}

// begin sets up the table and column names of the rows of an INSERT or COPY.
func (s *sqlReader) begin(name string, cols []string) {
	s.table = name
	s.tkey = strings.ToLower(name)
	switch d, ok := s.defs[s.tkey]; {
	case len(cols) > 0:
		s.names = s.intern(cols)
	case ok:
		s.names = d
	default:
		s.names = s.synth[s.tkey] // nil: synthesised at the first row
	}
}

// intern returns the column list of the current table equal to cols that
// was handed out before, so that rows of the same columns share one slice.
func (s *sqlReader) intern(cols []string) []string {
	if d, ok := s.defs[s.tkey]; ok && slices.Equal(d, cols) {
		return d
	}
	key := s.tkey + "\x00" + strings.Join(cols, "\x00")
	if v, ok := s.lists[key]; ok {
		return v
	}
	if len(s.lists) < sqlMaxTables && s.remember(cols) {
		s.lists[key] = cols
	}
	return cols
}

// remember reports whether cols fit in what is left of the schema budget,
// and takes them from it.
func (s *sqlReader) remember(cols []string) bool {
	n := 0
	for _, c := range cols {
		n += len(c) + 16
	}
	if s.schemaBytes+2*n > sqlSchemaBudget {
		return false
	}
	s.schemaBytes += 2 * n
	return true
}

// synthesize names n columns of the current table column_1, column_2, ...
func (s *sqlReader) synthesize(n int) []string {
	n = min(max(n, 1), s.maxCols)
	names := make([]string, n)
	for i := range names {
		names[i] = "column_" + strconv.Itoa(i+1)
	}
	if len(s.synth) < sqlMaxTables && s.remember(names) {
		s.synth[s.tkey] = names
	}
	return names
}

// create reads CREATE [TEMPORARY ...] TABLE [IF NOT EXISTS] name (...) and
// remembers the names of its columns; other CREATE statements are skipped.
func (s *sqlReader) create() {
	for {
		if !s.skipSpace() {
			s.truncated("a CREATE statement", s.stmtLine)
		}
		if b, _ := s.peek(); !sqlIdentStart(b) {
			s.skipStatement()
			return
		}
		w := s.readWord()
		if sqlIsWord(w, "TABLE") {
			break
		}
		if !sqlIsAnyWord(w, "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL", "OR", "REPLACE") {
			s.skipStatement()
			return
		}
	}
	if !s.skipSpace() {
		s.truncated("a CREATE statement", s.stmtLine)
	}
	var name string
	var ok bool
	if b, _ := s.peek(); sqlIdentByte(b) {
		w := s.readWord()
		if sqlIsWord(w, "IF") {
			for _, k := range []string{"NOT", "EXISTS"} {
				s.skipSpace()
				if b, _ := s.peek(); !sqlIdentStart(b) || !sqlIsWord(s.readWord(), k) {
					s.skipStatement()
					return
				}
			}
			s.skipSpace()
			name, ok = s.readName("")
		} else {
			name, ok = s.readName(w)
		}
	} else {
		name, ok = s.readName("")
	}
	if !ok {
		s.skipStatement()
		return
	}
	if !s.skipSpace() {
		s.truncated("a CREATE statement", s.stmtLine)
	}
	if b, _ := s.peek(); b != '(' { // AS SELECT, PARTITION OF, LIKE, ...
		s.skipStatement()
		return
	}
	s.get()
	var cols []string
	for {
		if !s.skipSpace() {
			s.truncated("a CREATE TABLE statement", s.stmtLine)
		}
		b, _ := s.peek()
		if b == ')' {
			s.get()
			break
		}
		col, isCol := "", false
		switch {
		case b == '`' || b == '"' || b == '[':
			col, isCol = s.readQuotedIdent(), true
		case sqlIdentStart(b):
			w := s.readWord()
			col, isCol = w, !s.constraint(w)
		}
		if isCol {
			if len(cols) >= s.maxCols {
				s.tooManyCols()
			}
			cols = append(cols, col)
		}
		if s.element() != ',' {
			break
		}
	}
	s.skipStatement() // table options up to the terminator
	if len(cols) == 0 {
		return
	}
	key := strings.ToLower(name)
	if _, seen := s.defs[key]; seen || (len(s.defs) < sqlMaxTables && s.remember(cols)) {
		s.defs[key] = cols
	}
}

// constraint reports whether the word w that starts an element of CREATE
// TABLE starts a key or constraint rather than a column.
func (s *sqlReader) constraint(w string) bool {
	switch strings.ToUpper(w) {
	case "PRIMARY", "UNIQUE", "CONSTRAINT", "CHECK", "FOREIGN", "LIKE":
		return true
	case "KEY", "INDEX", "FULLTEXT", "SPATIAL", "PERIOD":
		// Reserved in MySQL; a PostgreSQL column may be named key.
		return s.d == dialectMySQL
	case "EXCLUDE":
		if s.d != dialectPostgres {
			return false
		}
		s.skipSpace()
		b, _ := s.peek()
		if b == '(' {
			return true
		}
		return sqlIdentStart(b) && sqlIsWord(s.readWord(), "USING")
	}
	return false
}

// element skips the rest of an element of a parenthesised list through the
// "," or ")" that ends it, and returns that byte; ';' (not read) when the
// statement ends first.
func (s *sqlReader) element() byte {
	depth := 0
	for {
		b, ok := s.peek()
		if !ok {
			s.truncated("a CREATE TABLE statement", s.stmtLine)
		}
		switch {
		case b == ';' || s.atDelim(b):
			return ';'
		case b == '\'' || b == '"' || b == '`':
			s.skipQuoted()
			continue
		case s.atComment(b):
			s.skipComment()
			continue
		case sqlIsJunk(b):
			s.junk()
		case b == '(':
			depth++
		case b == ')':
			if depth == 0 {
				s.get()
				return ')'
			}
			depth--
		case b == ',' && depth == 0:
			s.get()
			return ','
		}
		s.get()
	}
}

// copyStmt reads COPY name [(cols)] FROM stdin [options]; and sets up the
// reading of its data lines; other COPY statements are skipped.
func (s *sqlReader) copyStmt() {
	if !s.skipSpace() {
		s.truncated("a COPY statement", s.stmtLine)
	}
	name, ok := s.readName("")
	if !ok {
		s.skipStatement()
		return
	}
	if !s.skipSpace() {
		s.truncated("a COPY statement", s.stmtLine)
	}
	var cols []string
	if b, _ := s.peek(); b == '(' {
		s.get()
		if cols, ok = s.columnList(); !ok {
			s.skipStatement()
			return
		}
		if !s.skipSpace() {
			s.truncated("a COPY statement", s.stmtLine)
		}
	}
	for _, k := range []string{"FROM", "STDIN"} {
		if b, _ := s.peek(); !sqlIdentStart(b) || !sqlIsWord(s.readWord(), k) {
			s.skipStatement()
			return
		}
		if !s.skipSpace() {
			s.truncated("a COPY statement", s.stmtLine)
		}
	}
	text := true
	for {
		b, _ := s.peek()
		switch {
		case b == ';':
			s.get()
		case sqlIdentStart(b):
			if w := s.readWord(); sqlIsAnyWord(w, "CSV", "BINARY") {
				text = false
			}
		case b == '\'' || b == '"':
			s.skipQuoted()
		case sqlIsJunk(b):
			s.junk()
		default:
			s.get()
		}
		if b == ';' {
			break
		}
		if !s.skipSpace() {
			s.truncated("a COPY statement", s.stmtLine)
		}
	}
	s.skipLine() // the data starts on the next line
	s.begin(name, cols)
	s.copyLine = s.line
	s.state = sqlCopy
	if !text {
		s.state = sqlCopySkip
	}
}

// ---- tuples

// tuple reads one parenthesised tuple of an INSERT.
func (s *sqlReader) tuple() (row, error) {
	line, off := s.line, s.off
	s.setLimit("tuple")
	s.get() // (
	s.buf, s.ends, s.nvals = s.buf[:0], s.ends[:0], 0
	if !s.skipSpace() {
		s.truncated("an INSERT statement", s.stmtLine)
	}
	if b, _ := s.peek(); b == ')' {
		s.get()
		s.clearLimit()
		s.state = sqlAfterTuple
		return row{}, &rowError{line: line, reason: ReasonEmpty, detail: "an empty tuple"}
	}
	for {
		var sep byte
		if s.value() {
			sep = s.afterValue()
		}
		if sep == 0 {
			s.resync(false)
			s.clearLimit()
			return row{}, &rowError{line: line, reason: ReasonSQLSyntax, detail: "a value of the tuple could not be read; skipped to the next tuple"}
		}
		if sep == ')' {
			break
		}
	}
	s.clearLimit()
	s.state = sqlAfterTuple
	if s.nvals > s.maxCols {
		return row{}, &rowError{line: line, reason: ReasonTooManyCols, detail: fmt.Sprintf("a tuple of %d values, more than the %d allowed", s.nvals, s.maxCols)}
	}
	return s.emit(line, off), nil
}

// emit makes the row of the values in buf.
func (s *sqlReader) emit(line, off int64) row {
	all := string(s.buf)
	s.values = s.values[:0]
	p := 0
	for _, e := range s.ends {
		s.values = append(s.values, all[p:e])
		p = e
	}
	if s.names == nil {
		s.names = s.synthesize(len(s.values))
	}
	return row{line: line, offset: off, table: s.table, names: s.names, values: s.values}
}

func (s *sqlReader) endValue(start int) {
	s.nvals++
	if s.nvals > s.maxCols {
		s.buf = s.buf[:start]
		return
	}
	s.ends = append(s.ends, len(s.buf))
}

// value reads one value of a tuple into buf; it reports false when what
// comes is not a value this reader understands.
func (s *sqlReader) value() bool {
	if !s.skipSpace() {
		s.truncated("an INSERT statement", s.stmtLine)
	}
	start := len(s.buf)
	b, _ := s.peek()
	switch {
	case b == '\'' || b == '"':
		esc := s.escapes(b)
		s.get()
		s.quoted(b, esc, sqlDecode)
	case b == '$' && s.d == dialectPostgres:
		if !s.dollar(true) {
			return false
		}
	case sqlIsBare(b):
		for {
			b, ok := s.peek()
			if !ok || !sqlIsBare(b) {
				break
			}
			s.get()
			s.buf = append(s.buf, b)
		}
		s.afterBare(start)
	default:
		return false
	}
	s.endValue(start)
	return true
}

// afterBare finishes a value that starts with the unquoted text in
// buf[start:]: a prefixed string, a function call or a keyword.
func (s *sqlReader) afterBare(start int) {
	tok := s.buf[start:]
	n, _ := s.peek()
	one := byte(0)
	if len(tok) == 1 {
		one = tok[0] | 0x20
	}
	switch {
	case n == '\'' && one == 'e': // PostgreSQL E'...'
		s.buf = s.buf[:start]
		s.get()
		s.quoted('\'', true, sqlDecode)
	case n == '\'' && one == 'n': // N'...'
		s.buf = s.buf[:start]
		s.get()
		s.quoted('\'', s.d == dialectMySQL, sqlDecode)
	case n == '\'' && (one == 'x' || one == 'b'): // X'...', B'...': kept as written
		s.get()
		s.buf = append(s.buf, '\'')
		s.quoted('\'', false, sqlRaw)
	case tok[0] == '_' && (n == '\'' || n == '"' || sqlIsSpace(n)):
		// A character set introducer: _utf8mb4'...', _binary '...'.
		s.skipSpace()
		if q, _ := s.peek(); q == '\'' || q == '"' {
			s.buf = s.buf[:start]
			s.get()
			s.quoted(q, s.d == dialectMySQL, sqlDecode)
		}
	case n == '(': // a function call: kept as written
		s.parens(sqlRaw)
	case sqlIsWord(string(tok), "NULL"), sqlIsWord(string(tok), "DEFAULT"):
		s.buf = s.buf[:start]
	}
}

// parens skips, or with sqlRaw copies to buf, a balanced (...) group.
func (s *sqlReader) parens(mode int) {
	depth := 0
	for {
		b, ok := s.peek()
		if !ok {
			s.truncated("an INSERT statement", s.stmtLine)
		}
		switch {
		case b == '\'' || b == '"' || b == '`':
			esc := s.escapes(b)
			s.get()
			if mode == sqlRaw {
				s.buf = append(s.buf, b)
			}
			s.quoted(b, esc, mode)
			continue
		case sqlIsJunk(b):
			s.junk()
		case b == '(':
			depth++
		case b == ')':
			depth--
		}
		s.get()
		if mode == sqlRaw {
			s.buf = append(s.buf, b)
		}
		if depth == 0 {
			return
		}
	}
}

// afterValue reads what follows a value up to and including the "," or ")"
// after it, dropping casts and COLLATE clauses, and returns that byte; 0
// when something else comes.
func (s *sqlReader) afterValue() byte {
	for {
		if !s.skipSpace() {
			s.truncated("an INSERT statement", s.stmtLine)
		}
		b, _ := s.peek()
		switch {
		case b == ',' || b == ')':
			s.get()
			return b
		case b == ':': // ::type
			if p := s.peekN(2); len(p) < 2 || p[1] != ':' {
				return 0
			}
			s.get()
			s.get()
			s.skipSpace()
			if _, ok := s.readName(""); !ok {
				return 0
			}
			s.typeTail()
		case sqlIdentStart(b):
			w := s.readWord()
			switch {
			case sqlIsWord(w, "COLLATE"):
				s.skipSpace()
				if _, ok := s.readName(""); !ok {
					return 0
				}
			case sqlIsAnyWord(w, "VARYING", "PRECISION", "WITH", "WITHOUT", "TIME", "ZONE"):
				// the rest of a type name of several words
				s.typeTail()
			default:
				return 0
			}
		default:
			return 0
		}
	}
}

// typeTail skips the (n) and [] after a type name.
func (s *sqlReader) typeTail() {
	if b, _ := s.peek(); b == '(' {
		s.parens(sqlSkip)
	}
	for {
		if b, _ := s.peek(); b != '[' {
			return
		}
		for {
			b, ok := s.get()
			if !ok {
				s.truncated("an INSERT statement", s.stmtLine)
			}
			if b == ']' {
				break
			}
		}
	}
}

// trailingClause reports whether a word that starts here, after a tuple,
// starts a clause that ends an INSERT; it reads nothing.
func (s *sqlReader) trailingClause() bool {
	p := s.peekN(10)
	n := 0
	for n < len(p) && sqlIdentByte(p[n]) {
		n++
	}
	return sqlIsAnyWord(string(p[:n]), "ON", "RETURNING", "AS")
}

// resync skips a tuple that cannot be read, up to the next "),(" boundary
// (the next state is sqlTuple) or to the end of the statement (sqlTop).
// between says the text to skip is between tuples rather than inside one,
// so that "," followed by "(" is a boundary as well, outside parentheses.
func (s *sqlReader) resync(between bool) {
	depth := 0
	for {
		b, ok := s.peek()
		if !ok {
			s.truncated("an INSERT statement", s.stmtLine)
		}
		switch {
		case s.atDelim(b):
			s.eatDelim()
			s.state = sqlTop
			return
		case b == ';':
			s.get()
			s.state = sqlTop
			return
		case b == '(':
			s.get()
			depth++
		case b == ',' && between && depth == 0:
			s.get()
			if !s.skipSpace() {
				s.truncated("an INSERT statement", s.stmtLine)
			}
			if c, _ := s.peek(); c == '(' {
				s.state = sqlTuple
				return
			}
		case b == ')':
			s.get()
			depth = max(depth-1, 0)
			if !s.skipSpace() {
				s.state = sqlAfterTuple
				return
			}
			if c, _ := s.peek(); c == ',' {
				s.get()
				if !s.skipSpace() {
					s.truncated("an INSERT statement", s.stmtLine)
				}
				if c, _ := s.peek(); c == '(' {
					s.state = sqlTuple
					return
				}
			}
		case b == '\'' || b == '"' || b == '`':
			s.skipQuoted()
		case s.atComment(b):
			s.skipComment()
		case b == '$' && s.d == dialectPostgres && !sqlIdentByte(s.prev) && s.dollar(false):
		case sqlIsJunk(b):
			s.junk()
		default:
			s.get()
		}
	}
}

// ---- COPY

// copyRow makes the row of the COPY text-format line in buf.
func (s *sqlReader) copyRow(line, off int64) (row, error) {
	raw := s.buf
	s.dec, s.ends, s.nvals = s.dec[:0], s.ends[:0], 0
	field := 0
	for i := 0; i <= len(raw); i++ {
		if i < len(raw) && raw[i] != '\t' {
			continue
		}
		start := len(s.dec)
		if f := raw[field:i]; !(len(f) == 2 && f[0] == '\\' && f[1] == 'N') { // \N is NULL
			s.dec = sqlCopyUnescape(s.dec, f)
		}
		s.nvals++
		if s.nvals > s.maxCols {
			s.dec = s.dec[:start]
		} else {
			s.ends = append(s.ends, len(s.dec))
		}
		field = i + 1
	}
	if s.nvals > s.maxCols {
		return row{}, &rowError{line: line, reason: ReasonTooManyCols, detail: fmt.Sprintf("a COPY line of %d fields, more than the %d allowed", s.nvals, s.maxCols)}
	}
	s.buf, s.dec = s.dec, s.buf
	return s.emit(line, off), nil
}

// sqlCopyUnescape appends the value of a field of PostgreSQL's COPY text
// format.
func sqlCopyUnescape(dst, f []byte) []byte {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '\\' || i+1 == len(f) {
			dst = append(dst, c)
			continue
		}
		i++
		c = f[i]
		switch c {
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		case 'v':
			c = '\v'
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(f) && f[i+1] >= '0' && f[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(f[i]-'0')
			}
			c = byte(v)
		case 'x':
			if i+1 < len(f) {
				if v, ok := sqlUnhex(f[i+1]); ok {
					i++
					if i+1 < len(f) {
						if w, ok := sqlUnhex(f[i+1]); ok {
							i++
							v = v<<4 | w
						}
					}
					c = v
				}
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// ---- sniffing

// sqlSniffer looks at the head of a file for SQL statements and for what
// tells MySQL from PostgreSQL.
type sqlSniffer struct {
	b      []byte
	i      int
	my, pg int  // evidence for each dialect
	header bool // a dump tool's header comment was seen
	stdin  bool // FROM stdin was seen in the current statement
}

// sqlSniffTok is a token of the head: kind 'w' a word (upper-cased), 'q' a
// quoted identifier (text is its quote), 's' a string, 'p' punctuation, 0
// the end of the statement.
type sqlSniffTok struct {
	kind byte
	text string
}

var sqlStatementWords = map[string]bool{
	"CREATE": true, "INSERT": true, "REPLACE": true, "COPY": true, "SET": true,
	"DROP": true, "LOCK": true, "UNLOCK": true, "USE": true, "BEGIN": true,
	"START": true, "COMMIT": true, "ALTER": true, "SELECT": true,
	"DELIMITER": true, "GRANT": true, "REVOKE": true, "COMMENT": true,
	"TRUNCATE": true, "DELETE": true, "UPDATE": true, "PRAGMA": true,
	"ROLLBACK": true, "SAVEPOINT": true, "DECLARE": true,
}

func (z *sqlSniffer) run() (bool, sqlDialect) {
	comment, strong, known := false, false, 0
	for n := 0; n < 512; n++ {
		z.space(false)
		if z.i >= len(z.b) {
			break
		}
		switch c := z.b[z.i]; {
		case z.at("--"):
			z.commentLine()
			comment = comment || known == 0
			continue
		case z.at("/*"):
			if z.at("/*!") {
				z.my += 2
			}
			z.block()
			comment = comment || known == 0
			continue
		case c == '#':
			z.toEOL()
			continue
		case c == '\\': // psql meta-command
			z.toEOL()
			z.pg++
			continue
		case c == ';':
			z.i++
			continue
		}
		w := strings.ToUpper(z.word())
		if !sqlStatementWords[w] {
			if known == 0 && !z.header {
				return false, dialectMySQL
			}
			z.rest()
			continue
		}
		known++
		if z.statement(w) {
			strong = true
		}
	}
	if !strong && !z.header && !(comment && known > 0) && known < 3 {
		return false, dialectMySQL
	}
	if z.pg > z.my {
		return true, dialectPostgres
	}
	return true, dialectMySQL
}

func (z *sqlSniffer) at(s string) bool { return bytes.HasPrefix(z.b[z.i:], []byte(s)) }

func (z *sqlSniffer) toEOL() []byte {
	start := z.i
	for z.i < len(z.b) && z.b[z.i] != '\n' {
		z.i++
	}
	return z.b[start:z.i]
}

func (z *sqlSniffer) commentLine() {
	t := z.toEOL()
	switch {
	case bytes.Contains(t, []byte("MySQL dump")), bytes.Contains(t, []byte("MariaDB dump")),
		bytes.Contains(t, []byte("phpMyAdmin SQL Dump")):
		z.my += 10
		z.header = true
	case bytes.Contains(t, []byte("PostgreSQL database dump")):
		z.pg += 10
		z.header = true
	}
}

func (z *sqlSniffer) block() {
	if j := bytes.Index(z.b[z.i+2:], []byte("*/")); j >= 0 {
		z.i += 2 + j + 2
	} else {
		z.i = len(z.b)
	}
}

// space skips white space, and comments when inStmt.
func (z *sqlSniffer) space(inStmt bool) {
	for z.i < len(z.b) {
		c := z.b[z.i]
		switch {
		case sqlIsSpace(c):
			z.i++
		case inStmt && z.at("--"):
			z.toEOL()
		case inStmt && z.at("/*"):
			z.block()
		case inStmt && c == '#' && z.my >= z.pg:
			z.toEOL()
		default:
			return
		}
	}
}

func (z *sqlSniffer) word() string {
	start := z.i
	for z.i < len(z.b) && sqlIdentByte(z.b[z.i]) {
		z.i++
	}
	return string(z.b[start:z.i])
}

// quote skips a string or quoted identifier opened at z.i.
func (z *sqlSniffer) quote() {
	q := z.b[z.i]
	end := q
	if q == '[' {
		end = ']'
	}
	esc := q != '`' && q != '[' && z.my >= z.pg
	for z.i++; z.i < len(z.b); z.i++ {
		switch c := z.b[z.i]; {
		case c == '\\' && esc:
			z.i++
		case c == end:
			if z.i+1 < len(z.b) && z.b[z.i+1] == end && q != '[' {
				z.i++
				continue
			}
			z.i++
			return
		}
	}
}

func (z *sqlSniffer) tok() sqlSniffTok {
	z.space(true)
	if z.i >= len(z.b) {
		return sqlSniffTok{}
	}
	switch c := z.b[z.i]; {
	case c == ';':
		return sqlSniffTok{}
	case sqlIdentByte(c):
		return sqlSniffTok{'w', strings.ToUpper(z.word())}
	case c == '`' || c == '"' || c == '[':
		if c == '`' {
			z.my++
		}
		z.quote()
		return sqlSniffTok{'q', string(c)}
	case c == '\'':
		z.quote()
		return sqlSniffTok{'s', ""}
	default:
		z.i++
		return sqlSniffTok{'p', string(c)}
	}
}

// statement looks at the statement that starts with the word w, read, and
// reports whether it is one that carries rows or their columns.
func (z *sqlSniffer) statement(w string) bool {
	var toks []sqlSniffTok
	for len(toks) < 16 {
		t := z.tok()
		if t.kind == 0 {
			break
		}
		toks = append(toks, t)
	}
	word := func(i int) string {
		if i >= 0 && i < len(toks) && toks[i].kind == 'w' {
			return toks[i].text
		}
		return ""
	}
	strong := false
	switch w {
	case "CREATE":
		strong = sqlSniffCreate(toks)
		z.dq(toks, len(toks))
	case "INSERT", "REPLACE":
		end := len(toks)
		for i, t := range toks {
			if t.kind == 'w' && (t.text == "VALUES" || t.text == "VALUE") {
				end = i
				break
			}
		}
		strong = sqlSniffInsert(toks)
		z.dq(toks, end)
	case "COPY":
		z.pg += 3
	case "LOCK":
		if word(0) == "TABLES" {
			z.my += 2
		}
	case "SET":
		switch word(0) {
		case "STANDARD_CONFORMING_STRINGS":
			z.pg += 3
		case "CLIENT_ENCODING", "SEARCH_PATH", "CHECK_FUNCTION_BODIES", "XMLOPTION",
			"CLIENT_MIN_MESSAGES", "ROW_SECURITY", "DEFAULT_TABLESPACE",
			"DEFAULT_TABLE_ACCESS_METHOD", "IDLE_IN_TRANSACTION_SESSION_TIMEOUT":
			z.pg++
		case "NAMES", "SQL_MODE", "FOREIGN_KEY_CHECKS", "UNIQUE_CHECKS", "AUTOCOMMIT":
			z.my++
		}
	case "PRAGMA": // sqlite: standard strings
		z.pg++
	case "BEGIN":
		if word(0) == "TRANSACTION" {
			z.pg++
		}
	}
	z.stdin = false
	for i, t := range toks {
		switch {
		case t.kind == 'w' && t.text == "ENGINE":
			z.my += 2
		case t.kind == 'w' && t.text == "PG_CATALOG":
			z.pg += 2
		case t.kind == 'w' && t.text == "STDIN" && word(i-1) == "FROM":
			z.stdin = true
		case t.kind == 'p' && t.text == ":" && i+1 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == ":":
			z.pg++
		}
	}
	z.rest()
	if w == "COPY" && z.stdin {
		strong = true
	}
	return strong
}

// dq counts double-quoted identifiers among toks[:end] as PostgreSQL evidence.
func (z *sqlSniffer) dq(toks []sqlSniffTok, end int) {
	for _, t := range toks[:end] {
		if t.kind == 'q' && t.text == `"` {
			z.pg++
		}
	}
}

// sqlSniffName matches a possibly qualified name at toks[i:] and returns the
// index after it, or -1.
func sqlSniffName(toks []sqlSniffTok, i int) int {
	for {
		if i >= len(toks) || (toks[i].kind != 'w' && toks[i].kind != 'q') {
			return -1
		}
		i++
		if i >= len(toks) || toks[i].kind != 'p' || toks[i].text != "." {
			return i
		}
		i++
	}
}

func sqlSniffWordAt(toks []sqlSniffTok, i int, ws ...string) bool {
	return i < len(toks) && toks[i].kind == 'w' && slices.Contains(ws, toks[i].text)
}

func sqlSniffCreate(toks []sqlSniffTok) bool {
	i := 0
	for sqlSniffWordAt(toks, i, "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL", "OR", "REPLACE") {
		i++
	}
	if !sqlSniffWordAt(toks, i, "TABLE") {
		return false
	}
	i++
	if sqlSniffWordAt(toks, i, "IF") {
		i += 3
	}
	i = sqlSniffName(toks, i)
	return i >= 0 && i < len(toks) && toks[i].kind == 'p' && toks[i].text == "("
}

func sqlSniffInsert(toks []sqlSniffTok) bool {
	i := 0
	for sqlSniffWordAt(toks, i, "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE") {
		i++
	}
	if !sqlSniffWordAt(toks, i, "INTO") {
		return false
	}
	i = sqlSniffName(toks, i+1)
	switch {
	case i < 0:
		return false
	case i == len(toks):
		return true // the head ends here
	case toks[i].kind == 'p' && toks[i].text == "(":
		return true
	}
	return sqlSniffWordAt(toks, i, "VALUES", "VALUE", "SELECT", "SET", "DEFAULT", "OVERRIDING", "AS")
}

// rest skips the rest of a statement through its ";", looking for evidence.
func (z *sqlSniffer) rest() {
	for z.i < len(z.b) {
		c := z.b[z.i]
		switch {
		case c == ';':
			z.i++
			return
		case c == '`':
			z.my++
			z.quote()
		case c == '\'' || c == '"':
			z.quote()
		case z.at("--"), z.at("/*"), c == '#' && z.my >= z.pg:
			z.space(true)
		case z.at("::"):
			z.pg++
			z.i += 2
		case z.at("$$"):
			z.pg++
			z.i += 2
		case sqlIdentByte(c):
			w := z.b[z.i:]
			z.word()
			w = w[:len(w)-len(z.b[z.i:])]
			switch {
			case bytes.EqualFold(w, []byte("ENGINE")), bytes.EqualFold(w, []byte("AUTO_INCREMENT")):
				z.my++
			case bytes.EqualFold(w, []byte("pg_catalog")):
				z.pg += 2
			case bytes.EqualFold(w, []byte("STDIN")):
				z.stdin = true
			}
		default:
			z.i++
		}
	}
}
