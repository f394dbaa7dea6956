package normalize

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzN is shared by the fuzz targets; a Normalizer is safe for concurrent
// use, and the fuzzer's workers exercise that too.
var fuzzN = newN("MY")

// checkErr fails unless err is one of the fixed, preallocated errors: the
// structural form of the privacy rule, which holds whatever the input.
func checkErr(t *testing.T, err error) {
	t.Helper()
	for _, k := range knownErrors {
		if err == k { //nolint:errorlint // identity with the fixed errors is the point
			return
		}
	}
	t.Fatalf("error %q is not one of the fixed errors", err)
}

func FuzzMyKad(f *testing.F) {
	for _, s := range []string{"850101-14-5673", "'850101145673", "000229 10 1234", "850101-00-5673", "261124-10-1234", "８５０１０１１４５６７３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := fuzzN.MyKad(s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(k.Number) != 12 || !allDigits(k.Number) || !ValidPlaceCode(k.PlaceCode) || k.PlaceCode != k.Number[6:8] {
			t.Fatalf("bad result %+v", k)
		}
		if _, ok := StateOfPlaceCode(k.PlaceCode); ok == k.Foreign {
			t.Fatalf("foreign flag wrong: %+v", k)
		}
		k2, err := fuzzN.MyKad(k.Number)
		if err != nil || k2 != k {
			t.Fatalf("not idempotent: %+v -> %+v, %v", k, k2, err)
		}
	})
}

func FuzzNIK(f *testing.F) {
	for _, s := range []string{"3171011505900001", "3171.0115.0590.0001", "3201016902000003", "3171011505900000", "1071011505900001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := fuzzN.NIK(s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(k.Number) != 16 || !allDigits(k.Number) || k.Province != k.Number[:2] {
			t.Fatalf("bad result %+v", k)
		}
		k2, err := fuzzN.NIK(k.Number)
		if err != nil || k2 != k {
			t.Fatalf("not idempotent: %+v -> %+v, %v", k, k2, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+60 12-345 6789", "012-3456789", "(03) 2123 4567", "+62 812-3456-7890", "0812 3456 7890", "1300 88 1234", "+65 6123 4567", "0060123456789"} {
		f.Add(s)
	}
	idN := newN("ID")
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range []*Normalizer{fuzzN, idN} {
			e, err := n.Phone(s)
			if err != nil {
				checkErr(t, err)
				continue
			}
			if len(e) < 8 || len(e) > 16 || e[0] != '+' || !allDigits(e[1:]) {
				t.Fatalf("not E.164: %q", e)
			}
			// E.164 is unambiguous, so the region must not matter.
			for _, m := range []*Normalizer{fuzzN, idN} {
				if e2, err := m.Phone(e); err != nil || e2 != e {
					t.Fatalf("not idempotent: %q -> %q, %v", e, e2, err)
				}
			}
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2006-01-02", "02/01/2006", "2/1/06", "20060102", "02 Jan 2006", "Jan 2, 2006", "17 Agustus 1945", "1 Ogos 1985", "2006-01-02T15:04:05Z", "31/02/2006"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := fuzzN.Date(s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(d) != 10 || d[4] != '-' || d[7] != '-' || d < "1900-01-01" || d > "2026-11-23" {
			t.Fatalf("bad date %q", d)
		}
		if d2, err := fuzzN.Date(d); err != nil || d2 != d {
			t.Fatalf("not idempotent: %q -> %q, %v", d, d2, err)
		}
	})
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"AHMAD BIN ABDULLAH", "Muthu a/l Rajan", "Ahmad\u00a0bin Abdullah", "Dato' Sri Tan Ah Kow", "O'Neil", "Ahmad @ Mat", "Ｓｉｔｉ Aminah", "JOSÉ Ramos"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := fuzzN.Name(s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if !utf8.ValidString(out) || out == "" || strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Fatalf("bad name %q", out)
		}
		toks := strings.Split(out, " ")
		for i := 1; i < len(toks); i++ {
			if toks[i] < toks[i-1] {
				t.Fatalf("tokens not sorted: %q", out)
			}
		}
		if out2, err := fuzzN.Name(out); err != nil || out2 != out {
			t.Fatalf("not idempotent: %q -> %q, %v", out, out2, err)
		}
	})
}

func FuzzAddress(f *testing.F) {
	for _, s := range []string{"No. 12, Jln Bukit Bintang, 55100 Kuala Lumpur", "12-3A, Tmn Melawati", "Jl. Sudirman No. 5, RT 01/RW 02, Jakarta 10220", "Lot 1234-B, Sg. Buloh", "Kpg. Dato' Keramat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := fuzzN.Address(s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if a.Text == "" || strings.TrimSpace(a.Text) != a.Text || strings.Contains(a.Text, "  ") {
			t.Fatalf("bad address %q", a.Text)
		}
		if a.Postcode != "" && (len(a.Postcode) != 5 || !allDigits(a.Postcode) || !strings.Contains(a.Text, a.Postcode)) {
			t.Fatalf("bad postcode %q in %q", a.Postcode, a.Text)
		}
		if a2, err := fuzzN.Address(a.Text); err != nil || a2 != a {
			t.Fatalf("not idempotent: %+v -> %+v, %v", a, a2, err)
		}
	})
}

// TestReasons keeps the reasons countable: short lower-case phrases.
func TestReasons(t *testing.T) {
	for _, err := range knownErrors {
		var inv Invalid
		if !errors.As(err, &inv) {
			t.Fatalf("%v is not an Invalid", err)
		}
		if inv.Reason == "" || len(inv.Reason) > 40 || strings.ToLower(inv.Reason) != inv.Reason {
			t.Errorf("reason %q", inv.Reason)
		}
	}
}
