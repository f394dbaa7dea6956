package intake

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// Format names how a part's text is laid out. The values are stable.
type Format string

// The formats the intake reads.
const (
	FormatDelimited Format = "delimited" // CSV, TSV, semicolon, pipe
	FormatJSON      Format = "json"      // an array of objects, or an object wrapping one
	FormatNDJSON    Format = "ndjson"    // one object per line
	FormatSQL       Format = "sql"       // CREATE TABLE / INSERT / COPY dump
	FormatKeyValue  Format = "keyvalue"  // "Key: value" blocks pasted in a post
	FormatCombolist Format = "combolist" // email:password lines
)

// Options say how to read a sample. The zero value reads with the defaults.
type Options struct {
	// Map overrides the column decisions (--map COLUMN=FIELD).
	Map []Override
	// Region is the default phone region (ISO 3166 alpha-2) for numbers
	// written without a country code. Empty means: decide per part from
	// the sampled rows (Malaysian or Indonesian numbers and IDs), MY when
	// they do not say.
	Region string
	// Now is the reference for two-digit years; zero means time.Now().
	Now time.Time
	// Limits bound the cost of reading.
	Limits Limits
	// Preview is how many usable records the report keeps (masked when
	// printed); 0 means 5, a negative value none.
	Preview int
	// Window is how many rows are sampled to decide the columns; 0 means
	// 1000.
	Window int
	// Workers is how many goroutines normalise rows; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called with the bytes of the file read so far
	// and its size, about once a MiB (ReadFile only): for a progress bar.
	Progress func(read, size int64)
	// MaxUnique is how many distinct records are counted exactly; past it
	// the unique count is a lower bound. 0 means 10 million (about 400 MB).
	MaxUnique int
	// NoUnique skips the unique count (Report.Unique stays 0 and
	// UniqueExact false): a snapshot load has no use for it, and hashing
	// every record for it costs a few per cent of a load.
	NoUnique bool
	// NoDigest skips the file's SHA-256 (Report.SHA256 stays empty): a
	// pass that stops after the header would otherwise read the whole file
	// again for it.
	NoDigest bool
}

// Part is what was found out about one stream of text in the sample.
type Part struct {
	Name      string    `json:"name,omitempty"`
	Container string    `json:"container,omitempty"`
	Encoding  string    `json:"encoding"`
	Format    Format    `json:"format"`
	Delimiter string    `json:"delimiter,omitempty"`
	Header    *bool     `json:"header,omitempty"`
	Dialect   string    `json:"dialect,omitempty"`
	Region    string    `json:"region"`
	RegionWhy string    `json:"region_why"`
	Rows      int64     `json:"rows"`
	Columns   []*Column `json:"columns"`
}

// Report says what reading a sample found: how it was read, how every column
// was decided, and how many rows were parsed, usable, unique and rejected.
type Report struct {
	File        string             `json:"file"`
	Size        int64              `json:"size"`
	SHA256      string             `json:"sha256"`
	Parts       []*Part            `json:"parts"`
	Rows        int64              `json:"rows"`
	Usable      int64              `json:"usable"`
	Unique      int64              `json:"unique"`
	UniqueExact bool               `json:"unique_exact"`
	Rejected    map[Reason]int64   `json:"rejected"`
	RejectLines map[Reason][]int64 `json:"rejected_lines,omitempty"`
	// Preview holds the first usable records. Print them only through
	// record.Record's masking String, Masked or LogValue.
	Preview []record.Record `json:"-"`
}

// maxRejectLines is how many line numbers are kept per rejection reason.
const maxRejectLines = 5

// ReadFile reads the sample at path, calls yield with every usable record in
// order, and returns what it found. An error from yield stops reading and is
// returned as is; a sample that cannot be read gives an *Error (which wraps
// ErrNotText, ErrContainer, ErrTruncated or ErrEmpty where one applies)
// together with the report of what was read before the problem.
func ReadFile(ctx context.Context, path string, opts Options, yield func(record.Record) error) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open sample: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open sample: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{File: path, Offset: -1, Msg: "not a regular file", Hint: "give the path of a sample file"}
	}
	// The digest is taken as the file streams past; a zip archive (read out
	// of order) or a read that stopped early gets a pass of its own, since
	// the digest must cover the file as received.
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(f, h)}
	if opts.NoDigest {
		cr.r = f
	}
	if opts.Progress != nil {
		size := fi.Size()
		cr.progress = func(n int64) { opts.Progress(n, size) }
	}
	rep := newReport(path, fi.Size())
	err = read(ctx, rep, cr, f, fi.Size(), opts, yield)
	if opts.NoDigest {
		return rep, err
	}
	if cr.n != fi.Size() || cr.n == 0 {
		h.Reset()
		if _, herr := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); herr != nil {
			return rep, &Error{File: path, Offset: -1, Msg: "cannot read the file (" + herr.Error() + ")", Err: herr}
		}
	}
	rep.SHA256 = hex.EncodeToString(h.Sum(nil))
	return rep, err
}

// ReadStream is ReadFile for a sample that arrives as a stream (standard
// input, an upload); name is used in messages. A zip archive cannot be read
// from a stream.
func ReadStream(ctx context.Context, name string, r io.Reader, opts Options, yield func(record.Record) error) (*Report, error) {
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h)}
	rep := newReport(name, -1)
	err := read(ctx, rep, cr, nil, -1, opts, yield)
	if err == nil {
		rep.Size = cr.n
		rep.SHA256 = hex.EncodeToString(h.Sum(nil))
	}
	return rep, err
}

func newReport(name string, size int64) *Report {
	return &Report{File: name, Size: size, Rejected: map[Reason]int64{}, RejectLines: map[Reason][]int64{}, UniqueExact: true}
}

func read(ctx context.Context, rep *Report, src io.Reader, ra io.ReaderAt, size int64, opts Options, yield func(record.Record) error) error {
	name := rep.File
	rd := newReader(opts, rep, yield)
	err := eachPart(src, ra, size, rd.lim, func(p part) error {
		file := name
		if p.name != "" {
			file = name + "!" + p.name
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return rd.readPart(ctx, file, p)
	})
	if err != nil {
		var ye yieldError
		if errors.As(err, &ye) {
			return ye.err
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return positioned(name, 0, -1, err)
	}
	if rep.Rows == 0 {
		return &Error{File: name, Offset: -1, Msg: "no rows found", Hint: "the file has no records in any format semak reads (CSV, JSON, NDJSON, SQL dump, key: value blocks, combolist)", Err: ErrEmpty}
	}
	return nil
}

// yieldError carries an error from the caller's yield up through the
// readers, to be returned unchanged.
type yieldError struct{ err error }

func (e yieldError) Error() string { return e.err.Error() }

type reader struct {
	opts   Options
	lim    Limits
	norm   *normalize.Normalizer            // for the given region, or MY
	byReg  map[string]*normalize.Normalizer // by region, when deciding per part
	rep    *Report
	yield  func(record.Record) error
	seen   u64set
	seed   maphash.Seed
	nPrev  int
	window int
}

func newReader(opts Options, rep *Report, yield func(record.Record) error) *reader {
	if opts.NoUnique {
		rep.UniqueExact = false
	}
	if opts.Preview == 0 {
		opts.Preview = 5
	}
	if opts.Window <= 0 {
		opts.Window = 1000
	}
	if opts.MaxUnique <= 0 {
		opts.MaxUnique = 10_000_000
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	return &reader{
		opts:   opts,
		lim:    opts.Limits.withDefaults(),
		norm:   normalize.New(normalize.Options{Now: opts.Now, Region: cmp.Or(opts.Region, "MY")}),
		byReg:  map[string]*normalize.Normalizer{},
		rep:    rep,
		yield:  yield,
		seed:   maphash.MakeSeed(),
		window: opts.Window,
	}
}

// partState is the reading of one part: its columns and their cache.
type partState struct {
	p       *Part
	norm    *normalize.Normalizer // with the part's phone region
	file    string
	check   bool // reject rows with invalid UTF-8
	byKey   map[colKey]*Column
	samples map[colKey]*colSample
	order   []*colSample
	// cache maps a names slice (by the address of its first element, its
	// length and the table) to the columns, so a reader that hands out the
	// same slice row after row costs one lookup per row, not one per cell.
	cacheKey  cacheKey
	cacheCols *colSet
}

type colKey struct{ table, name string }

type cacheKey struct {
	first *string
	n     int
	table string
}

func (rd *reader) readPart(ctx context.Context, file string, p part) error {
	d, err := decode(p.r)
	if err != nil {
		return positioned(file, 0, -1, err)
	}
	pt := &Part{Name: p.name, Container: p.container, Encoding: d.encoding}
	rd.rep.Parts = append(rd.rep.Parts, pt)
	head, err := d.r.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return positioned(file, 0, -1, err)
	}
	rr, err := rd.open(pt, d, head)
	if err != nil {
		return positioned(file, 0, -1, err)
	}
	st := &partState{p: pt, norm: rd.norm, file: file, check: d.checkUTF8, byKey: map[colKey]*Column{}, samples: map[colKey]*colSample{}}

	// Sample the first rows to decide the columns, then stream the rest.
	var window []kept
	var fatal error
	size := 0
	for len(window) < rd.window && size < 8<<20 {
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *rowError
		if err != nil && !errors.As(err, &re) {
			fatal = err
			break
		}
		if err == nil {
			r.values = append([]string(nil), r.values...)
			for _, v := range r.values {
				size += len(v)
			}
			if !st.check || r.ascii || validUTF8(r.values) {
				st.sample(r)
			}
		}
		window = append(window, kept{r, err})
	}
	if p.container == "" && d.encoding == "utf-8" && len(window) == rd.window && !rd.opts.NoUnique {
		// The part is the file itself, and the window did not reach its
		// end: estimate the rows to come from the bytes per row so far.
		for i := len(window) - 1; i >= 0; i-- {
			if window[i].err == nil {
				rd.reserveUnique(rd.rep.Size, window[i].r.offset, i)
				break
			}
		}
	}
	rd.pickRegion(st)
	cols, err := decide(st.norm, st.order, rd.opts.Map)
	if err != nil {
		return err
	}
	for i, c := range cols {
		st.byKey[colKey{st.order[i].table, st.order[i].name}] = c
		pt.Columns = append(pt.Columns, c)
	}
	return rd.runPipeline(ctx, st, window, rr, fatal)
}

// kept is a row of the window, with the rejection its reader gave it.
type kept struct {
	r   row
	err error
}

// open sniffs the format of a part and returns its reader.
func (rd *reader) open(pt *Part, d decoded, head []byte) (rowReader, error) {
	if ok, nd := sniffJSON(head); ok {
		if nd {
			pt.Format = FormatNDJSON
			return newNDJSONReader(d.r, rd.lim), nil
		}
		pt.Format = FormatJSON
		return newJSONReader(d.r, rd.lim), nil
	}
	if ok, dialect := sniffSQL(head); ok {
		pt.Format, pt.Dialect = FormatSQL, map[sqlDialect]string{dialectMySQL: "mysql", dialectPostgres: "postgresql"}[dialect]
		return newSQLReader(d.r, dialect, rd.lim), nil
	}
	if ok, sep := sniffCombo(head); ok {
		pt.Format, pt.Delimiter = FormatCombolist, string(sep)
		return newComboReader(d.r, sep, rd.lim), nil
	}
	if sniffKV(head) {
		pt.Format = FormatKeyValue
		return newKVReader(d.r, rd.lim), nil
	}
	delim, _, _ := sniffDelimiter(head)
	header := decideHeader(rd.norm, headRecords(head, delim, 50))
	pt.Format, pt.Delimiter, pt.Header = FormatDelimited, string(delim), &header
	return newCSVReader(d.r, delim, header, rd.lim), nil
}

// headRecords parses up to n records of head for the header decision.
func headRecords(head []byte, delim rune, n int) [][]string {
	if i := bytes.LastIndexByte(head, '\n'); i > 0 && i < len(head)-1 {
		head = head[:i+1]
	}
	cr := csv.NewReader(bytes.NewReader(head))
	cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = delim, true, -1
	var out [][]string
	for len(out) < n {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		out = append(out, rec)
	}
	return out
}

func (st *partState) sample(r row) {
	for i, name := range r.names {
		k := colKey{r.table, name}
		s := st.samples[k]
		if s == nil {
			s = &colSample{name: name, table: r.table, pos: i + 1}
			st.samples[k] = s
			st.order = append(st.order, s)
		}
		if i < len(r.values) {
			if v := strings.TrimSpace(r.values[i]); v != "" {
				s.nonEmpty++
				if len(s.values) < sampleValues {
					s.values = append(s.values, v)
				}
			}
		}
	}
}

// columns returns the decisions for a row's names, deciding by header alone
// for a column first seen after the window.
func (rd *reader) columns(st *partState, r row) *colSet {
	if len(r.names) == 0 {
		return nil
	}
	key := cacheKey{&r.names[0], len(r.names), r.table}
	if key == st.cacheKey {
		return st.cacheCols
	}
	cols := make([]*Column, len(r.names))
	for i, name := range r.names {
		k := colKey{r.table, name}
		c := st.byKey[k]
		if c == nil {
			c = lateColumn(name, r.table, i+1, rd.opts.Map, st.p.Columns)
			st.byKey[k] = c
			st.p.Columns = append(st.p.Columns, c)
		}
		cols[i] = c
	}
	cs := newColSet(cols)
	st.cacheKey, st.cacheCols = key, cs
	return cs
}

// lateColumn decides a column that appeared after the sampled rows: by
// override or header only, and never onto a canonical field another column
// already holds.
func lateColumn(name, table string, pos int, overrides []Override, have []*Column) *Column {
	c := &Column{Name: name, Table: table}
	taken := func(f record.Field) bool {
		for _, h := range have {
			if h.Field == f {
				return true
			}
		}
		return false
	}
	if o, ok := findOverride(overrides, &colSample{name: name, table: table, pos: pos}); ok {
		if o.Field == "-" {
			c.How, c.Why = HowSkipped, "--map "+o.Column+"=-"
			return c
		}
		c.Field, c.How, c.Why = record.Field(o.Field), HowOverride, "--map "+o.Column+"="+o.Field
		return c
	}
	if f, ok := headerField(name); ok && record.IsCanonical(f) && !taken(f) {
		c.Field, c.How, c.Why = f, HowHeader, fmt.Sprintf("header %q (first seen after the sampled rows)", name)
		return c
	}
	c.Field, c.How, c.Why = record.Field(attributeName(name)), HowAttribute, "first seen after the sampled rows; no canonical header"
	if record.IsCanonical(c.Field) {
		c.Field = record.Field(string(c.Field) + "_" + fmt.Sprint(pos))
	}
	return c
}

// validUTF8 reports whether every value is valid UTF-8. Nearly all values
// are ASCII, which a plain OR of their bytes shows at half the cost of
// utf8.ValidString; only a value with a high byte is decoded.
func validUTF8(values []string) bool {
	for _, v := range values {
		var or byte
		i := 0
		for ; i+4 <= len(v); i += 4 {
			or |= v[i] | v[i+1] | v[i+2] | v[i+3]
		}
		for ; i < len(v); i++ {
			or |= v[i]
		}
		if or >= utf8.RuneSelf && !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// pickRegion sets the part's phone region: the one given, or the one under
// which more of the sampled values read as phone numbers and national IDs
// (a Malaysian 012… and an Indonesian 0812… both start with 0, so the
// region decides what a local number means).
func (rd *reader) pickRegion(st *partState) {
	if rd.opts.Region != "" {
		st.p.Region, st.p.RegionWhy = strings.ToUpper(rd.opts.Region), "given"
		return
	}
	score := map[string]int{}
	for _, reg := range []string{"MY", "ID"} {
		n := rd.normFor(reg)
		for _, s := range st.order {
			for _, v := range s.values {
				if _, err := n.Phone(v); err == nil {
					score[reg]++
				}
			}
		}
	}
	for _, s := range st.order {
		for _, v := range s.values {
			if _, err := rd.norm.MyKad(v); err == nil {
				score["MY"]++
			} else if _, err := rd.norm.NIK(v); err == nil {
				score["ID"]++
			}
		}
	}
	reg := "MY"
	if score["ID"] > score["MY"] {
		reg = "ID"
	}
	st.norm = rd.normFor(reg)
	st.p.Region = reg
	st.p.RegionWhy = fmt.Sprintf("sampled values: %d read as Malaysian phones or MyKad numbers, %d as Indonesian phones or NIK numbers", score["MY"], score["ID"])
}

func (rd *reader) normFor(region string) *normalize.Normalizer {
	n := rd.byReg[region]
	if n == nil {
		n = normalize.New(normalize.Options{Now: rd.opts.Now, Region: region})
		rd.byReg[region] = n
	}
	return n
}

func partName(p *Part, table string) string {
	switch {
	case p.Name != "" && table != "":
		return p.Name + "/" + table
	case table != "":
		return table
	}
	return p.Name
}

func (rd *reader) reject(reason Reason, line int64) {
	rd.rep.Rejected[reason]++
	if l := rd.rep.RejectLines[reason]; len(l) < maxRejectLines {
		rd.rep.RejectLines[reason] = append(l, line)
	}
}

// recordHash hashes a record's normalised content for the unique count: a
// 64-bit hash, so at ten million records the chance of any collision is
// about 3 in a million. buf is scratch space, returned for reuse.
func recordHash(seed maphash.Seed, rec *record.Record, buf []byte) (uint64, []byte) {
	b := buf[:0]
	for _, v := range rec.Values {
		b = append(b, v...)
		b = append(b, 0)
	}
	for _, a := range rec.Attrs {
		b = append(b, a.Name...)
		b = append(b, 1)
		b = append(b, a.Value...)
		b = append(b, 0)
	}
	return maphash.Bytes(seed, b), b
}

// countUnique counts a record's hash into the unique count.
func (rd *reader) countUnique(k uint64) {
	if rd.opts.NoUnique {
		return
	}
	if rd.seen.len() >= rd.opts.MaxUnique {
		if !rd.seen.has(k) {
			rd.rep.UniqueExact = false
		}
		return
	}
	if rd.seen.insert(k) {
		rd.rep.Unique++
	}
}

// reserveUnique sizes the unique set for the rows a part of size bytes
// will have at the rate the window's rows took bytes (last is the offset
// of the last row of the window, which holds rows rows), so that the set
// is allocated once instead of growing and rehashing along the way. It
// never reserves room for more than MaxUnique, nor past maxReserve: rows
// are not yet known to be distinct, and a bigger set grows as it fills.
func (rd *reader) reserveUnique(size, last int64, rows int) {
	if size <= 0 || last <= 0 || rows <= 0 || last >= size {
		return
	}
	est := float64(size) / float64(last) * float64(rows)
	rd.seen.reserve(int(min(est, float64(rd.opts.MaxUnique), maxReserve)))
}

// maxReserve bounds what reserveUnique sets aside: just under 2M keys,
// which fit 4M slots (32 MiB).
const maxReserve = 1<<21 - 1
