package record

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := []struct {
		f    Field
		in   string
		want string
	}{
		{IC, "850101145673", "850101-**-***3"},
		{IC, "85010114567", "8***"}, // not a MyKad shape: generic mask
		{NIK, "3201014508900001", "3201***********1"},
		{Phone, "+60123456789", "+6012*****89"},
		{Phone, "+6012", "+***"},
		{Email, "ahmad.ali@gmail.com", "a***@gmail.com"},
		{Email, "no-at-sign", "n***"},
		{Name, "abdullah ahmad", "a*** a***"},
		{Name, "李 明", "李*** 明***"},
		{DOB, "1985-01-01", "1985-**-**"},
		{Gender, "F", "F"},
		{State, "selangor", "selangor"},
		{Postcode, "40000", "40***"},
		{Address, "no 1 jalan 2 taman 3 40000 shah alam", "*** 40000"},
		{Address, "no 1 jalan 2", "***"},
		{"password", "hunter2", "***"},
		{"salary", "3500", "3***"},
		{"salary", "", ""},
		{"employer", "\xffbad", "****"},
	}
	for _, tt := range tests {
		t.Run(string(tt.f)+" "+tt.in, func(t *testing.T) {
			if got := Mask(tt.f, tt.in); got != tt.want {
				t.Errorf("Mask(%s, %q) = %q, want %q", tt.f, tt.in, got, tt.want)
			}
		})
	}
}

func TestRecordPrintsMasked(t *testing.T) {
	var r Record
	r.Set(IC, "850101145673")
	r.Set(Name, "abdullah ahmad")
	r.Set(Phone, "+60123456789")
	r.Set("employer", "syarikat maju")
	r.Set("employer", "syarikat jaya") // replaces
	if got := r.Get("employer"); got != "syarikat jaya" {
		t.Fatalf("Get(employer) = %q", got)
	}
	if got := r.Get(Email); got != "" {
		t.Fatalf("Get(email) = %q, want empty", got)
	}
	if f := r.Fields(); len(f) != 3 || f[0] != IC || f[1] != Name || f[2] != Phone {
		t.Fatalf("Fields = %v", f)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("row", "record", r)
	for _, out := range []string{r.String(), buf.String()} {
		for _, raw := range []string{"850101145673", "abdullah", "ahmad", "123456789", "maju", "jaya"} {
			if strings.Contains(out, raw) {
				t.Errorf("%q carries %q", out, raw)
			}
		}
	}
	if want := "{ic:850101-**-***3 name:a*** a*** phone:+6012*****89 employer:s***}"; r.String() != want {
		t.Errorf("String = %q, want %q", r.String(), want)
	}
}

func TestSlot(t *testing.T) {
	for i, f := range Canonical {
		if Slot(f) != i || !IsCanonical(f) {
			t.Errorf("Slot(%s) = %d", f, Slot(f))
		}
	}
	if Slot("employer") != -1 || IsCanonical("employer") {
		t.Error("employer is not canonical")
	}
}
