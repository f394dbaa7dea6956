package intake

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestComboReader(t *testing.T) {
	type want struct {
		names  []string
		values []string
		line   int64
	}
	tests := []struct {
		name    string
		in      string
		sep     byte
		lim     Limits
		rows    []want
		reasons []Reason
		errLine int64
	}{
		{
			name: "colon",
			in:   "someone@mail.com:secret1\nuser123:pass\n\n  other@x.org:p  \r\n",
			sep:  ':',
			rows: []want{
				{[]string{"email", "password"}, []string{"someone@mail.com", "secret1"}, 1},
				{[]string{"username", "password"}, []string{"user123", "pass"}, 2},
				{[]string{"email", "password"}, []string{"other@x.org", "p"}, 4},
			},
		},
		{
			name: "semicolon",
			in:   "a@b.com;x1\nbob;y2\n",
			sep:  ';',
			rows: []want{
				{[]string{"email", "password"}, []string{"a@b.com", "x1"}, 1},
				{[]string{"username", "password"}, []string{"bob", "y2"}, 2},
			},
		},
		{
			name: "pipe",
			in:   "a@b.com|x1\nbob|y2\n",
			sep:  '|',
			rows: []want{
				{[]string{"email", "password"}, []string{"a@b.com", "x1"}, 1},
				{[]string{"username", "password"}, []string{"bob", "y2"}, 2},
			},
		},
		{
			name: "password holds the separator",
			in:   "a@b.com:pa:ss:\njohn.smith:pass:word\n",
			sep:  ':',
			rows: []want{
				{[]string{"email", "password"}, []string{"a@b.com", "pa:ss:"}, 1},
				{[]string{"username", "password"}, []string{"john.smith", "pass:word"}, 2},
			},
		},
		{
			name: "password holds the pipe",
			in:   "bob|x|y|\n",
			sep:  '|',
			rows: []want{
				{[]string{"username", "password"}, []string{"bob", "x|y|"}, 1},
			},
		},
		{
			name: "ulp",
			in: "https://site.example/login:someone@mail.com:secret\n" +
				"https://site.example:8443/login:user1:pa:ss\n" +
				"http://10.0.0.1:8080:admin:admin\n" +
				"android://hash@com.app/:user2:pw\n" +
				"site.example:someone@mail.com:pw2\n" +
				"www.site.example:user3:pw3\n" +
				"site.example/login:user4:pw4\n" +
				"john.smith:pass:word\n",
			sep: ':',
			rows: []want{
				{[]string{"url", "email", "password"}, []string{"https://site.example/login", "someone@mail.com", "secret"}, 1},
				{[]string{"url", "username", "password"}, []string{"https://site.example:8443/login", "user1", "pa:ss"}, 2},
				{[]string{"url", "username", "password"}, []string{"http://10.0.0.1:8080", "admin", "admin"}, 3},
				{[]string{"url", "username", "password"}, []string{"android://hash@com.app/", "user2", "pw"}, 4},
				{[]string{"url", "email", "password"}, []string{"site.example", "someone@mail.com", "pw2"}, 5},
				{[]string{"url", "username", "password"}, []string{"www.site.example", "user3", "pw3"}, 6},
				{[]string{"url", "username", "password"}, []string{"site.example/login", "user4", "pw4"}, 7},
				{[]string{"username", "password"}, []string{"john.smith", "pass:word"}, 8},
			},
		},
		{
			name: "ulp with another separator",
			in:   "https://site.example:8443/a|u@x.com|p|q\n",
			sep:  '|',
			rows: []want{
				{[]string{"url", "email", "password"}, []string{"https://site.example:8443/a", "u@x.com", "p|q"}, 1},
			},
		},
		{
			name: "bad lines rejected",
			in:   "secretnoseparator\n:secret\nhttps://site.example/login\nhttps://site.example/login:secret\nok@x.com:1\n",
			sep:  ':',
			rows: []want{
				{[]string{"email", "password"}, []string{"ok@x.com", "1"}, 5},
			},
			reasons: []Reason{ReasonNotCombo, ReasonNotCombo, ReasonNotCombo, ReasonNotCombo},
		},
		{
			name:    "line over the limit",
			in:      "a@b.com:1\na@b.com:" + strings.Repeat("secret", 20) + "\nc@d.com:2\n",
			sep:     ':',
			lim:     Limits{MaxRecordBytes: 32},
			rows:    []want{{[]string{"email", "password"}, []string{"a@b.com", "1"}, 1}},
			errLine: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readRowsForTest(t, newComboReader(strings.NewReader(tt.in), tt.sep, tt.lim), 1000)
			if len(g.rows) != len(tt.rows) {
				t.Fatalf("rows = %+v, want %+v", g.rows, tt.rows)
			}
			byNames := map[string]*string{}
			for i, r := range g.rows {
				w := tt.rows[i]
				if !reflect.DeepEqual(r.names, w.names) || !reflect.DeepEqual(r.values, w.values) || r.line != w.line {
					t.Errorf("row %d = %d %q %q, want %d %q %q", i, r.line, r.names, r.values, w.line, w.names, w.values)
				}
				// The same columns come in the same slice.
				key := strings.Join(r.names, ",")
				if p, ok := byNames[key]; ok && p != &r.names[0] {
					t.Errorf("row %d: the same names in a new slice", i)
				}
				byNames[key] = &r.names[0]
			}
			if !reflect.DeepEqual(g.reasons(), tt.reasons) {
				t.Errorf("rejected = %v, want %v", g.reasons(), tt.reasons)
			}
			for _, re := range g.rejects {
				if strings.Contains(re.Error(), "secret") {
					t.Errorf("rejection quotes the input: %v", re)
				}
			}
			checkErr(t, g.err, tt.errLine, "", tt.errLine != 0)
		})
	}
}

func TestComboEndless(t *testing.T) {
	src := &endlessReader{prefix: "a@b.com:1\n", fill: 'a'}
	g := readRowsForTest(t, newComboReader(src, ':', Limits{MaxRecordBytes: 4096}), 10)
	if len(g.rows) != 1 || !errors.Is(g.err, errLineTooLong) {
		t.Errorf("rows = %d, err = %v", len(g.rows), g.err)
	}
}

func TestSniffCombo(t *testing.T) {
	tests := []struct {
		name string
		head string
		ok   bool
		sep  byte
	}{
		{"emails colon", "someone@mail.com:secret\nother@mail.com:pass123\nthird@x.org:abc\n", true, ':'},
		{"users colon", "user123:pass\nadmin:admin\nbob:hunter2\n", true, ':'},
		{"semicolon", "a@b.com;x1\nc@d.com;x2\ne@f.com;x3\n", true, ';'},
		{"pipe", "a@b.com|x1\nc@d.com|x2\ne@f.com|x3\n", true, '|'},
		{"passwords with spaces, emails", "a@b.com:my pass\nc@d.com:x2\ne@f.com:x3\n", true, ':'},
		{"password holds another separator", "a@b.com:x;1\nc@d.com:x;2\ne@f.com:x;3\n", true, ':'},
		{"ulp", "https://a.example/login:u@x.com:p1\nhttps://b.example/:user:p2\nc.example:u@y.com:p3\n", true, ':'},
		{"cut last line ignored", "a@b.com:x1\nc@d.com:x2\ne@f.com:x3\nthis line was cu", true, ':'},
		{"a few bad lines", "a@b.com:1\nc@d.com:2\ne@f.com:3\ng@h.com:4\n\njunk\n", true, ':'},
		{"semicolon csv with header", "no_kp;nama\n900101011234;ALI BIN ABU\n900202022345;SITI AMINAH\n", false, 0},
		{"semicolon csv with header, no spaces", "no_kp;nama\n900101011234;ALI\n900202022345;SITI\n", false, 0},
		{"semicolon csv, names with spaces", "900101011234;ALI BIN ABU\n900202022345;SITI AMINAH\n", false, 0},
		{"header with three fields", "email:password:name\na@b.com:x:y\nc@d.com:x:y\n", false, 0},
		{"csv with times", "id,name,time\n1,Ali,12:30\n2,Abu,13:45\n3,Siti,2024-01-01T10:00:00\n", false, 0},
		{"semicolon csv, three fields", "900101;ALI;KL\n900202;SITI;JB\n900303;ABU;KT\n", false, 0},
		{"numeric logins", "60123456789:pass1\n60129876543:pass2\n", true, ':'},
		{"kv blocks", "Name: Ali bin Abu\nPhone: 0123\n\nName: Siti\nPhone: 0124\n", false, 0},
		{"csv", "name,email\nAli,a@b.my\nAbu,c@d.my\n", false, 0},
		{"urls", "https://a.example/x\nhttps://b.example/y\nhttps://c.example/z\n", false, 0},
		{"prose", "hello world\nthis is a post\n", false, 0},
		{"mostly not", "a@b.com:1\nfoo bar\nbaz qux\nquux\n", false, 0},
		{"empty", "", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, sep := sniffCombo([]byte(tt.head))
			if ok != tt.ok || sep != tt.sep {
				t.Errorf("sniffCombo = %v, %q; want %v, %q", ok, sep, tt.ok, tt.sep)
			}
		})
	}
}

func FuzzCombo(f *testing.F) {
	for _, s := range []string{
		"a@b.com:x\nuser:pa:ss\n\nnosep\n:x\n",
		"https://s.example:8080/l:u@x.com:p\nsite.example:u:p\nandroid://h@a/:u:p\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ok, sep := sniffCombo(data)
		if !ok {
			sep = ':'
		}
		for _, s := range []byte{sep, ';', '|'} {
			fuzzRead(t, data, newComboReader(strings.NewReader(string(data)), s, fuzzLimits))
		}
	})
}
