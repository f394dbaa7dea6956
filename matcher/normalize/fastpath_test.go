package normalize

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fastPathPieces are the fragments the differential tests build inputs
// from: ASCII letters in both cases, digits, every separator class, the
// Unicode spaces and apostrophes the single pass accepts, runes that send
// a value down the folding path, invalid UTF-8, and the words (connectors,
// titles, abbreviations, postcodes) the normalisers treat specially.
var fastPathPieces = []string{
	"a", "Z", "m", "0", "9", " ", "  ", "\t", "\n", ",", ".", "-", "/", "'", "`", "@", "(", ")",
	"\u00a0", "\u2019", "\u2018", "\u02bc", "\u02bb", "\u200b", "\u3000", "\u2013",
	"\u00b4", "\uff07", "é", "E\u0301", "ß", "İ", "ﬁ", "１", "Ａ", "ǅ", "Ⅻ", "ΟΔΥ", "ﾊﾝ", "\u0301", "\xff", "\xe2\x80",
	"bin", "BT", "b.", "a/l", "A/P.", "s/o", "D/O", "Dato'", "Dato\u2019", "Sri", "SERI", "Tan", "Puan", "hj", "Mr",
	"jln", "Jl", "TMN", "kg", "Bkt", "sg", "00000", "50450", "12-3A", "3/4", "Lot 1234-B", "No.", "Ahmad", "LEE",
}

func randomFastPathInput(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(12) {
		b.WriteString(fastPathPieces[r.IntN(len(fastPathPieces))])
		if r.IntN(3) == 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// fastPathInputs gathers the inputs of the differential tests: the fuzz
// seeds of names and addresses, the table cases, values at the length
// limits, and random strings of fastPathPieces.
func fastPathInputs(t *testing.T) []string {
	t.Helper()
	in := []string{"", " ", "'", "\u00a0", "a", "A/L", "a/l.", "A/Lx", "Tan Sri", "Dato' Sri Ahmad", "jln 00000", "12-", "-12", "x/", "1/\u00e9"}
	for _, dir := range []string{"FuzzName", "FuzzAddress"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if q, ok := strings.CutPrefix(line, "string("); ok {
					if s, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
						in = append(in, s)
					}
				}
			}
		}
	}
	for _, field := range []string{"name", "address"} {
		for _, c := range positives[field] {
			in = append(in, c.in)
		}
	}
	for _, n := range []int{maxNameLen - 1, maxNameLen, maxNameLen + 1, maxAddressLen, maxAddressLen + 1, 4*maxNameLen + 1, 4*maxAddressLen + 1} {
		in = append(in, strings.Repeat("a", n), strings.Repeat("é", n/2), strings.Repeat("ab ", n/3)+"é", "é"+strings.Repeat("x", n-2))
	}
	r := rand.New(rand.NewPCG(7, 11))
	for range 200_000 {
		in = append(in, randomFastPathInput(r))
	}
	return in
}

// TestFastPathsMatchReference checks the single-pass name and address
// scanners against the implementations they replaced (reference_test.go):
// the same output and the same error for every input.
func TestFastPathsMatchReference(t *testing.T) {
	n := newN("MY")
	bad := 0
	for _, s := range fastPathInputs(t) {
		got, gerr := n.Name(s)
		want, werr := refName(s)
		if got != want || gerr != werr { //nolint:errorlint // the fixed errors are compared by identity
			t.Errorf("Name(%q) = %q, %v; reference %q, %v", s, got, gerr, want, werr)
			bad++
		}
		ga, gerr := n.Address(s)
		wa, werr := refAddress(s)
		if ga != wa || gerr != werr { //nolint:errorlint // as above
			t.Errorf("Address(%q) = %+v, %v; reference %+v, %v", s, ga, gerr, wa, werr)
			bad++
		}
		if bad > 20 {
			t.Fatal("too many differences")
		}
	}
}

// TestFoldingPathsAgree pairs a value the single ASCII pass handles with
// one that has to go through Unicode folding (full-width letters, a
// combining accent that composes, a ligature, a non-breaking space): each
// pair must normalise alike, and the first of each must not need folding.
func TestFoldingPathsAgree(t *testing.T) {
	n := newN("MY")
	for _, tc := range []struct{ field, ascii, unicode, want string }{
		{"name", "Ahmad bin Abdullah", "Ａｈｍａｄ bin Abdullah", "abdullah ahmad"},
		{"name", "AHMAD BIN ABDULLAH", "ＡＨＭＡＤ ＢＩＮ ＡＢＤＵＬＬＡＨ", "abdullah ahmad"},
		{"name", "Muthu a/l Rajan", "Muthu a/l Rajan\u200b\u00ad", "muthu rajan"},
		{"name", "Siti Nurhaliza", "ſiti Nurhaliza", "nurhaliza siti"},
		{"name", "fitri ali", "ﬁtri ali", "ali fitri"},
		{"name", "Dato' Sri Mohd Najib", "Dato\uff07 Sri Mohd Najib", "mohd najib"},
		{"name", "Tan Ah Kow", "Tan Ah Ｋow\u2002", "ah kow tan"},
		{"address", "No. 12, Jln Ampang, 50450 KL", "No. １２, Jln Ampang, ５０４５０ KL", "no 12 jalan ampang 50450 kl"},
		{"address", "12-3A Tmn Melawati", "１２-３Ａ Tmn Melawati", "12-3a taman melawati"},
		{"address", "Lot 5, Kg Baru", "Lot 5, Ｋｇ Baru", "lot 5 kampung baru"},
	} {
		if !asciiOrSpaces(tc.ascii) || asciiOrSpaces(tc.unicode) {
			t.Fatalf("%q must take the single pass and %q the folding path", tc.ascii, tc.unicode)
		}
		for _, in := range []string{tc.ascii, tc.unicode} {
			got, err := norms[tc.field](n, in)
			if err != nil || got != tc.want {
				t.Errorf("%s(%q) = %q, %v; want %q", tc.field, in, got, err, tc.want)
			}
		}
	}
}

// fieldOf maps the names of the positive and negative tables to the field
// names Field takes.
var fieldOf = map[string]string{
	"mykad": "ic", "nik": "nik", "phone": "phone", "email": "email", "name": "name", "date": "dob",
	"gender": "gender", "address": "address", "postcode": "postcode", "state": "state",
}

// TestFieldInStrings checks that FieldIn gives what the normalisers give
// on their own, with and without a Strings, and that a string handed out
// from a slab is not changed by the ones handed out after it.
func TestFieldInStrings(t *testing.T) {
	n := newN("MY")
	var a Strings
	type kept struct{ field, in, want, got string }
	var all []kept
	for round := range 300 { // enough rounds to fill several slabs
		for name, cases := range positives {
			field, ok := fieldOf[name]
			if !ok {
				continue
			}
			for _, c := range cases {
				in := c.in
				if round%2 == 1 {
					in = strings.ToUpper(in) // a name, address or email now has to be rebuilt
				}
				want, werr := norms[name](n, in)
				plain, perr := n.Field(field, in)
				got, gerr := n.FieldIn(&a, field, in)
				if got != want || plain != want || gerr != werr || perr != werr { //nolint:errorlint // the fixed errors are compared by identity
					t.Fatalf("%s(%q): FieldIn %q, %v; Field %q, %v; %s %q, %v", field, in, got, gerr, plain, perr, name, want, werr)
				}
				all = append(all, kept{field, in, want, got})
			}
		}
	}
	for _, k := range all {
		if k.got != k.want {
			t.Fatalf("%s(%q): the slab string became %q, want %q", k.field, k.in, k.got, k.want)
		}
	}
	for _, neg := range negatives["name"] {
		if _, err := n.FieldIn(&a, "name", neg.in); err == nil {
			t.Errorf("FieldIn(name, %q) accepted", neg.in)
		}
	}
}

// TestStringsOf covers the slab itself: nil, empty, a string too big for
// a slab, and a slab boundary.
func TestStringsOf(t *testing.T) {
	var nilA *Strings
	if got := nilA.of([]byte("abc")); got != "abc" {
		t.Fatalf("nil Strings: %q", got)
	}
	var a Strings
	big := strings.Repeat("x", slabSize/8+1)
	var got []string
	var want []string
	for i := range 5000 {
		s := strconv.Itoa(i) + strings.Repeat("y", i%40)
		if i%1000 == 0 {
			s = big
		}
		if i%777 == 0 {
			s = ""
		}
		want = append(want, s)
		got = append(got, a.of([]byte(s)))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
}

// TestDateTable checks every date of the table against fmt, and the
// table's edges through Date.
func TestDateTable(t *testing.T) {
	for y := 1900; y < dateTableEnd; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= daysIn(y, m); d++ {
				if got, want := isoDate(y, m, d), fmt.Sprintf("%04d-%02d-%02d", y, m, d); got != want {
					t.Fatalf("isoDate(%d, %d, %d) = %q, want %q", y, m, d, got, want)
				}
			}
		}
	}
	late := New(Options{Now: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)})
	for in, want := range map[string]string{
		"1900-01-01": "1900-01-01", "31/12/2099": "2099-12-31", "2100-01-01": "2100-01-01", "1/2/2150": "2150-02-01",
	} {
		if got, err := late.Date(in); err != nil || got != want {
			t.Errorf("Date(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestGenderOf checks the direct comparisons against the map they
// short-cut.
func TestGenderOf(t *testing.T) {
	for _, w := range []string{"L", "M", "LELAKI", "MALE", "P", "F", "PEREMPUAN", "FEMALE", "LAKI LAKI", "PRIA", "WANITA", "0", "1", "2", "X", "", "MALES", "l"} {
		if got, want := genderOf([]byte(w)), genders[w]; got != want {
			t.Errorf("genderOf(%q) = %d, want %d", w, got, want)
		}
	}
	for w, want := range genders {
		if got := genderOf([]byte(w)); got != want {
			t.Errorf("genderOf(%q) = %d, want %d", w, got, want)
		}
	}
}

// FuzzFastPaths is TestFastPathsMatchReference for the fuzzer.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"Ahmad bin Ali", "No. 12-3A, Jln Ampang, 50450 KL", "Dato\u2019 Sri Tan", "ﬁtri\u00a0a/l x", "\xff"} {
		f.Add(s)
	}
	n := newN("MY")
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := n.Name(s)
		want, werr := refName(s)
		if got != want || gerr != werr { //nolint:errorlint // the fixed errors are compared by identity
			t.Fatalf("Name(%q) = %q, %v; reference %q, %v", s, got, gerr, want, werr)
		}
		ga, gerr := n.Address(s)
		wa, werr := refAddress(s)
		if ga != wa || gerr != werr { //nolint:errorlint // as above
			t.Fatalf("Address(%q) = %+v, %v; reference %+v, %v", s, ga, gerr, wa, werr)
		}
	})
}
