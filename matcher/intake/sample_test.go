package intake

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semak/semak/fixtures"
	"github.com/semak/semak/matcher/record"
)

// pinned is the clock the tests read samples with.
var pinned = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestValidFixtures(t *testing.T) {
	for _, ex := range fixtures.Valid {
		t.Run(filepath.Base(ex.File), func(t *testing.T) {
			var yielded int
			rep, err := ReadFile(context.Background(), fixtures.Path(ex.File), Options{Now: pinned}, func(r record.Record) error {
				yielded++
				if len(r.Fields()) == 0 {
					t.Errorf("line %d yielded with no canonical field", r.Line)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Parts) != 1 {
				t.Fatalf("parts = %d, want 1", len(rep.Parts))
			}
			p := rep.Parts[0]
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("format", string(p.Format), ex.Format)
			check("encoding", p.Encoding, ex.Encoding)
			check("container", p.Container, ex.Container)
			if ex.Format == "delimited" {
				check("delimiter", p.Delimiter, ex.Delimiter)
				if p.Header == nil || *p.Header != ex.Header {
					t.Errorf("header = %v, want %v", p.Header != nil && *p.Header, ex.Header)
				}
			}
			got := map[string]string{}
			for _, c := range p.Columns {
				if record.IsCanonical(c.Field) {
					got[c.Name] = string(c.Field)
				}
			}
			if fmt.Sprint(sortedPairs(got)) != fmt.Sprint(sortedPairs(ex.Columns)) {
				t.Errorf("canonical columns\n got %v\nwant %v", sortedPairs(got), sortedPairs(ex.Columns))
				for _, c := range p.Columns {
					t.Logf("  %s -> %s (%s: %s)", c.Name, c.Field, c.How, c.Why)
				}
			}
			if rep.Rows != int64(ex.Rows) || rep.Usable != int64(ex.Usable) {
				t.Errorf("rows %d usable %d, want rows %d usable %d", rep.Rows, rep.Usable, ex.Rows, ex.Usable)
			}
			rejected := map[string]int{}
			for r, n := range rep.Rejected {
				rejected[string(r)] = int(n)
			}
			if fmt.Sprint(sortedCounts(rejected)) != fmt.Sprint(sortedCounts(ex.Rejected)) {
				t.Errorf("rejected = %v (lines %v), want %v", rejected, rep.RejectLines, ex.Rejected)
			}
			if int64(yielded) != rep.Usable {
				t.Errorf("yielded %d records, report says %d usable", yielded, rep.Usable)
			}
			if rep.Unique > rep.Usable || (rep.Unique == 0 && rep.Usable > 0) {
				t.Errorf("unique = %d of %d usable", rep.Unique, rep.Usable)
			}
			if len(rep.SHA256) != 64 {
				t.Errorf("sha256 = %q", rep.SHA256)
			}
		})
	}
}

func sortedPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func sortedCounts(m map[string]int) []string {
	var out []string
	for k, v := range m {
		if v != 0 {
			out = append(out, fmt.Sprintf("%s=%d", k, v))
		}
	}
	sort.Strings(out)
	return out
}

func TestInvalidFixtures(t *testing.T) {
	for _, ex := range fixtures.Invalid {
		t.Run(filepath.Base(ex.File), func(t *testing.T) {
			path := fixtures.Path(ex.File)
			_, err := ReadFile(context.Background(), path, Options{Now: pinned}, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			var ue *Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %T %v is not an *intake.Error", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(ex.ErrorContains)) {
				t.Errorf("error %q does not say %q", msg, ex.ErrorContains)
			}
			if ue.Hint == "" {
				t.Errorf("error %q says nothing about what to do", msg)
			}
		})
	}
}

// TestErrorsCarryNoValues feeds samples whose bad rows hold a distinctive
// value and checks that no error or report text repeats it.
func TestErrorsCarryNoValues(t *testing.T) {
	secret := "850101145673"
	cases := map[string]string{
		"truncated json": `[{"ic":"` + secret + `","name":"Ali bin Abu"},{"ic":"` + secret,
		"truncated sql":  "INSERT INTO t (ic,name) VALUES ('" + secret + "','Ali'),('" + secret,
		"long line":      "ic,name\n" + secret + "," + strings.Repeat(secret, 200000) + "\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			rep, err := ReadStream(context.Background(), "sample", strings.NewReader(in), Options{Now: pinned}, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error carries a value: %v", err)
			}
			for _, p := range rep.Parts {
				for _, c := range p.Columns {
					if strings.Contains(c.Why, secret) {
						t.Errorf("column decision carries a value: %s", c.Why)
					}
				}
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	in := "a,b,c\n850101145673,Ahmad bin Ali,x1\n900202105678,Siti binti Abu,x2\n770303145671,Tan Ah Kow,x3\n"
	tests := []struct {
		name string
		maps []string
		want map[string]string // column -> field
		err  string
	}{
		// An unknown header with names under it stays an attribute: only
		// identifying fields (ic, nik, phone, email) are taken from content
		// under a header that names something else.
		{"content only", nil, map[string]string{"a": "ic", "b": "b", "c": "c"}, ""},
		{"override a weak column", []string{"b=name"}, map[string]string{"a": "ic", "b": "name"}, ""},
		{"by name", []string{"c=member_no"}, map[string]string{"a": "ic", "c": "member_no"}, ""},
		{"by position", []string{"3=member_no", "A=-"}, map[string]string{"a": "", "c": "member_no"}, ""},
		{"unknown column", []string{"zz=ic"}, nil, "no column is named"},
		{"two on one field", []string{"a=phone", "c=phone"}, nil, "two columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ov []Override
			for _, m := range tt.maps {
				o, err := ParseOverride(m)
				if err != nil {
					t.Fatal(err)
				}
				ov = append(ov, o)
			}
			rep, err := ReadStream(context.Background(), "s.csv", strings.NewReader(in), Options{Now: pinned, Map: ov}, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Parts[0].Columns {
				want, ok := tt.want[c.Name]
				if !ok {
					continue
				}
				got := string(c.Field)
				if c.How == HowSkipped {
					got = ""
				}
				if got != want {
					t.Errorf("%s -> %q (%s), want %q", c.Name, got, c.How, want)
				}
			}
		})
	}
	for _, bad := range []string{"", "x", "=ic", "a=", "a=IC NUMBER", "a=1abc"} {
		if _, err := ParseOverride(bad); err == nil {
			t.Errorf("ParseOverride(%q) accepted", bad)
		}
	}
}

func TestLyingHeaderAndContent(t *testing.T) {
	in := "phone\tname\tx\n" +
		"850101-14-5673\tAhmad bin Ali\tali@example.com\n" +
		"900202-10-5678\tSiti binti Abu\tsiti@example.com\n" +
		"770303-14-5671\tTan Ah Kow\ttan@example.my\n" +
		"880404-01-5672\tMuthu a/l Rajan\tmuthu@example.com\n"
	rep, err := ReadStream(context.Background(), "s.tsv", strings.NewReader(in), Options{Now: pinned}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"phone": {"ic", HowContent}, "name": {"name", HowHeader}, "x": {"email", HowContent}}
	for _, c := range rep.Parts[0].Columns {
		w := want[c.Name]
		if string(c.Field) != w[0] || (c.How != w[1] && !(w[1] == HowHeader && c.How == HowHeaderContent)) {
			t.Errorf("%s -> %s (%s: %s), want %s by %s", c.Name, c.Field, c.How, c.Why, w[0], w[1])
		}
	}
	if rep.Usable != 4 {
		t.Errorf("usable = %d, want 4", rep.Usable)
	}
}

func TestYieldErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := ReadFile(context.Background(), fixtures.Path("valid/csv_en_header.csv"), Options{Now: pinned}, func(record.Record) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("err = %v after %d records, want stop after 2", err, n)
	}
}

// TestEndlessLine reads a sample whose second line never ends: the read
// must stop with an error naming the line, with bounded memory.
func TestEndlessLine(t *testing.T) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go sampleHeap(&peak, done)
	_, err := ReadStream(context.Background(), "endless.csv", fixtures.EndlessLine(), Options{Now: pinned}, nil)
	close(done)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !errors.Is(err, errLineTooLong) {
		t.Fatalf("err = %v, want a too-long record at line 2", err)
	}
	if p := peak.Load(); p > 256<<20 {
		t.Errorf("peak heap %d MiB reading an endless line", p>>20)
	}
}

func sampleHeap(peak *atomic.Uint64, done chan struct{}) {
	var ms runtime.MemStats
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peak.Load() {
			peak.Store(ms.HeapAlloc)
		}
		select {
		case <-done:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestLargeGenerated reads a generated ~100 MB sample: every row usable and
// the heap bounded whatever the file size.
func TestLargeGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 100 MB")
	}
	rows := 750_000 // about 100 MiB
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := fixtures.GenerateCSV(w, rows, 7); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var peak atomic.Uint64
	done := make(chan struct{})
	go sampleHeap(&peak, done)
	rep, err := ReadFile(context.Background(), path, Options{Now: pinned, MaxUnique: 1}, nil)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != int64(rows) || rep.Usable != int64(rows) {
		t.Errorf("rows %d usable %d, want %d", rep.Rows, rep.Usable, rows)
	}
	for _, c := range rep.Parts[0].Columns {
		if c.Invalid*1000 > c.Valid {
			t.Errorf("column %s: %d invalid of %d (%v)", c.Name, c.Invalid, c.Valid, c.Reasons)
		}
	}
	if rep.Size < 95<<20 {
		t.Errorf("generated only %d MiB", rep.Size>>20)
	}
	if p := peak.Load(); p > 128<<20 {
		t.Errorf("peak heap %d MiB for a %d MiB file", p>>20, rep.Size>>20)
	}
	t.Logf("%d rows, %d MiB, peak heap %d MiB", rep.Rows, rep.Size>>20, peak.Load()>>20)
}

func TestRegionDecidedFromSample(t *testing.T) {
	tests := []struct {
		file, region string
		opt          string
	}{
		{"valid/id_nik.csv", "ID", ""},
		{"valid/csv_ms_semicolon.csv", "MY", ""},
		{"valid/id_nik.csv", "MY", "MY"}, // given wins, even when wrong
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.opt, func(t *testing.T) {
			rep, err := ReadFile(context.Background(), fixtures.Path(tt.file), Options{Now: pinned, Region: tt.opt}, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Parts[0]
			if p.Region != tt.region {
				t.Fatalf("region = %s (%s), want %s", p.Region, p.RegionWhy, tt.region)
			}
			for _, c := range p.Columns {
				if c.Field == record.Phone && tt.opt == "" && c.Invalid != 0 {
					t.Errorf("phone column %s: %d invalid under region %s: %v", c.Name, c.Invalid, p.Region, c.Reasons)
				}
			}
		})
	}
}

// TestDigestCoversTheFile checks the sample's SHA-256 is that of the file as
// received, whether it streams past (plain, gzip), is read out of order
// (zip), or reading stops early (truncated).
func TestDigestCoversTheFile(t *testing.T) {
	for _, name := range []string{"valid/csv_en_header.csv", "valid/sample.csv.gz", "valid/sample.zip", "invalid/truncated.json", "invalid/zip_bomb.zip"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(fixtures.Path(name))
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("%x", sha256.Sum256(b))
			rep, _ := ReadFile(context.Background(), fixtures.Path(name), Options{Now: pinned}, nil)
			if rep == nil || rep.SHA256 != want {
				t.Fatalf("sha256 = %v, want %s", rep, want)
			}
			// NoDigest: the same read, no digest.
			rep, _ = ReadFile(context.Background(), fixtures.Path(name), Options{Now: pinned, NoDigest: true}, nil)
			if rep == nil || rep.SHA256 != "" {
				t.Fatalf("NoDigest: sha256 = %v, want none", rep)
			}
		})
	}
}

// NoUnique yields every record and leaves the unique count alone.
func TestNoUnique(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dups.csv")
	rows := "nama,no_kp\nAHMAD BIN ALI,900101-14-5001\nAHMAD BIN ALI,900101-14-5001\nSITI BINTI ABU,910202-10-5002\n"
	if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		noUnique   bool
		wantUnique int64
	}{{false, 2}, {true, 0}} {
		n := 0
		rep, err := ReadFile(context.Background(), path, Options{NoUnique: tc.noUnique}, func(record.Record) error { n++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 || rep.Usable != 3 || rep.Unique != tc.wantUnique || (tc.noUnique && rep.UniqueExact) {
			t.Errorf("NoUnique %v: %d records, usable %d, unique %d (exact %v); want 3, 3, %d", tc.noUnique, n, rep.Usable, rep.Unique, rep.UniqueExact, tc.wantUnique)
		}
	}
}
