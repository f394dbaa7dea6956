package intake

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/semak/semak/fixtures"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// TestU64SetInsertReserveTouch checks insert, reserve and touch against a
// map: insert reports only new keys, reserve and touch lose nothing.
func TestU64SetInsertReserveTouch(t *testing.T) {
	var s u64set
	ref := map[uint64]bool{}
	r := rand.New(rand.NewPCG(3, 4))
	var batch []uint64
	for i := range 100_000 {
		k := r.Uint64() % 30_000
		if i%997 == 0 {
			k = 0
		}
		if i == 50_000 {
			s.reserve(200_000)
		}
		batch = append(batch, k)
		if len(batch) == 64 {
			s.touch(batch)
			batch = batch[:0]
		}
		if got := s.insert(k); got == ref[k] {
			t.Fatalf("insert(%d) = %v with the key %s in the set", k, got, map[bool]string{true: "already", false: "not"}[ref[k]])
		}
		ref[k] = true
		if !s.has(k) {
			t.Fatalf("has(%d) = false after insert", k)
		}
	}
	if s.len() != len(ref) {
		t.Fatalf("len = %d, want %d", s.len(), len(ref))
	}
	for k := range ref {
		if !s.has(k) {
			t.Fatalf("lost %d", k)
		}
	}
	if len(s.slots) < 2*200_000 || len(s.slots)&(len(s.slots)-1) != 0 {
		t.Fatalf("reserve(200000) left %d slots", len(s.slots))
	}
}

// TestLastHighByte checks the word-at-a-time scan against a plain loop,
// with the high byte at every position of buffers around the word size.
func TestLastHighByte(t *testing.T) {
	naive := func(p []byte) int {
		for i := len(p) - 1; i >= 0; i-- {
			if p[i] >= utf8.RuneSelf {
				return i
			}
		}
		return -1
	}
	for n := range 40 {
		p := bytes.Repeat([]byte("a"), n)
		if got := lastHighByte(p); got != -1 {
			t.Fatalf("ASCII of %d bytes: %d", n, got)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xC3, 0xFF} {
				q := bytes.Clone(p)
				q[i] = c
				if i > 2 {
					q[i/3] = 0x90 // an earlier one must not be the answer
				}
				if got, want := lastHighByte(q), naive(q); got != want {
					t.Fatalf("%q: %d, want %d", q, got, want)
				}
			}
		}
	}
}

// TestCSVASCIIRows checks the rows the CSV reader calls ASCII: never one
// with a byte >= 0x80, and every row of an all-ASCII text; and that a row
// with invalid UTF-8 among ASCII ones is still rejected.
func TestCSVASCIIRows(t *testing.T) {
	lim := Limits{}.withDefaults()
	var b strings.Builder
	b.WriteString("nama,emel\n")
	for i := range 3000 {
		switch i {
		case 1000:
			b.WriteString("Zoë Tan,zoe@example.com\n")
		case 2000:
			b.WriteString("Ali \xff,ali@example.com\n")
		default:
			b.WriteString("Ahmad bin Ali,ahmad@example.com\n")
		}
	}
	text := b.String()
	rows, _, err := readAllRows(t, newCSVReader(strings.NewReader(text), ',', true, lim))
	if err != nil {
		t.Fatal(err)
	}
	asciiRows := 0
	for _, r := range rows {
		high := false
		for _, v := range r.values {
			high = high || lastHighByte([]byte(v)) >= 0
		}
		if r.ascii && high {
			t.Fatalf("line %d: called ASCII, but holds %q", r.line, r.values)
		}
		if r.ascii {
			asciiRows++
		}
	}
	// The rows just before a high byte lose the flag too: the reader has
	// read ahead (a few KiB) past them when they are handed out.
	if asciiRows < 2700 {
		t.Errorf("only %d of %d rows called ASCII", asciiRows, len(rows))
	}
	allASCII := strings.NewReplacer("Zoë", "Zoe", "\xff", "x").Replace(text)
	rows, _, err = readAllRows(t, newCSVReader(strings.NewReader(allASCII), ',', true, lim))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.ascii {
			t.Fatalf("line %d of an ASCII text not called ASCII", r.line)
		}
	}
	rep, err := ReadStream(context.Background(), "t.csv", strings.NewReader(text), Options{Now: pinned}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected[ReasonInvalidUTF8] != 1 || rep.RejectLines[ReasonInvalidUTF8][0] != 2002 || rep.Usable != 2999 {
		t.Errorf("rejected %v at %v, usable %d", rep.Rejected, rep.RejectLines, rep.Usable)
	}
}

// TestRecordsKeptAcrossBatches reads a generated sample of many batches
// with several workers, keeps every record, and only then checks each one
// against its row normalised on its own: a batch reused too early, or a
// string slab written over, would show here.
func TestRecordsKeptAcrossBatches(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.GenerateCSV(&buf, 20_000, 5); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var recs []record.Record
	rep, err := ReadStream(context.Background(), "gen.csv", bytes.NewReader(data), Options{Now: pinned, Workers: 3, Region: "MY"}, func(r record.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 20_000 || rep.Unique != 20_000 {
		t.Fatalf("%d records, %d unique", len(recs), rep.Unique)
	}
	n := normalize.New(normalize.Options{Now: pinned, Region: "MY"})
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]record.Field{}
	for _, c := range rep.Parts[0].Columns {
		fields[c.Name] = c.Field
	}
	for i, rec := range recs {
		raw, err := cr.Read()
		if err != nil {
			t.Fatal(err)
		}
		var want record.Record
		for j, v := range raw {
			f := fields[header[j]]
			nv, err := n.Field(string(f), strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("row %d, %s: %v", i+1, header[j], err)
			}
			if slot := record.Slot(f); slot >= 0 {
				want.Values[slot] = nv
			}
		}
		if rec.Values != want.Values || rec.Line != int64(i+2) {
			t.Fatalf("record %d (line %d) = %v, want %v", i+1, rec.Line, rec.Values, want.Values)
		}
	}
}

// TestReserveUnique checks the estimate and its bounds.
func TestReserveUnique(t *testing.T) {
	for _, tc := range []struct {
		size, last int64
		rows, max  int
		slots      int
	}{
		{133 << 20, 133_000, 999, 10_000_000, 1 << 21}, // about 1M rows: 2M slots
		{8 << 30, 133_000, 999, 10_000_000, 1 << 22},   // 64M rows: capped at 32 MiB
		{133 << 20, 133_000, 999, 1, 1024},             // MaxUnique 1
		{1000, 2000, 999, 10_000_000, 0},               // the window was the whole file
		{-1, 2000, 999, 10_000_000, 0},                 // size unknown
	} {
		rd := &reader{opts: Options{MaxUnique: tc.max}}
		rd.reserveUnique(tc.size, tc.last, tc.rows)
		if len(rd.seen.slots) != tc.slots {
			t.Errorf("%+v: %d slots", tc, len(rd.seen.slots))
		}
	}
}
