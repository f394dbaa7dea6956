package intake

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		delim rune
		ok    bool
	}{
		{"comma", "a,b,c\n1,2,3\n4,5,6\n", ',', true},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t', true},
		{"semicolon with commas in names", "nama;no_kp\nTan, Ah Kow;850101145673\nAli;900101105673\n", ';', true},
		{"pipe", "a|b\n1|2\n3|4\n", '|', true},
		{"quoted commas in tsv", "a\tb\n\"x, y\"\t2\n\"p, q\"\t3\n", '\t', true},
		{"cut last line ignored", "a;b;c\n1;2;3\n4;5;6\n7;8", ';', true},
		{"one column", "ali@example.com\nabu@example.com\n", ',', false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, ok := sniffDelimiter([]byte(tt.in))
			if d != tt.delim || ok != tt.ok {
				t.Errorf("sniffDelimiter = %q, %v; want %q, %v", d, ok, tt.delim, tt.ok)
			}
		})
	}
}

func readAllRows(t *testing.T, rr rowReader) (rows []row, rejects []*rowError, err error) {
	t.Helper()
	for {
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			return rows, rejects, nil
		}
		var re *rowError
		if errors.As(err, &re) {
			rejects = append(rejects, re)
			continue
		}
		if err != nil {
			return rows, rejects, err
		}
		r.values = append([]string(nil), r.values...)
		rows = append(rows, r)
	}
}

func TestCSVReader(t *testing.T) {
	lim := Limits{MaxRecordBytes: 1024, MaxColumns: 8}.withDefaults()
	t.Run("header, quotes, embedded newline, ragged", func(t *testing.T) {
		in := "nama,alamat,phone,phone\n" +
			"\"Ahmad bin Ali\",\"No 1, Jalan 2\nTaman 3\",0123456789,\n" +
			"Siti,,\n" +
			"\n" +
			"Abu,x,y,z,extra\n" +
			"Bob 5'10\",a,b,\n"
		rows, rejects, err := readAllRows(t, newCSVReader(strings.NewReader(in), ',', true, lim))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[0].names, "|"); got != "nama|alamat|phone|phone_2" {
			t.Errorf("names = %s", got)
		}
		if len(rows) != 3 {
			t.Fatalf("rows = %d, want 3", len(rows))
		}
		if rows[0].values[1] != "No 1, Jalan 2\nTaman 3" || rows[0].line != 2 {
			t.Errorf("row 1 = %q at line %d", rows[0].values, rows[0].line)
		}
		if rows[1].line != 4 || len(rows[1].values) != 3 {
			t.Errorf("short row = %q at line %d", rows[1].values, rows[1].line)
		}
		if rows[2].values[0] != "Bob 5'10\"" || rows[2].line != 7 {
			t.Errorf("lazy quote row = %q at line %d", rows[2].values, rows[2].line)
		}
		if len(rejects) != 1 || rejects[0].reason != ReasonRagged || rejects[0].line != 6 {
			t.Errorf("rejects = %v, want one too_many_fields at line 6", rejects)
		}
	})
	t.Run("headerless grows names", func(t *testing.T) {
		rows, _, err := readAllRows(t, newCSVReader(strings.NewReader("a,b\nc,d,e\n"), ',', false, lim))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[1].names, "|"); got != "column_1|column_2|column_3" {
			t.Errorf("names = %s", got)
		}
		if len(rows[0].names) != 2 {
			t.Errorf("first row's names changed under it: %v", rows[0].names)
		}
	})
	t.Run("endless line stops with bounded memory", func(t *testing.T) {
		rr := newCSVReader(io.MultiReader(strings.NewReader("a,b\n1,2\n"), endless{}), ',', true, lim)
		rows, _, err := readAllRows(t, rr)
		if !errors.Is(err, errLineTooLong) {
			t.Fatalf("err = %v, want errLineTooLong", err)
		}
		var se *syntaxError
		if !errors.As(err, &se) || se.line != 3 {
			t.Fatalf("err = %v, want a syntax error at line 3", err)
		}
		if len(rows) != 1 {
			t.Errorf("rows before the long line = %d, want 1", len(rows))
		}
	})
	t.Run("unclosed quote", func(t *testing.T) {
		in := "a,b\n1,\"2\n" + strings.Repeat("x\n", 5000)
		_, _, err := readAllRows(t, newCSVReader(strings.NewReader(in), ',', true, lim))
		if err == nil {
			t.Fatal("no error for a quote that never closes")
		}
	})
}

// endless yields 'a' forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
