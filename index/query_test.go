package index

import (
	"errors"
	"flag"
	"github.com/semak/semak/internal/goldentest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestParseGolden parses every query of testdata/parse.golden and compares
// the tree or the error with the file. Add a query by appending a block
// with only its "in:" line and running go test -run ParseGolden -update.
func TestParseGolden(t *testing.T) {
	name := filepath.Join("testdata", "parse.golden")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, line := range strings.Split(string(b), "\n") {
		if q, ok := strings.CutPrefix(line, "in:   "); ok {
			queries = append(queries, q)
		} else if line == "in:" {
			queries = append(queries, "")
		}
	}
	var out strings.Builder
	out.WriteString("# Query parser golden file: each block is a query (in:), then its tree or\n# its error with a caret under the position. Regenerate with -update.\n")
	for _, q := range queries {
		out.WriteString("\nin:   " + q + "\n")
		parsed, err := Parse(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("%q: error %v is not a QueryError", q, err)
			}
			col := utf8.RuneCountInString(q[:qe.Pos])
			out.WriteString("err:  " + strings.Repeat(" ", col) + "^ " + qe.Msg + "\n")
			continue
		}
		out.WriteString("tree: " + parsed.String() + "\n")
		if _, err := translate(parsed, nil, byPairs); err != nil {
			t.Errorf("%q: translate: %v", q, err)
		}
	}
	goldentest.Check(t, name, []byte(out.String()), *update)
}

func TestQueryErrorMessage(t *testing.T) {
	_, err := Parse(`socso OR`)
	var qe *QueryError
	if !errors.As(err, &qe) || qe.Pos != 8 || !strings.Contains(err.Error(), "position 8") || !strings.Contains(qe.Msg, "expected a word") {
		t.Fatalf("got %#v", err)
	}
	long := strings.Repeat("a ", MaxQueryBytes)
	if _, err := Parse(long); err == nil {
		t.Fatal("over-long query accepted")
	}
	if _, err := Parse(strings.Repeat("(", 50) + "a" + strings.Repeat(")", 50)); err == nil {
		t.Fatal("deep nesting accepted")
	}
	if _, err := Parse(strings.Repeat("a ", 65)); err == nil {
		t.Fatal("too many terms accepted")
	}
}

// FuzzParse checks the parser never panics, that errors point inside the
// query, and that every tree it makes translates to a bleve query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`socso "data bocor"`, `a OR b -c`, `posted:2024-01..2024-06-30 records:>=1.2m`, `victim:"Bank Rakyat" AND NOT (offer:free OR lang:en)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error %v is not a QueryError", err)
			}
			if qe.Pos < 0 || qe.Pos > len(s) || qe.Msg == "" {
				t.Fatalf("error position %d outside the query of %d bytes: %v", qe.Pos, len(s), err)
			}
			return
		}
		if q.String() == "" {
			t.Fatal("empty tree")
		}
		if _, err := translate(q, nil, byPairs); err != nil {
			t.Fatalf("translate %s: %v", q, err)
		}
	})
}
