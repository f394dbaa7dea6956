package intake

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// gotRow is a row as a test keeps it: values copied, names as handed out.
type gotRow struct {
	line   int64
	offset int64
	names  []string
	values []string
}

// gotRun is everything a reader returned until it stopped.
type gotRun struct {
	rows    []gotRow
	rejects []*rowError
	err     error // the error that ended reading, nil for io.EOF
}

// readRowsForTest drains rr, stopping after limit calls.
func readRowsForTest(t testing.TB, rr rowReader, limit int) gotRun {
	t.Helper()
	var g gotRun
	for i := 0; ; i++ {
		if i > limit {
			t.Fatalf("the reader did not stop after %d calls", limit)
		}
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			return g
		}
		var re *rowError
		if errors.As(err, &re) {
			g.rejects = append(g.rejects, re)
			continue
		}
		if err != nil {
			g.err = err
			return g
		}
		if r.names != nil && len(r.values) > len(r.names) {
			t.Fatalf("row at line %d: %d values for %d names", r.line, len(r.values), len(r.names))
		}
		g.rows = append(g.rows, gotRow{line: r.line, offset: r.offset, names: r.names, values: append([]string(nil), r.values...)})
	}
}

func (g gotRun) values() [][]string {
	var v [][]string
	for _, r := range g.rows {
		v = append(v, r.values)
	}
	return v
}

func (g gotRun) lines() []int64 {
	var v []int64
	for _, r := range g.rows {
		v = append(v, r.line)
	}
	return v
}

func (g gotRun) reasons() []Reason {
	var v []Reason
	for _, r := range g.rejects {
		v = append(v, r.reason)
	}
	return v
}

// endlessReader yields prefix, then the byte fill (or pattern, when set)
// forever.
type endlessReader struct {
	prefix  string
	fill    byte
	pattern string
	at      int
	n       int64
}

func (e *endlessReader) Read(p []byte) (int, error) {
	if e.prefix != "" {
		n := copy(p, e.prefix)
		e.prefix = e.prefix[n:]
		e.n += int64(n)
		return n, nil
	}
	for i := range p {
		if e.pattern != "" {
			p[i] = e.pattern[e.at%len(e.pattern)]
			e.at++
			continue
		}
		p[i] = e.fill
	}
	e.n += int64(len(p))
	return len(p), nil
}

// checkNoSecret fails when an error quotes the input's secret marker.
func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "secret") {
		t.Errorf("error quotes the input: %v", err)
	}
}

func TestJSONReader(t *testing.T) {
	type want struct {
		names   []string // of the last row
		values  [][]string
		lines   []int64
		reasons []Reason
		errLine int64  // 0: no error expected
		errHas  string // in the error message
		tooLong bool
	}
	tests := []struct {
		name string
		in   string
		lim  Limits
		want want
	}{
		{
			name: "array",
			in:   "[\n{\"name\":\"Ali\",\"ic\":\"900101\"},\n{\"name\":\"Abu\",\"ic\":\"900202\"}\n]\n",
			want: want{names: []string{"name", "ic"}, values: [][]string{{"Ali", "900101"}, {"Abu", "900202"}}, lines: []int64{2, 3}},
		},
		{
			name: "empty array",
			in:   " [ ] ",
			want: want{},
		},
		{
			name: "empty input",
			in:   "  \n ",
			want: want{},
		},
		{
			name: "wrapped",
			in:   `{"status":"ok","count":2,"meta":{"x":[1,{"y":[2]}]},"empty":[],"nums":[1,2],"data":[{"a":"1"},{"a":"2"}],"tail":{"b":[{"c":1}]}}`,
			want: want{names: []string{"a"}, values: [][]string{{"1"}, {"2"}}, lines: []int64{1, 1}},
		},
		{
			name: "wrapped twice",
			in:   "{\"result\":{\"page\":1,\n\"rows\":[\n{\"a\":1}]}}",
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{3}},
		},
		{
			name: "nested objects and arrays flattened",
			in:   `[{"name":"Ali","address":{"city":"KL","postcode":"50000","geo":{"lat":3.1}},"tags":["a","b",1,true,null],"phones":[{"type":"home","n":"1"},{"type":"work","n":"2"}],"none":[]}]`,
			want: want{
				names:  []string{"name", "address.city", "address.postcode", "address.geo.lat", "tags", "phones.type", "phones.n", "none"},
				values: [][]string{{"Ali", "KL", "50000", "3.1", "a; b; 1; true; ", "home; work", "1; 2", ""}},
				lines:  []int64{1},
			},
		},
		{
			name: "numbers literal, booleans, null",
			in:   `[{"a":1.50,"b":1e3,"c":12345678901234567890123,"d":-0,"e":true,"f":false,"g":null}]`,
			want: want{names: []string{"a", "b", "c", "d", "e", "f", "g"},
				values: [][]string{{"1.50", "1e3", "12345678901234567890123", "-0", "true", "false", ""}}, lines: []int64{1}},
		},
		{
			name: "varying keys",
			in:   "[{\"a\":1},\n{\"b\":2},\n{\"c\":4,\"a\":3}]",
			want: want{names: []string{"a", "b", "c"}, values: [][]string{{"1"}, {"", "2"}, {"3", "", "4"}}, lines: []int64{1, 2, 3}},
		},
		{
			name: "duplicate key",
			in:   `[{"phone":"1","phone":"2","phone":"3"}]`,
			want: want{names: []string{"phone", "phone_2", "phone_3"}, values: [][]string{{"1", "2", "3"}}, lines: []int64{1}},
		},
		{
			name: "non-object elements rejected",
			in:   "[{\"a\":\"1\"},\n\"secret\",\n5,\n[1,[2]],\ntrue,\nnull,\n{\"a\":\"2\"}]",
			want: want{names: []string{"a"}, values: [][]string{{"1"}, {"2"}}, lines: []int64{1, 7},
				reasons: []Reason{ReasonInvalidJSON, ReasonInvalidJSON, ReasonInvalidJSON, ReasonInvalidJSON, ReasonInvalidJSON}},
		},
		{
			name: "truncated mid-record",
			in:   "[{\"a\":\"1\"},\n{\"a\":\"2\"},\n{\"a\":\"secr",
			want: want{names: []string{"a"}, values: [][]string{{"1"}, {"2"}}, lines: []int64{1, 2}, errLine: 3, errHas: "truncated"},
		},
		{
			name: "truncated between records",
			in:   "[{\"a\":\"1\"},\n",
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 2, errHas: "truncated"},
		},
		{
			name: "truncated wrapper after the array",
			in:   `{"data":[{"a":"1"}],"more":{"x":`,
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 1, errHas: "truncated"},
		},
		{
			name: "syntax error in the array",
			in:   "[{\"a\":\"1\"},\n\n{\"a\" \"secret\"}]",
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 3, errHas: "invalid JSON"},
		},
		{
			name: "record over the limit",
			in:   `[{"a":"1"},{"a":"` + strings.Repeat("secret", 100) + `"},{"a":"3"}]`,
			lim:  Limits{MaxRecordBytes: 100},
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 1, errHas: "longer than 100 bytes", tooLong: true},
		},
		{
			name: "record at the limit",
			in:   `[{"a":"` + strings.Repeat("x", 92) + `"}]`,
			lim:  Limits{MaxRecordBytes: 100},
			want: want{names: []string{"a"}, values: [][]string{{strings.Repeat("x", 92)}}, lines: []int64{1}},
		},
		{
			name: "whitespace between records over the limit",
			in:   `[{"a":"1"}` + strings.Repeat(" ", 500) + `,{"a":"2"}]`,
			lim:  Limits{MaxRecordBytes: 100},
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 1, tooLong: true},
		},
		{
			name: "skipped wrapper value over the limit",
			in:   `{"note":"` + strings.Repeat("secret", 100) + `","data":[{"a":1}]}`,
			lim:  Limits{MaxRecordBytes: 100},
			want: want{errLine: 1, tooLong: true},
		},
		{
			name: "nested too deep",
			in:   "[{\"a\":{\"b\":{\"c\":\"secret\"}}},\n{\"a\":{\"b\":\"1\"}},\n{\"a\":[[\"x\"]]}]",
			lim:  Limits{MaxDepth: 2},
			want: want{names: []string{"a.b"}, values: [][]string{{"1"}}, lines: []int64{2}, reasons: []Reason{ReasonNestedTooDeep, ReasonNestedTooDeep}},
		},
		{
			name: "too many columns",
			in:   "[{\"a\":1,\"b\":2},\n{\"c\":3,\"d\":4,\"e\":5},\n{\"b\":6}]",
			lim:  Limits{MaxColumns: 3},
			want: want{names: []string{"a", "b", "c"}, values: [][]string{{"1", "2"}, {"", "6", ""}}, lines: []int64{1, 3}, reasons: []Reason{ReasonTooManyCols}},
		},
		{
			name: "nested far too deep",
			in:   `[{"a":1},{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}]`,
			lim:  Limits{MaxDepth: 2},
			want: want{names: []string{"a"}, values: [][]string{{"1"}}, lines: []int64{1}, errLine: 1, errHas: "nested far deeper"},
		},
		{
			name: "pretty printed with CRLF",
			in:   "[\r\n  {\r\n    \"a\": \"1\"\r\n  },\r\n  {\r\n    \"a\": \"2\"\r\n  }\r\n]\r\n",
			want: want{names: []string{"a"}, values: [][]string{{"1"}, {"2"}}, lines: []int64{2, 5}},
		},
		{
			name: "top-level scalar",
			in:   `"secret"`,
			want: want{errLine: 1, errHas: "single value"},
		},
		{
			name: "object without records",
			in:   "{\"status\":\"error\",\n\"msg\":\"secret\"}",
			want: want{errLine: 2, errHas: "no array of records"},
		},
		{
			name: "array of non-objects in wrapper is skipped",
			in:   `{"ids":[1,2,3],"rows":[[1]],"users":[{"a":"x"}]}`,
			want: want{names: []string{"a"}, values: [][]string{{"x"}}, lines: []int64{1}},
		},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			name := tt.name
			var r io.Reader = strings.NewReader(tt.in)
			if oneByte {
				name += " one byte reads"
				r = iotest.OneByteReader(r)
			}
			t.Run(name, func(t *testing.T) {
				g := readRowsForTest(t, newJSONReader(r, tt.lim), 1000)
				checkRun(t, g, tt.want.names, tt.want.values, tt.want.lines, tt.want.reasons)
				checkErr(t, g.err, tt.want.errLine, tt.want.errHas, tt.want.tooLong)
			})
		}
	}
}

// checkRun compares what a reader returned.
func checkRun(t *testing.T, g gotRun, names []string, values [][]string, lines []int64, reasons []Reason) {
	t.Helper()
	if !reflect.DeepEqual(g.values(), values) {
		t.Errorf("values = %q, want %q", g.values(), values)
	}
	if !reflect.DeepEqual(g.lines(), lines) {
		t.Errorf("lines = %v, want %v", g.lines(), lines)
	}
	if !reflect.DeepEqual(g.reasons(), reasons) {
		t.Errorf("rejected = %v, want %v", g.reasons(), reasons)
	}
	if len(g.rows) > 0 {
		last := g.rows[len(g.rows)-1]
		if !reflect.DeepEqual(last.names, names) {
			t.Errorf("names = %q, want %q", last.names, names)
		}
	}
	for i, r := range g.rows {
		if len(r.values) != len(r.names) {
			t.Errorf("row %d: %d values for %d names", i, len(r.values), len(r.names))
		}
		// Names only grow: each row's names are a prefix of the next one's.
		if i > 0 {
			prev := g.rows[i-1].names
			if len(prev) > len(r.names) || !reflect.DeepEqual(prev, r.names[:len(prev)]) {
				t.Errorf("row %d: names %q do not extend %q", i, r.names, prev)
			}
			if len(prev) == len(r.names) && len(prev) > 0 && &prev[0] != &r.names[0] {
				t.Errorf("row %d: same names in a new slice", i)
			}
			if len(prev) != len(r.names) && len(prev) > 0 && &prev[0] == &r.names[0] {
				t.Errorf("row %d: grown names in the old slice", i)
			}
		}
	}
	for _, re := range g.rejects {
		if re.line <= 0 {
			t.Errorf("rejected row without a line: %v", re)
		}
		if strings.Contains(strings.ToLower(re.Error()), "secret") {
			t.Errorf("rejection quotes the input: %v", re)
		}
	}
}

// checkErr checks the error that ended reading.
func checkErr(t *testing.T, err error, line int64, has string, tooLong bool) {
	t.Helper()
	checkNoSecret(t, err)
	if line == 0 {
		if err != nil {
			t.Fatalf("error: %v", err)
		}
		return
	}
	var se *syntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *syntaxError", err)
	}
	if se.line != line {
		t.Errorf("error at line %d, want %d: %v", se.line, line, err)
	}
	if has != "" && !strings.Contains(err.Error(), has) {
		t.Errorf("error %q does not say %q", err, has)
	}
	if errors.Is(err, errLineTooLong) != tooLong {
		t.Errorf("errors.Is(%v, errLineTooLong) = %v, want %v", err, !tooLong, tooLong)
	}
}

func TestJSONOffsets(t *testing.T) {
	in := "[\n  {\"a\":1},\n  {\"a\":2}\n]"
	g := readRowsForTest(t, newJSONReader(strings.NewReader(in), Limits{}), 10)
	if len(g.rows) != 2 {
		t.Fatalf("rows = %d", len(g.rows))
	}
	for _, r := range g.rows {
		if in[r.offset] != '{' {
			t.Errorf("row at line %d: offset %d is not its '{'", r.line, r.offset)
		}
	}
}

// TestJSONManyLines checks line numbers far into a stream, past the counter's
// reads and bitmap compaction.
func TestJSONManyLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	const n = 20000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n\n")
		}
		b.WriteString(`{"i":"x"}`)
	}
	b.WriteString("\n]\n")
	g := readRowsForTest(t, newJSONReader(strings.NewReader(b.String()), Limits{}), n+10)
	if g.err != nil || len(g.rows) != n {
		t.Fatalf("rows = %d, err = %v", len(g.rows), g.err)
	}
	for i, r := range g.rows {
		if want := int64(2 + 2*i); r.line != want {
			t.Fatalf("row %d at line %d, want %d", i, r.line, want)
		}
	}
}

func TestJSONEndless(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prefix  string
		fill    byte
		tooLong bool
		pattern string
	}{
		{"endless skipped array", `{"ids":[`, 0, true, "1,"},
		{"endless array of non-objects", `[`, 0, false, "1,"},
		{"endless trailing wrapper", `{"data":[{"a":1}],"x":[`, 0, true, "1,"},
		{"endless string", `[{"a":"`, 'a', true, ""},
		{"endless whitespace", `[{"a":"1"}`, ' ', true, ""},
		{"endless newlines", `[{"a":"1"},`, '\n', true, ""},
		{"endless nesting", `[`, '[', false, ""},
		{"endless nesting in a record", `[{"a":`, '[', false, ""},
		{"endless object nesting in a wrapper", `{"a":`, '{', false, ""},
		{"endless skipped value", `{"note":"`, 'a', true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := &endlessReader{prefix: tt.prefix, fill: tt.fill, pattern: tt.pattern}
			done := make(chan gotRun, 1)
			rr := newJSONReader(src, Limits{MaxRecordBytes: 4096})
			if tt.name == "endless array of non-objects" {
				// Each element is a row rejected on its own: reading goes on.
				for i := 0; i < 100000; i++ {
					if _, err := rr.next(); err == nil || !errors.As(err, new(*rowError)) {
						t.Fatalf("element %d: %v", i, err)
					}
				}
				return
			}
			go func() { done <- readRowsForTest(t, rr, 100) }()
			select {
			case g := <-done:
				var se *syntaxError
				if !errors.As(g.err, &se) || errors.Is(g.err, errLineTooLong) != tt.tooLong {
					t.Errorf("err = %v, want a *syntaxError, too long: %v", g.err, tt.tooLong)
				}
				if src.n > 1<<20 {
					t.Errorf("read %d bytes for a 4 KiB limit", src.n)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("reading an endless record did not stop")
			}
		})
	}
}

func TestNDJSONReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lim     Limits
		names   []string
		values  [][]string
		lines   []int64
		reasons []Reason
		errLine int64
		tooLong bool
	}{
		{
			name:   "lines",
			in:     "{\"a\":\"1\",\"b\":{\"c\":2}}\n\n  \n{\"a\":\"3\",\"d\":[4,5]}\r\n{\"b\":{\"c\":6}}",
			names:  []string{"a", "b.c", "d"},
			values: [][]string{{"1", "2"}, {"3", "", "4; 5"}, {"", "6", ""}},
			lines:  []int64{1, 4, 5},
		},
		{
			name:    "bad lines in the middle",
			in:      "{\"a\":\"1\"}\n{\"a\":\"secret\"\n[1,2]\n\"secret\"\n{\"a\":\"2\"} {\"a\":\"3\"}\n{\"a\":\"4\"}\n",
			names:   []string{"a"},
			values:  [][]string{{"1"}, {"4"}},
			lines:   []int64{1, 6},
			reasons: []Reason{ReasonInvalidJSON, ReasonInvalidJSON, ReasonInvalidJSON, ReasonInvalidJSON},
		},
		{
			name:    "nested too deep, too many columns",
			in:      "{\"a\":{\"b\":{\"c\":1}}}\n{\"x\":1,\"y\":2,\"z\":3,\"w\":4}\n{\"x\":\"1\"}\n",
			lim:     Limits{MaxDepth: 2, MaxColumns: 3},
			names:   []string{"x", "y", "z"},
			values:  [][]string{{"1", "", ""}},
			lines:   []int64{3},
			reasons: []Reason{ReasonNestedTooDeep, ReasonTooManyCols},
		},
		{
			name:    "line over the limit",
			in:      "{\"a\":\"1\"}\n{\"a\":\"" + strings.Repeat("secret", 50) + "\"}\n{\"a\":\"2\"}\n",
			lim:     Limits{MaxRecordBytes: 64},
			names:   []string{"a"},
			values:  [][]string{{"1"}},
			lines:   []int64{1},
			errLine: 2,
			tooLong: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readRowsForTest(t, newNDJSONReader(strings.NewReader(tt.in), tt.lim), 1000)
			checkRun(t, g, tt.names, tt.values, tt.lines, tt.reasons)
			checkErr(t, g.err, tt.errLine, "", tt.tooLong)
		})
	}
}

func TestNDJSONInvalidLineAddsNoColumns(t *testing.T) {
	g := readRowsForTest(t, newNDJSONReader(strings.NewReader("{\"junk\":1,\n{\"a\":\"1\"}\n"), Limits{}), 10)
	if len(g.rows) != 1 || !reflect.DeepEqual(g.rows[0].names, []string{"a"}) {
		t.Errorf("rows = %+v", g.rows)
	}
}

func TestNDJSONEndless(t *testing.T) {
	src := &endlessReader{prefix: "{\"a\":1}\n{\"a\":\"", fill: 'a'}
	g := readRowsForTest(t, newNDJSONReader(src, Limits{MaxRecordBytes: 4096}), 10)
	if !errors.Is(g.err, errLineTooLong) || len(g.rows) != 1 {
		t.Errorf("rows = %d, err = %v", len(g.rows), g.err)
	}
	if src.n > 1<<20 {
		t.Errorf("read %d bytes for a 4 KiB limit", src.n)
	}
}

func TestSniffJSON(t *testing.T) {
	tests := []struct {
		name       string
		head       string
		ok, ndjson bool
	}{
		{"array", "[{\"a\":1},\n{\"a\":2}]", true, false},
		{"array of objects per line", "[\n{\"a\":1},\n{\"a\":2}\n]", true, false},
		{"wrapped", "  {\"status\":\"ok\",\"data\":[{\"a\":1}]}", true, false},
		{"pretty object", "{\n  \"data\": [\n    {\"a\": 1}\n  ]\n}", true, false},
		{"ndjson", "{\"a\":1}\n{\"a\":2}\n{\"a\":3", true, true},
		{"ndjson with blank lines and CRLF", "\r\n{\"a\":1}\r\n\r\n{\"a\":2}\r\n", true, true},
		{"single object line", "{\"a\":1}\n", true, false},
		{"object then other", "{\"a\":1}\nfoo\n", true, false},
		{"cut first object", "{\"a\":\"xxxx", true, false},
		{"csv", "name,email\nAli,a@b.c\n", false, false},
		{"empty", "", false, false},
		{"blank", " \n\t ", false, false},
		{"combolist", "a@b.com:pass\n", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, nd := sniffJSON([]byte(tt.head))
			if ok != tt.ok || nd != tt.ndjson {
				t.Errorf("sniffJSON = %v, %v; want %v, %v", ok, nd, tt.ok, tt.ndjson)
			}
		})
	}
}

func TestColumnSet(t *testing.T) {
	c := newColumnSet(Limits{MaxColumns: 3, MaxRecordBytes: 20})
	c.begin()
	mustPut := func(name, v string, join bool) {
		t.Helper()
		if _, err := putValue(c, []byte(name), v, join); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
	}
	mustPut("a", "1", false)
	mustPut("a", "2", false)
	mustPut("b", "x", true)
	mustPut("b", "y", true)
	names, values := c.finish()
	if !reflect.DeepEqual(names, []string{"a", "a_2", "b"}) || !reflect.DeepEqual(values, []string{"1", "2", "x; y"}) {
		t.Fatalf("names %q values %q", names, values)
	}
	first := &names[0]
	c.begin()
	mustPut("b", "z", false)
	names, values = c.finish()
	if &names[0] != first || !reflect.DeepEqual(values, []string{"", "", "z"}) {
		t.Fatalf("second row: names moved or values %q", values)
	}
	c.begin()
	if _, err := putValue(c, []byte("d"), "1", false); !errors.Is(err, errTooManyColumns) {
		t.Fatalf("fourth column: err = %v", err)
	}
	c2 := newColumnSet(Limits{MaxColumns: 100, MaxRecordBytes: 10})
	c2.begin()
	if _, err := putValue(c2, []byte("a_very_long_column_name"), "1", false); !errors.Is(err, errTooManyColumns) {
		t.Fatalf("long name: err = %v", err)
	}
}

// fuzzLimits are the limits the fuzz targets read with.
var fuzzLimits = Limits{MaxRecordBytes: 4096, MaxColumns: 64, MaxDepth: 4}

// fuzzRead drains a reader over arbitrary input: it must not panic, must
// stop, and must keep values within names.
func fuzzRead(t *testing.T, data []byte, rr rowReader) {
	limit := len(data) + 10
	for i := 0; ; i++ {
		if i > limit {
			t.Fatalf("no end after %d calls on %d bytes", i, len(data))
		}
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *rowError
		if errors.As(err, &re) {
			if re.line <= 0 {
				t.Fatalf("rejected row without a line: %v", re)
			}
			continue
		}
		if err != nil {
			var se *syntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a *syntaxError: %v", err)
			}
			if _, err2 := rr.next(); err2 == nil {
				t.Fatalf("a row after a fatal error")
			}
			return
		}
		if r.names != nil && len(r.values) > len(r.names) {
			t.Fatalf("%d values for %d names", len(r.values), len(r.names))
		}
		if r.line <= 0 || r.offset < 0 || r.offset > int64(len(data)) {
			t.Fatalf("row at line %d offset %d of %d bytes", r.line, r.offset, len(data))
		}
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"a":"1","b":{"c":[1,2]}},{"d":null}]`,
		`{"status":"ok","data":[{"a":1}]}`,
		`[{"a":`,
		`[1,"x",[2],{"a":{"b":{"c":{"d":{"e":1}}}}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffJSON(data)
		fuzzRead(t, data, newJSONReader(strings.NewReader(string(data)), fuzzLimits))
	})
}

func FuzzNDJSON(f *testing.F) {
	for _, s := range []string{
		"{\"a\":1}\n{\"b\":[1,{\"c\":2}]}\n",
		"{\"a\":1}\n\n[1]\n{\"a\":\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, newNDJSONReader(strings.NewReader(string(data)), fuzzLimits))
	})
}
