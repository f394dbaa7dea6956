package intake

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestLineReader(t *testing.T) {
	type line struct {
		text     string
		num, off int64
	}
	tests := []struct {
		name    string
		in      string
		max     int
		lines   []line
		errLine int64 // of the line too long, 0 for none
	}{
		{"lf", "a\nbb\n\nccc\n", 10, []line{{"a", 1, 0}, {"bb", 2, 2}, {"", 3, 5}, {"ccc", 4, 6}}, 0},
		{"crlf and no final newline", "a\r\nbb\r\n\r\nc", 10, []line{{"a", 1, 0}, {"bb", 2, 3}, {"", 3, 7}, {"c", 4, 9}}, 0},
		{"lone cr kept inside", "a\rb\n", 10, []line{{"a\rb", 1, 0}}, 0},
		{"empty", "", 10, nil, 0},
		{"exactly max", "12345\n12345\r\n12345", 5, []line{{"12345", 1, 0}, {"12345", 2, 6}, {"12345", 3, 13}}, 0},
		{"over max", "12345\n123456\n1\n", 5, []line{{"12345", 1, 0}}, 2},
		{"over max without newline", "1\n123456", 5, []line{{"1", 1, 0}}, 2},
		{"long lines past the buffer", strings.Repeat("x", 70000) + "\n" + strings.Repeat("y", 100000) + "\nz\n", 100000,
			[]line{{strings.Repeat("x", 70000), 1, 0}, {strings.Repeat("y", 100000), 2, 70001}, {"z", 3, 170002}}, 0},
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
				lr := newLineReader(r, tt.max)
				var got []line
				var err error
				for {
					var b []byte
					var num, off int64
					b, num, off, err = lr.next()
					if err != nil {
						break
					}
					got = append(got, line{string(b), num, off})
				}
				if len(got) != len(tt.lines) {
					t.Fatalf("lines = %+v, want %+v", got, tt.lines)
				}
				for i := range got {
					if got[i] != tt.lines[i] {
						t.Errorf("line %d = %+v, want %+v", i, got[i], tt.lines[i])
					}
				}
				if tt.errLine == 0 {
					if !errors.Is(err, io.EOF) {
						t.Fatalf("err = %v", err)
					}
					return
				}
				var se *syntaxError
				if !errors.Is(err, errLineTooLong) || !errors.As(err, &se) || se.line != tt.errLine {
					t.Fatalf("err = %v, want errLineTooLong at line %d", err, tt.errLine)
				}
				if _, _, _, err2 := lr.next(); !errors.Is(err2, err) {
					t.Errorf("after the error, next = %v", err2)
				}
			})
		}
	}
}

func TestLineReaderEndless(t *testing.T) {
	for _, max := range []int{16, 4096, 1 << 20} {
		src := &endlessReader{prefix: "first\n", fill: 'a'}
		done := make(chan error, 1)
		go func() {
			lr := newLineReader(src, max)
			if _, _, _, err := lr.next(); err != nil {
				done <- err
				return
			}
			_, _, _, err := lr.next()
			done <- err
		}()
		select {
		case err := <-done:
			var se *syntaxError
			if !errors.Is(err, errLineTooLong) || !errors.As(err, &se) || se.line != 2 || se.offset != 6 {
				t.Errorf("max %d: err = %v", max, err)
			}
			if src.n > int64(max)+(128<<10) {
				t.Errorf("max %d: read %d bytes", max, src.n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("max %d: an endless line did not end", max)
		}
	}
}

func TestKVReader(t *testing.T) {
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
			name:   "blocks by blank lines",
			in:     "Nama: Ali bin Abu\nNo KP: 900101-01-1234\n\nNama: Siti\nNo KP: 900202-02-2345\nE-mail: siti@x.my\n",
			names:  []string{"nama", "no_kp", "e_mail"},
			values: [][]string{{"Ali bin Abu", "900101-01-1234"}, {"Siti", "900202-02-2345", "siti@x.my"}},
			lines:  []int64{1, 4},
		},
		{
			name:   "blocks by separator lines",
			in:     "Name: A\nPhone: 1\n---\nName: B\nPhone: 2\n=====\nName: C\n*** record 4 ***\nName: D\n~~~\n",
			names:  []string{"name", "phone"},
			values: [][]string{{"A", "1"}, {"B", "2"}, {"C", ""}, {"D", ""}},
			lines:  []int64{1, 4, 7, 9},
		},
		{
			name: "intro prose skipped",
			in: "Sample of 20 records from X, full dump for sale, contact @seller\n" +
				"Fresh data, 2024\n\n" +
				"Selling now. Good quality\nTarikh Lahir: 01/01/1990\nAlamat : Jalan 1\n\n" +
				"thanks\n",
			names:  []string{"tarikh_lahir", "alamat"},
			values: [][]string{{"01/01/1990", "Jalan 1"}},
			lines:  []int64{5},
		},
		{
			name:   "prose after a blank line is not part of the record",
			in:     "Name: A\n\nthanks, more on request\n--\nName: B\n",
			names:  []string{"name"},
			values: [][]string{{"A"}, {"B"}},
			lines:  []int64{1, 5},
		},
		{
			name:   "repeated key",
			in:     "Name: A\nPhone: 1\nPhone: 2\nphone: 3\n",
			names:  []string{"name", "phone", "phone_2", "phone_3"},
			values: [][]string{{"A", "1", "2", "3"}},
			lines:  []int64{1},
		},
		{
			name:   "repeated first key starts a record",
			in:     "Name: A\nPhone: 1\nName: B\nPhone: 2\n",
			names:  []string{"name", "phone"},
			values: [][]string{{"A", "1"}, {"B", "2"}},
			lines:  []int64{1, 3},
		},
		{
			name:   "pipe-separated pairs",
			in:     "Name: A | IC: 1 | Phone: 2\nName: B|IC: 3|Note: x | y\n\nName: C\nIC: 4\nName: D | IC: 5\n",
			names:  []string{"name", "ic", "phone", "note"},
			values: [][]string{{"A", "1", "2"}, {"B", "3", "", "x|y"}, {"C", "4", "", ""}, {"D", "5", "", ""}},
			lines:  []int64{1, 2, 4, 6},
		},
		{
			name:   "value with a pipe is not a pair line",
			in:     "Note: a | b\n",
			names:  []string{"note"},
			values: [][]string{{"a | b"}},
			lines:  []int64{1},
		},
		{
			name:   "separators and keys",
			in:     "User Name = ali\r\nE-Mail.Address: a@b.my\r\nNo. Tel：012\r\nURL: https://x.example/a:b\r\nEmpty:\r\n- Bullet: yes\r\n",
			names:  []string{"user_name", "e_mail_address", "no_tel", "url", "empty", "bullet"},
			values: [][]string{{"ali", "a@b.my", "012", "https://x.example/a:b", "", "yes"}},
			lines:  []int64{1},
		},
		{
			name:   "continuation lines",
			in:     "Alamat: No 1, Jalan 2\n   Taman 3\n\t50000 KL\nPhone: 1\n",
			names:  []string{"alamat", "phone"},
			values: [][]string{{"No 1, Jalan 2 Taman 3 50000 KL", "1"}},
			lines:  []int64{1},
		},
		{
			name:    "keyless lines reject their record",
			in:      "Name: A\nPhone: 1\n(secret not verified)\nEmail: a@b.my\nhttps://site.example/x\n\nName: B\nPhone: 2\n",
			names:   []string{"name", "phone", "email"},
			values:  [][]string{{"B", "2", ""}},
			lines:   []int64{7},
			reasons: []Reason{ReasonNotKeyValue},
		},
		{
			name:   "keys that are not keys",
			in:     "someone@mail.com: x\n1abc: y\n" + strings.Repeat("k", 41) + ": z\n",
			values: nil,
		},
		{
			name:    "too many columns",
			in:      "A: 1\nB: 2\n\nC: 3\nD: 4\n\nA: 5\n",
			lim:     Limits{MaxColumns: 3},
			names:   []string{"a", "b", "c"},
			values:  [][]string{{"1", "2"}, {"5", "", ""}},
			lines:   []int64{1, 7},
			reasons: []Reason{ReasonTooManyCols},
		},
		{
			name:    "record over the limit",
			in:      "A: 1\n\nA: secret\n  secret secret\n  secret secret\n\nA: 2\n",
			lim:     Limits{MaxRecordBytes: 20},
			names:   []string{"a"},
			values:  [][]string{{"1"}},
			lines:   []int64{1},
			errLine: 3,
			tooLong: true,
		},
		{
			name:    "line over the limit",
			in:      "A: 1\n\nA: " + strings.Repeat("secret", 10) + "\n",
			lim:     Limits{MaxRecordBytes: 20},
			names:   []string{"a"},
			values:  [][]string{{"1"}},
			lines:   []int64{1},
			errLine: 3,
			tooLong: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readRowsForTest(t, newKVReader(strings.NewReader(tt.in), tt.lim), 1000)
			checkRun(t, g, tt.names, tt.values, tt.lines, tt.reasons)
			checkErr(t, g.err, tt.errLine, "", tt.tooLong)
		})
	}
}

func TestKVOffsets(t *testing.T) {
	in := "intro\n\nName: A\n\nName: B\n"
	g := readRowsForTest(t, newKVReader(strings.NewReader(in), Limits{}), 10)
	if len(g.rows) != 2 || !strings.HasPrefix(in[g.rows[0].offset:], "Name: A") || !strings.HasPrefix(in[g.rows[1].offset:], "Name: B") {
		t.Errorf("rows = %+v", g.rows)
	}
}

func TestSniffKV(t *testing.T) {
	tests := []struct {
		name string
		head string
		want bool
	}{
		{"blocks", "Nama: Ali bin Abu\nNo KP: 900101-01-1234\n\nNama: Siti\nNo KP: 900202\n", true},
		{"blocks with intro", "Sample of 20 records, contact @seller\n\nName: A\nPhone: 1\n---\nName: B\nPhone: 2\n---\nName: C\n", true},
		{"one block with spaced values", "Full Name: Ali bin Abu\nAddress: Jalan 1, KL\nPhone: 0123\n", true},
		{"pipe pairs", "Name: A | IC: 1\nName: B | IC: 2\n", true},
		{"equals", "user = ali\nemail = a@b.my\n\nuser = abu\nemail = c@d.my\n", true},
		{"cut last line", "Name: A\nPhone: 1\nName: B\nPho", true},
		{"combolist emails", "someone@mail.com:secret\nother@mail.com:pass123\nthird@x.org:abc\n", false},
		{"combolist users", "user123:pass\nadmin:admin\nbob:hunter2\n", false},
		{"combolist users repeated", "user:pass\nuser:pass2\nuser:pass3\n", false},
		{"csv", "name,email,phone\nAli,a@b.my,012\nAbu,c@d.my,013\n", false},
		{"json", "[{\"name\": \"Ali\", \"ic\": \"1\"},\n{\"name\": \"Abu\"}]\n", false},
		{"prose", "Selling fresh data.\nContact me on telegram.\nPrice: 500 USD\nMore samples below\nwith some text\n", false},
		{"one line", "Name: A\n", false},
		{"urls", "https://a.example/x\nhttps://b.example/y\n", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffKV([]byte(tt.head)); got != tt.want {
				t.Errorf("sniffKV = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKVColumnName(t *testing.T) {
	for in, want := range map[string]string{
		"No KP":        "no_kp",
		"E-mail":       "e_mail",
		"Tarikh Lahir": "tarikh_lahir",
		"No. Tel":      "no_tel",
		"IC/Passport":  "ic_passport",
		"user_name":    "user_name",
		"Name.":        "name",
		"ÉCOLE":        "école",
	} {
		if got := string(kvColumnName(nil, []byte(in))); got != want {
			t.Errorf("kvColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzKeyValue(f *testing.F) {
	for _, s := range []string{
		"Name: A\nPhone: 1\nPhone: 2\n---\nName: B\n  more\n\nx\n",
		"Name: A | IC: 1 | x\nNo KP：1\nKey = v\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffKV(data)
		fuzzRead(t, data, newKVReader(strings.NewReader(string(data)), fuzzLimits))
	})
}
