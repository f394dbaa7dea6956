package intake

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// csvRows reads all of text with r and describes every row and error, as
// the comparison of the fast path with encoding/csv needs them.
func csvRows(t testing.TB, r rowReader, text string) []string {
	var out []string
	for range 10_000 {
		rw, err := r.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out = append(out, "error: "+err.Error())
			var re *rowError
			if !errors.As(err, &re) {
				return out // reading cannot go on
			}
			continue
		}
		if rw.ascii && !isASCIIStrings(rw.values) {
			t.Fatalf("%q: a row flagged ASCII has %q", text, rw.values)
		}
		out = append(out, fmt.Sprintf("line %d offset %d names %q values %q", rw.line, rw.offset, rw.names, rw.values))
	}
	t.Fatalf("%q: no end after 10,000 rows", text)
	return nil
}

func isASCIIStrings(vs []string) bool {
	for _, v := range vs {
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 {
				return false
			}
		}
	}
	return true
}

// checkFastCSV compares the fast path with encoding/csv reading all of
// text.
func checkFastCSV(t testing.TB, text string, delim rune, header bool) {
	lim := Limits{}.withDefaults()
	got := csvRows(t, newCSVReader(strings.NewReader(text), delim, header, lim), text)
	ref := &csvReader{lim: lim, header: header}
	ref.slow(strings.NewReader(text), delim)
	want := csvRows(t, ref, text)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q (delimiter %q, header %v):\nfast path: %q\nencoding/csv: %q", text, delim, header, got, want)
	}
}

// TestCSVFastPathSameAsCSV checks that reading lines without quotes
// ourselves gives the rows, lines, offsets and errors encoding/csv gives,
// including across the hand-over at the first quote, on line ends of every
// kind, blank lines, ragged rows and text that is not UTF-8.
func TestCSVFastPathSameAsCSV(t *testing.T) {
	cases := []string{
		"", "\n", "\r\n", "\r", "a", "a\r", "a\n", "a\r\n", "a\r\r\n", "\r\r\n",
		"name,ic\nali,1\n", "name,ic\r\nali,1\r\n\r\nabu,2", "name,ic\n\n\n\"a\"\"b\",1\n",
		"a,b\n\n\r\n\n\"x\ny\",2\n", "a,b\nc,\"d\nc,d\n", "a,b\nc,d,e\n", "a,b,\nc,d,,\n",
		"a,b\n\xff\xfe,1\n", "a,b\nkü,1\n", "a\"b,c\nd,e\n", " a , b \n c , d ",
		"a,b\n\n", "a,b\n \n", "\ufeffname,ic\nx,1\n",
	}
	for _, c := range cases {
		for _, h := range []bool{true, false} {
			checkFastCSV(t, c, ',', h)
		}
	}
	// Random text over an alphabet that makes every kind of line.
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []string{"a", "b", ",", ",", ";", "\n", "\n", "\r", "\r\n", "\"", " ", "é", "\xff"}
	for range 20_000 {
		var b strings.Builder
		for range r.IntN(60) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		delim := []rune{',', ';', '\t', '|'}[r.IntN(4)]
		checkFastCSV(t, b.String(), delim, r.IntN(2) == 0)
	}
}

// FuzzCSVFastPath is TestCSVFastPathSameAsCSV on fuzzed text.
func FuzzCSVFastPath(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "a,b\r\n\r\n\"c\nd\",e\n", "a\r", "x;y\n1;2\n"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, header bool) {
		if len(text) > 1<<16 {
			return
		}
		for _, d := range []rune{',', ';', '\t', '|'} {
			checkFastCSV(t, text, d, header)
		}
	})
}
