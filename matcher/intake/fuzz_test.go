package intake

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/semak/semak/fixtures"
	"github.com/semak/semak/matcher/record"
)

var fuzzLim = Limits{MaxRecordBytes: 4096, MaxColumns: 64, MaxDepth: 4, MaxEntries: 8, MaxUnpacked: 1 << 20}.withDefaults()

// FuzzCSV feeds arbitrary text through the delimited reader with each
// delimiter, with and without a header: no panic, it ends, and every row has
// no more values than names.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), byte(','), true)
	f.Add([]byte("\"x\ny\",2\n\"unterminated"), byte(','), false)
	f.Add([]byte("a\tb\tc\n1\t2\n1\t2\t3\t4\n"), byte('\t'), true)
	f.Fuzz(func(t *testing.T, in []byte, d byte, header bool) {
		delim := rune([]byte{',', '\t', ';', '|'}[int(d)%4])
		rr := newCSVReader(strings.NewReader(string(in)), delim, header, fuzzLim)
		for i := 0; ; i++ {
			if i > len(in)+1 {
				t.Fatalf("more rows than bytes")
			}
			r, err := rr.next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *rowError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				var se *syntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T %v is neither a row nor a syntax error", err, err)
				}
				return
			}
			if len(r.values) > len(r.names) {
				t.Fatalf("%d values, %d names", len(r.values), len(r.names))
			}
		}
	})
}

// FuzzRead feeds arbitrary bytes through the whole intake — containers,
// encoding, sniffing, every format reader, column decisions and the
// normalisers — as an upload would arrive: no panic, the counts add up,
// and a failure is an *Error.
func FuzzRead(f *testing.F) {
	for _, ex := range fixtures.Valid {
		b, err := fixtures.FS.ReadFile(ex.File)
		if err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var yielded int64
		rep, err := ReadStream(context.Background(), "fuzz", strings.NewReader(string(in)), Options{Now: pinned, Limits: fuzzLim, Workers: 2}, func(r record.Record) error {
			yielded++
			if len(r.Fields()) == 0 {
				t.Fatalf("yielded a record with no canonical field")
			}
			return nil
		})
		if err != nil {
			var ue *Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		var rejected int64
		for _, n := range rep.Rejected {
			rejected += n
		}
		if rep.Usable+rejected != rep.Rows || yielded != rep.Usable || rep.Unique > rep.Usable {
			t.Fatalf("rows %d usable %d rejected %d yielded %d unique %d", rep.Rows, rep.Usable, rejected, yielded, rep.Unique)
		}
	})
}
