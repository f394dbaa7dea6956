package export

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedactMasks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"MyKad 850101-14-5673 bocor", "MyKad [mykad] bocor"},
		{"MyKad 850101 14 5673", "MyKad [mykad]"},
		{"ic 850101145673,", "ic [number],"},
		{"NIK 3171234567890123 Budi", "NIK [number] Budi"},
		{"call +60 12-345 6789 now", "call [phone] now"},
		{"wa +62 812-3456-7890", "wa [phone]"},
		{"tel 012-345 6789", "tel [phone]"},
		{"tel 03-1234 5678", "tel [phone]"},
		{"hp 0812-3456-7890.", "hp [phone]."},
		{"hp 0123456789", "hp [phone]"},
		{"hubungi 60123456789", "hubungi [phone]"},
		{"mail siti.test@example.com!", "mail [email]!"},
		{"x <budi_99+leak@mail.example.co.id>", "x <[email]>"},
		{"card 4111 1111 1111 1111 exp", "card [number] exp"},
		{"acc 123456789012345678", "acc [number]"},
		{"NIK3171234567890123 Budi", "NIK[number] Budi"},
		{"id 3171234567890123abc", "id [number]abc"},
		// Inside a token, but a short one or not all hex: still masked.
		{"ic a880101145678b", "ic a[number]b"},
		{"zz05EAE0D1443663664277288F37DA1B2C3D4E5F6A7B8C9D", "zz05EAE0D[number]F37DA1B2C3D4E5F6A7B8C9D"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactKeeps(t *testing.T) {
	for _, in := range []string{
		"Data pelanggan Maybank bocor 2023 — 1.2 juta rekod",
		"Bocoran data BPJS Kesehatan 279.000.000 penduduk (2021)",
		"data 2019-2023, posted 2024-03-05 10:14 UTC",
		"years 2019 2020 2021 2022",
		"price 1500 USD or 0.05 BTC, 3 TB, 12 columns",
		"1,200,000 records",
		"Deadline 2024-03-09 00:00 UTC.",
		"thread 88123 post 991",
		"tox:76A1B2C3D4E5F6 telegram:@kaizen_sales",
		"+5 reputation",
		// Digits inside a longer token: a Session id, a SHA-256 in hex.
		"session:05EAE0D1443663664277288F37DA1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F",
		"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	} {
		if got := Redact(in); got != in {
			t.Errorf("Redact(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("  a\n\n b\tc  "); got != "a b c" {
		t.Errorf("%q", got)
	}
	long := strings.Repeat("kata ", 300)
	got := Excerpt(long)
	if n := utf8.RuneCountInString(got); n > ExcerptLen+1 || n < ExcerptLen-5 || !strings.HasSuffix(got, "…") {
		t.Errorf("excerpt of %d runes: %q", n, got)
	}
	// Redaction happens before the cut: a number straddling character 500
	// is masked, not left half visible.
	body := strings.Repeat("x", 495) + " 850101145673 " + strings.Repeat("y", 10)
	got = Excerpt(body)
	if strings.Contains(got, "85010") {
		t.Errorf("half a MyKad survives: %q", got[len(got)-40:])
	}
	// Multi-byte text is cut on a character boundary.
	got = Excerpt(strings.Repeat("data bocor é ", 100))
	if !utf8.ValidString(got) {
		t.Error("invalid UTF-8")
	}
	// A huge body is not redacted in full, and the cut shows.
	got = Excerpt(strings.Repeat("z", 5000))
	if utf8.RuneCountInString(got) != ExcerptLen+1 {
		t.Errorf("%d runes", utf8.RuneCountInString(got))
	}
}

func TestExcerptDropsRows(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Jual data 2023. Contoh:\nSiti Test, 850101-14-5673, 012-345 6789\nAhmad Contoh, 850101145673, ahmad@example.com\nHarga 1500 USD.",
			"Jual data 2023. Contoh: [sample rows] Harga 1500 USD."},
		{"Sample:\nBudi Contoh | 3171234567890123 | Jakarta\nDM me.", "Sample: [sample row] DM me."},
		{"nama;nik;alamat\nBudi;3171234567890123;Jakarta", "nama;nik;alamat [sample row]"},
		// A number glued inside a short token still marks the row.
		{"Sample:\nBudi Santoso,a880101145678b,Jalan Ampang 12", "Sample: [sample row]"},
		// One masked thing in prose is masked, the line kept.
		{"Contact me on telegram or 012-345 6789 for the full dump.", "Contact me on telegram or [phone] for the full dump."},
		{"Data 2019-2023, 1.2M rows, names, phones", "Data 2019-2023, 1.2M rows, names, phones"},
	} {
		if got := Excerpt(tc.in); got != tc.want {
			t.Errorf("Excerpt(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
	// A row cut short at the look-ahead boundary is not shown.
	body := strings.Repeat("Siti Test, 850101-14-5673, siti@example.com\n", 60) + "Siti Test, 85010114"
	if got := Excerpt(body); strings.Contains(got, "8501") || strings.Contains(got, "Siti") {
		t.Errorf("%q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("Siti 850101-14-5673 +60 12-345 6789 siti@example.com 3171234567890123")
	f.Fuzz(func(t *testing.T, s string) {
		r := Redact(s)
		if digits := longestDigitRun(r); digits >= 12 {
			t.Fatalf("a run of %d digits survives in %q", digits, r)
		}
		if reEmail.MatchString(r) {
			t.Fatalf("an e-mail survives in %q", r)
		}
		e := Excerpt(s)
		if utf8.ValidString(s) && !utf8.ValidString(e) {
			t.Fatalf("invalid UTF-8 excerpt of valid input")
		}
		if utf8.RuneCountInString(e) > ExcerptLen+1 {
			t.Fatalf("excerpt of %d runes", utf8.RuneCountInString(e))
		}
	})
}

func longestDigitRun(s string) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
