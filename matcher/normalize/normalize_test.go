package normalize

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// now pins the reference date of every test: two-digit years up to 26 are
// 20xx, and anything after 2026-11-23 is in the future.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newN(region string) *Normalizer { return New(Options{Now: now, Region: region}) }

type pos struct{ in, want string }
type neg struct{ in, reason string }

// norms runs each normaliser as a string function, so that the positive,
// negative and privacy tests can share their tables.
var norms = map[string]func(n *Normalizer, s string) (string, error){
	"mykad":    func(n *Normalizer, s string) (string, error) { k, err := n.MyKad(s); return k.Number, err },
	"nik":      func(n *Normalizer, s string) (string, error) { k, err := n.NIK(s); return k.Number, err },
	"phone":    func(n *Normalizer, s string) (string, error) { return n.Phone(s) },
	"phone-id": func(n *Normalizer, s string) (string, error) { return newN("ID").Phone(s) },
	"email":    func(n *Normalizer, s string) (string, error) { return n.Email(s) },
	"name":     func(n *Normalizer, s string) (string, error) { return n.Name(s) },
	"date":     func(n *Normalizer, s string) (string, error) { return n.Date(s) },
	"gender":   func(n *Normalizer, s string) (string, error) { return n.Gender(s) },
	"address":  func(n *Normalizer, s string) (string, error) { a, err := n.Address(s); return a.Text, err },
	"postcode": func(n *Normalizer, s string) (string, error) { return n.Postcode(s) },
	"state":    func(n *Normalizer, s string) (string, error) { return n.State(s) },
}

var positives = map[string][]pos{
	"mykad": {
		{"850101-14-5673", "850101145673"},
		{"850101 14 5673", "850101145673"},
		{"850101145673", "850101145673"},
		{"'850101145673", "850101145673"},
		{"  850101-14-5674\t", "850101145674"},
		{"850101\u201314\u20135673", "850101145673"}, // en dashes from a word processor
		{"000229-10-1234", "000229101234"},           // 29 Feb 2000
		{"850101-01-5673", "850101015673"},
		{"850101-16-5673", "850101165673"},
		{"850101-21-5673", "850101215673"},
		{"850101-59-5673", "850101595673"},
		{"850101-60-5673", "850101605673"},
		{"850101-71-5673", "850101715673"},
		{"850101-98-5673", "850101985673"},
		{"850101-99-5673", "850101995673"},
		{"261123-10-1235", "261123101235"}, // born today
		{"270101-10-1235", "270101101235"}, // 1927
	},
	"nik": {
		{"3171011505900001", "3171011505900001"},
		{"3171.0115.0590.0001", "3171011505900001"},
		{"3171 0115 0590 0001", "3171011505900001"},
		{"317101-150590-0001", "3171011505900001"},
		{"'3171011505900001", "3171011505900001"},
		{"3171015505900002", "3171015505900002"}, // woman, 15 + 40
		{"1101014101850001", "1101014101850001"}, // woman born on the 1st
		{"9601017101850001", "9601017101850001"}, // woman born on the 31st
		{"3201016902000003", "3201016902000003"}, // woman, 29 Feb 2000
		{"5101012912990009", "5101012912990009"},
		{"3171010101260001", "3171010101260001"}, // 2026
		{"3171010101270001", "3171010101270001"}, // 1927
		{"8201010101800001", "8201010101800001"},
	},
	"phone": {
		{"+60 12-345 6789", "+60123456789"},
		{"+60123456789", "+60123456789"},
		{"012-3456789", "+60123456789"},
		{"0123456789", "+60123456789"},
		{"'0123456789", "+60123456789"},
		{"60123456789", "+60123456789"},
		{"0060123456789", "+60123456789"},
		{"+60 012-345 6789", "+60123456789"},
		{"123456789", "+60123456789"}, // leading 0 lost in a spreadsheet
		{"012.345.6789", "+60123456789"},
		{"011-2345 6789", "+601123456789"},
		{"6011 2345 6789", "+601123456789"},
		{"(03) 2123 4567", "+60321234567"},
		{"03-2123 4567", "+60321234567"},
		{"04-123 4567", "+6041234567"},
		{"09-765 4321", "+6097654321"},
		{"082-123456", "+6082123456"},
		{"088 123 456", "+6088123456"},
		{"019-2345 6789", "+601923456789"}, // slow path: ten-digit 019
		{"1300 88 1234", "+601300881234"},  // slow path: toll-free
		{"+62 812-3456-7890", "+6281234567890"},
		{"62812 3456 7890", "+6281234567890"},
		{"+65 6123 4567", "+6561234567"}, // slow path: Singapore
		{"０１２３４５６７８９", "+60123456789"},
	},
	"phone-id": {
		{"0812 3456 7890", "+6281234567890"},
		{"0812-345-678", "+62812345678"},
		{"081234567890", "+6281234567890"},
		{"+62 812-3456-7890", "+6281234567890"},
		{"62812 3456 7890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"'0857 1234 5678", "+6285712345678"},
		{"81234567890", "+6281234567890"},
		{"(021) 1234 5678", "+622112345678"}, // slow path: Jakarta landline
		{"+60 12-345 6789", "+60123456789"},
		{"60123456789", "+60123456789"},
	},
	"email": {
		{"Ahmad.Ali+tag@Example.COM", "ahmad.ali+tag@example.com"},
		{"  a.b@c.co  ", "a.b@c.co"},
		{"mailto:A@B.co", "a@b.co"},
		{"MAILTO:a@b.co", "a@b.co"},
		{"<a@b.co>", "a@b.co"},
		{"Ahmad Ali <Ahmad@Example.com.my>", "ahmad@example.com.my"},
		{"ÄBC@Example.com", "äbc@example.com"},
		{"a@b.co", "a@b.co"},
	},
	"name": {
		{"AHMAD BIN ABDULLAH", "abdullah ahmad"},
		{"Abdullah Ahmad", "abdullah ahmad"},
		{"ahmad  b. abdullah", "abdullah ahmad"},
		{"Ahmad\u00a0bin Abdullah", "abdullah ahmad"},
		{"ahmad b.abdullah", "abdullah ahmad"},
		{"abdullah ahmad", "abdullah ahmad"},
		{"Muthu a/l Rajan", "muthu rajan"},
		{"MUTHU A/L RAJAN", "muthu rajan"},
		{"RAJAN MUTHU", "muthu rajan"},
		{"Muthu s/o Rajan", "muthu rajan"},
		{"Devi a/p Rajan", "devi rajan"},
		{"Tan Ah Kow", "ah kow tan"},
		{"Tan Ah-Kow", "ah kow tan"},
		{"Dato' Sri Ahmad bin Abdullah", "abdullah ahmad"},
		{"Dato\u2019 Ahmad bin Abdullah", "abdullah ahmad"},
		{"Tan Sri Muhyiddin", "muhyiddin"},
		{"Puan Sri Devi", "devi"},
		{"Dr. Siti Nurhaliza binti Tarudin", "nurhaliza siti tarudin"},
		{"Hjh Fatimah bt Hj Osman", "fatimah osman"},
		{"Siti Aminah Bte Ismail", "aminah ismail siti"},
		{"O'Neil John", "john oneil"},
		{"Ahmad @ Mat bin Ali", "ahmad ali mat"},
		{"Ahmad@Mat", "ahmad mat"},
		{"Siti\u3000Aminah", "aminah siti"},
		{"Siti\u2003Aminah", "aminah siti"},
		{"Siti\u202fAminah", "aminah siti"},
		{"Siti\u200bAminah", "aminah siti"},
		{"Siti\tAminah", "aminah siti"},
		{"Ｓｉｔｉ Aminah", "aminah siti"},
		{"JOSÉ Ramos", "josé ramos"},
		{"Sri Mulyani", "mulyani sri"},
		{"Lee Chong Wei", "chong lee wei"},
		{"Mr. John Smith", "john smith"},
		{"Agent 47", "47 agent"},
	},
	"date": {
		{"2006-01-02", "2006-01-02"},
		{"2006/01/02", "2006-01-02"},
		{"2006-1-2", "2006-01-02"},
		{"02/01/2006", "2006-01-02"},
		{"02-01-2006", "2006-01-02"},
		{"02.01.2006", "2006-01-02"},
		{"2/1/06", "2006-01-02"},
		{"2/1/26", "2026-01-02"},
		{"2/1/27", "1927-01-02"},
		{"20060102", "2006-01-02"},
		{"02012006", "2006-01-02"},
		{"02 Jan 2006", "2006-01-02"},
		{"2 January 2006", "2006-01-02"},
		{"Jan 2, 2006", "2006-01-02"},
		{"2-JAN-06", "2006-01-02"},
		{"2006-01-02T15:04:05Z", "2006-01-02"},
		{"2006-01-02T15:04:05+08:00", "2006-01-02"},
		{"2006-01-02 15:04:05", "2006-01-02"},
		{"02/01/2006 10:30", "2006-01-02"},
		{"'02/01/2006", "2006-01-02"},
		{"01/13/2006", "2006-01-13"},
		{"13/01/2006", "2006-01-13"},
		{"29/02/2000", "2000-02-29"},
		{"1 Ogos 1985", "1985-08-01"},
		{"1 Ogo 1985", "1985-08-01"},
		{"17 Agustus 1945", "1945-08-17"},
		{"17 Agt 1945", "1945-08-17"},
		{"5 Mac 1990", "1990-03-05"},
		{"5 Maret 1990", "1990-03-05"},
		{"3 Mei 2001", "2001-05-03"},
		{"9 Julai 1999", "1999-07-09"},
		{"9 Juli 1999", "1999-07-09"},
		{"3 Okt. 2001", "2001-10-03"},
		{"25 Disember 1999", "1999-12-25"},
		{"25 DES 1999", "1999-12-25"},
		{"1 februari 1970", "1970-02-01"},
		{"23/11/2026", "2026-11-23"},
		{"1900-01-01", "1900-01-01"},
		{"2 Jan 2006", "2006-01-02"},
		{"2006 Jan 02", "2006-01-02"},
	},
	"gender": {
		{"M", "M"}, {"f", "F"}, {" Male ", "M"}, {"FEMALE", "F"}, {"L", "M"}, {"p", "F"},
		{"Lelaki", "M"}, {"PEREMPUAN", "F"}, {"Laki-laki", "M"}, {"LAKI LAKI", "M"},
		{"Pria", "M"}, {"wanita", "F"}, {"man", "M"}, {"Woman", "F"}, {"M.", "M"},
	},
	"address": {
		{"No. 12, Jln Bukit Bintang, 55100 Kuala Lumpur", "no 12 jalan bukit bintang 55100 kuala lumpur"},
		{"12-3A, Tmn Melawati, Kg. Baru, 53100 KL", "12-3a taman melawati kampung baru 53100 kl"},
		{"Jl. Sudirman No. 5, Gg. Mawar, Kec. Tanah Abang, Kab. Bogor", "jalan sudirman no 5 gang mawar kecamatan tanah abang kabupaten bogor"},
		{"Lot 1234-B, Sg. Buloh", "lot 1234-b sungai buloh"},
		{"Blok A-12-3, Lrg 3/4, Bdr Baru Bangi", "blok a-12-3 lorong 3/4 bandar baru bangi"},
		{"Jalan\u00a0Ampang,  Kuala-Lumpur", "jalan ampang kuala lumpur"},
		{"Kpg. Dato' Keramat", "kampung dato keramat"},
		{"no 12 jalan bukit bintang 55100 kuala lumpur", "no 12 jalan bukit bintang 55100 kuala lumpur"},
	},
	"postcode": {
		{"50450", "50450"}, {"'01000", "01000"}, {" 98859 ", "98859"}, {"10220", "10220"},
	},
	"state": {
		{"Johor", "johor"}, {"Johor Darul Takzim", "johor"}, {"JHR", "johor"}, {"Johor Darul Ta'zim", "johor"},
		{"Kedah", "kedah"}, {"Kelantan", "kelantan"},
		{"Malacca", "melaka"}, {"MLK", "melaka"},
		{"N. Sembilan", "negeri sembilan"}, {"N9", "negeri sembilan"}, {"NS", "negeri sembilan"}, {"Negeri Sembilan", "negeri sembilan"},
		{"Pahang", "pahang"}, {"Penang", "pulau pinang"}, {"P. Pinang", "pulau pinang"}, {"PP", "pulau pinang"},
		{"Perak", "perak"}, {"Perlis", "perlis"}, {"Sabah", "sabah"}, {"Sarawak", "sarawak"},
		{"SGR", "selangor"}, {"Selangor Darul Ehsan", "selangor"}, {"selangor", "selangor"},
		{"Trengganu", "terengganu"}, {"TERENGGANU", "terengganu"},
		{"Kuala Lumpur", "wp kuala lumpur"}, {"KL", "wp kuala lumpur"}, {"W.P. Kuala Lumpur", "wp kuala lumpur"},
		{"Wilayah Persekutuan Kuala Lumpur", "wp kuala lumpur"}, {"wp kuala lumpur", "wp kuala lumpur"},
		{"Labuan", "wp labuan"}, {"W.P. Labuan", "wp labuan"}, {"Putrajaya", "wp putrajaya"},
		{"DKI Jakarta", "dki jakarta"}, {"Jakarta", "dki jakarta"}, {"Jawa Barat", "jawa barat"}, {"Jabar", "jawa barat"},
		{"Provinsi Jawa Tengah", "jawa tengah"}, {"Jatim", "jawa timur"}, {"Banten", "banten"},
		{"D.I. Yogyakarta", "di yogyakarta"}, {"DIY", "di yogyakarta"}, {"Yogyakarta", "di yogyakarta"},
		{"Bali", "bali"}, {"Sumut", "sumatera utara"}, {"Sumatera Barat", "sumatera barat"},
		{"Kepulauan Riau", "kepulauan riau"}, {"Riau", "riau"}, {"Bangka Belitung", "kepulauan bangka belitung"},
		{"Kalimantan Timur", "kalimantan timur"}, {"Sulawesi Tenggara", "sulawesi tenggara"},
		{"N.T.B.", "nusa tenggara barat"}, {"NTT", "nusa tenggara timur"}, {"Papua Barat", "papua barat"},
		{"Papua Pegunungan", "papua pegunungan"}, {"Maluku Utara", "maluku utara"}, {"Aceh", "aceh"},
	},
}

var negatives = map[string][]neg{
	"mykad": {
		{"", "empty"},
		{"  ", "empty"},
		{"850101-00-5673", "invalid place-of-birth code"},
		{"850101-17-5673", "invalid place-of-birth code"},
		{"850101-20-5673", "invalid place-of-birth code"},
		{"850101-69-5673", "invalid place-of-birth code"},
		{"850101-70-5673", "invalid place-of-birth code"},
		{"850101-73-5673", "invalid place-of-birth code"},
		{"850101-80-5673", "invalid place-of-birth code"},
		{"850101-81-5673", "invalid place-of-birth code"},
		{"850101-94-5673", "invalid place-of-birth code"},
		{"850101-97-5673", "invalid place-of-birth code"},
		{"850231-14-5673", "invalid date"},
		{"010229-14-5673", "invalid date"}, // 2001 is not a leap year
		{"851301-14-5673", "invalid date"},
		{"850100-14-5673", "invalid date"},
		{"261124-10-1234", "birth date in the future"},
		{"85010114567", "not 12 digits"},
		{"8501011456789", "not 12 digits"},
		{"85O101-14-5673", "invalid character"},
		{"850101/14/5673", "invalid character"},
		{"A1234567", "invalid character"},
	},
	"nik": {
		{"", "empty"},
		{"1071011505900001", "invalid province code"},
		{"2071011505900001", "invalid province code"},
		{"3771011505900001", "invalid province code"},
		{"5471011505900001", "invalid province code"},
		{"9771011505900001", "invalid province code"},
		{"0071011505900001", "invalid province code"},
		{"3171010005900001", "invalid date"},
		{"3171013205900001", "invalid date"},
		{"3171014005900001", "invalid date"},
		{"3171017205900001", "invalid date"},
		{"3171011513900001", "invalid date"},
		{"3171013102900001", "invalid date"}, // 31 Feb
		{"3171017102900001", "invalid date"}, // 31 Feb, woman
		{"3171012902010001", "invalid date"}, // 29 Feb 2001
		{"3171012412260001", "birth date in the future"},
		{"3171011505900000", "invalid serial"},
		{"317101150590000", "not 16 digits"},
		{"31710115059000011", "not 16 digits"},
		{"3171O11505900001", "invalid character"},
	},
	"phone": {
		{"", "empty"},
		{"12345", "too few digits"},
		{"+60 12", "too few digits"},
		{"012-345 6789 ext 12", "invalid character"},
		{"012-345678a", "invalid character"},
		{"++60123456789", "invalid character"},
		{"0123+456789", "invalid character"},
		{"012345678901234567890123", "too many digits"},
		{"+601234567890123456", "too many digits"},
		{"0000000000", "invalid number"},
		{"0812 3456 7890", "invalid number"}, // Indonesian form under MY
		{"+999 123456789", "invalid number"},
		{"01234567", "invalid number"},
		{"phone number", "invalid character"},
	},
	"phone-id": {
		{"0123456789", "invalid number"},
		{"0812", "too few digits"},
		{"0812 3456 7890 1234 5678", "too many digits"},
	},
	"email": {
		{"", "empty"},
		{"mailto:", "empty"},
		{"ahmad", "not an email"},
		{"@example.com", "empty local part"},
		{"ahmad@example", "invalid domain"},
		{"ahmad@.example.com", "invalid domain"},
		{"ahmad@example..com", "invalid domain"},
		{"ahmad@example.com.", "invalid domain"},
		{"ahmad@exa_mple.com", "invalid domain"},
		{"ahmad ali@example.com", "contains space"},
		{"ahmad\u00a0ali@example.com", "contains space"},
		{"ahmad@@example.com", "more than one @"},
		{"ahmad@ali@example.com", "more than one @"},
		{"ahmad@example.com>", "not an email"},
	},
	"name": {
		{"", "empty"},
		{"   ", "empty"},
		{"---", "empty"},
		{"\u00a0\u3000", "empty"},
		{"12345", "no letters"},
		{"123 456", "no letters"},
		{"850101-14-5673", "no letters"},
		{"Bin", "only titles or connectors"},
		{"Dato' Sri", "only titles or connectors"},
		{"A/L", "empty"},
		{"@", "empty"},
		{"Encik Bin", "only titles or connectors"},
		{strings.Repeat("ahmad ", 200), "too long"},
	},
	"date": {
		{"", "empty"},
		{"31/02/2006", "invalid date"},
		{"29/02/2001", "invalid date"},
		{"13/13/2006", "invalid date"},
		{"2006-13-01", "invalid date"},
		{"2006-02-30", "invalid date"},
		{"00/01/2006", "invalid date"},
		{"1899-12-31", "year out of range"},
		{"24/11/2026", "in the future"},
		{"2/12/26", "in the future"},
		{"2099-01-01", "in the future"},
		{"Foo 2, 2006", "unknown month"},
		{"2 Janvier 2006", "unknown month"},
		{"2006", "unknown format"},
		{"02/01", "unknown format"},
		{"02/01/2006/05", "unknown format"},
		{"2006-01-02x", "unknown format"},
		{"2/1/6", "unknown format"},
		{"02/01/20061", "unknown format"},
		{"02#01#2006", "unknown format"},
		{"Jan Feb 2006", "unknown format"},
		{"2006-01-02 foo", "unknown format"},
	},
	"gender": {
		{"", "empty"},
		{"1", "ambiguous code"},
		{"2", "ambiguous code"},
		{"X", "unknown gender"},
		{"LAKI2", "unknown gender"},
		{"Lelaki?", "unknown gender"},
		{"Perempuan perempuan perempuan", "unknown gender"},
	},
	"address": {
		{"", "empty"},
		{"   ", "empty"},
		{",,, ..", "empty"},
	},
	"postcode": {
		{"", "empty"},
		{"5045", "not 5 digits"},
		{"504500", "not 5 digits"},
		{"5O450", "not 5 digits"},
		{"00000", "all zeros"},
	},
	"state": {
		{"", "empty"},
		{"Kalimantan", "unknown state"},
		{"Singapore", "unknown state"},
		{"Wilayah Persekutuan", "unknown state"},
		{"Bangsar South", "unknown state"},
	},
}

func TestPositives(t *testing.T) {
	n := newN("MY")
	for field, cases := range positives {
		for _, c := range cases {
			t.Run(field+"/"+c.in, func(t *testing.T) {
				got, err := norms[field](n, c.in)
				if err != nil {
					t.Fatalf("%q: unexpected error %v", c.in, err)
				}
				if got != c.want {
					t.Fatalf("%q: got %q, want %q", c.in, got, c.want)
				}
				// Every canonical form normalises to itself.
				again, err := norms[field](n, got)
				if err != nil || again != got {
					t.Fatalf("%q: not idempotent: %q -> %q, %v", c.in, got, again, err)
				}
			})
		}
	}
}

func TestNegatives(t *testing.T) {
	n := newN("MY")
	for field, cases := range negatives {
		for _, c := range cases {
			t.Run(field+"/"+c.in, func(t *testing.T) {
				got, err := norms[field](n, c.in)
				if err == nil {
					t.Fatalf("%q: got %q, want error %q", c.in, got, c.reason)
				}
				var inv Invalid
				if !errors.As(err, &inv) {
					t.Fatalf("%q: error %T is not an Invalid", c.in, err)
				}
				if inv.Reason != c.reason {
					t.Fatalf("%q: reason %q, want %q", c.in, inv.Reason, c.reason)
				}
				if got != "" {
					t.Fatalf("%q: got %q along with an error", c.in, got)
				}
			})
		}
	}
}

// TestErrorsNeverQuoteInput enforces the privacy rule: no error message
// holds the value. Values of three characters or fewer are skipped: they
// could match a reason by coincidence.
func TestErrorsNeverQuoteInput(t *testing.T) {
	n := newN("MY")
	check := func(field, in string, err error) {
		t.Helper()
		trimmed := strings.TrimSpace(in)
		if err == nil || len(trimmed) <= 3 {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, in) || strings.Contains(msg, trimmed) {
			t.Errorf("%s: error %q quotes its input", field, msg)
		}
	}
	for field, cases := range negatives {
		for _, c := range cases {
			_, err := norms[field](n, c.in)
			check(field, c.in, err)
			_, err = n.Field(field, c.in)
			check(field, c.in, err)
		}
	}
}

func TestMyKadDetails(t *testing.T) {
	n := newN("")
	tests := []struct {
		in      string
		birth   string
		place   string
		female  bool
		foreign bool
	}{
		{"850101-14-5673", "1985-01-01", "14", false, false},
		{"850101-14-5674", "1985-01-01", "14", true, false},
		{"000229-10-1234", "2000-02-29", "10", true, false},
		{"260101-71-0001", "2026-01-01", "71", false, true},
		{"991231-60-0002", "1999-12-31", "60", true, true},
		{"270615-59-0003", "1927-06-15", "59", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			k, err := n.MyKad(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Birth.Format("2006-01-02"); got != tc.birth {
				t.Errorf("birth %s, want %s", got, tc.birth)
			}
			if k.PlaceCode != tc.place || k.Female != tc.female || k.Foreign != tc.foreign {
				t.Errorf("got %+v", k)
			}
		})
	}
}

func TestNIKDetails(t *testing.T) {
	n := newN("ID")
	tests := []struct {
		in, province, birth string
		female              bool
	}{
		{"3171011505900001", "31", "1990-05-15", false},
		{"3171015505900002", "31", "1990-05-15", true},
		{"3201016902000003", "32", "2000-02-29", true},
		{"1101010101260001", "11", "2026-01-01", false},
		{"1101010101270001", "11", "1927-01-01", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			k, err := n.NIK(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if k.Province != tc.province || k.Female != tc.female || k.Birth.Format("2006-01-02") != tc.birth {
				t.Errorf("got %+v", k)
			}
		})
	}
}

func TestAddressPostcode(t *testing.T) {
	n := newN("")
	tests := []struct{ in, postcode string }{
		{"No. 12, Jln Bukit Bintang, 55100 Kuala Lumpur", "55100"},
		{"Jl. Sudirman No. 5, Jakarta 10220", "10220"},
		{"Lot 1234-B, Sg. Buloh", ""},
		{"10 Jalan 3, 00000", ""},
		{"PO Box 12345, 50450 KL", "50450"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, err := n.Address(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.Postcode != tc.postcode {
				t.Errorf("postcode %q, want %q (text %q)", a.Postcode, tc.postcode, a.Text)
			}
		})
	}
}

func TestPlaceCodes(t *testing.T) {
	for _, tc := range []struct {
		code, state string
		valid       bool
	}{
		{"01", "johor", true}, {"24", "johor", true}, {"05", "negeri sembilan", true}, {"59", "negeri sembilan", true},
		{"07", "pulau pinang", true}, {"14", "wp kuala lumpur", true}, {"57", "wp kuala lumpur", true},
		{"15", "wp labuan", true}, {"16", "wp putrajaya", true}, {"53", "sarawak", true},
		{"60", "", true}, {"71", "", true}, {"98", "", true}, {"99", "", true},
		{"00", "", false}, {"17", "", false}, {"20", "", false}, {"69", "", false}, {"70", "", false},
		{"73", "", false}, {"80", "", false}, {"81", "", false}, {"94", "", false}, {"97", "", false},
		{"1", "", false}, {"101", "", false}, {"a1", "", false}, {"", "", false},
	} {
		state, ok := StateOfPlaceCode(tc.code)
		if state != tc.state || ok != (tc.state != "") {
			t.Errorf("StateOfPlaceCode(%q) = %q, %v", tc.code, state, ok)
		}
		if got := ValidPlaceCode(tc.code); got != tc.valid {
			t.Errorf("ValidPlaceCode(%q) = %v", tc.code, got)
		}
		// Every state code's state is a name State accepts as canonical.
		if ok {
			if c, err := newN("").State(state); err != nil || c != state {
				t.Errorf("State(%q) = %q, %v", state, c, err)
			}
		}
	}
}

func TestField(t *testing.T) {
	n := newN("")
	for _, tc := range []struct{ field, in, want string }{
		{"ic", "850101-14-5673", "850101145673"},
		{"nik", "3171.0115.0590.0001", "3171011505900001"},
		{"name", "AHMAD BIN ABDULLAH", "abdullah ahmad"},
		{"phone", "012-3456789", "+60123456789"},
		{"email", "A@B.co", "a@b.co"},
		{"dob", "02/01/2006", "2006-01-02"},
		{"gender", "Lelaki", "M"},
		{"address", "Jln Ampang", "jalan ampang"},
		{"postcode", "'01000", "01000"},
		{"state", "KL", "wp kuala lumpur"},
		{"employer", "\u00a0ACME  Sdn\u3000Bhd ", "ACME  Sdn Bhd"},
		{"member_no", " A-123 ", "A-123"},
	} {
		got, err := n.Field(tc.field, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Field(%q, %q) = %q, %v; want %q", tc.field, tc.in, got, err, tc.want)
		}
	}
	if _, err := n.Field("employer", " \u00a0 "); err == nil || err.Error() != "employer: empty" {
		t.Errorf("blank generic field: %v", err)
	}
	if _, err := n.Field("ic", "850101-00-5673"); err == nil || err.Error() != "mykad: invalid place-of-birth code" {
		t.Errorf("ic: %v", err)
	}
}

func TestInvalidAs(t *testing.T) {
	_, err := newN("").Phone("12")
	var p *Invalid
	if !errors.As(err, &p) || p.Field != "phone" || p.Reason != "too few digits" {
		t.Fatalf("errors.As(*Invalid): %v %+v", err, p)
	}
	var v Invalid
	if !errors.As(err, &v) || v.Reason != "too few digits" {
		t.Fatalf("errors.As(Invalid): %v %+v", err, v)
	}
	if err.Error() != "phone: too few digits" {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestDefaults(t *testing.T) {
	n := New(Options{})
	if n.region != "MY" {
		t.Errorf("default region %q", n.region)
	}
	if got, err := n.Phone("0123456789"); err != nil || got != "+60123456789" {
		t.Errorf("Phone = %q, %v", got, err)
	}
	if got, err := New(Options{Region: "id"}).Phone("0812 3456 7890"); err != nil || got != "+6281234567890" {
		t.Errorf("Phone(ID) = %q, %v", got, err)
	}
}

// TestNoAllocs pins the fast paths: a value already in canonical form and
// a rejected value cost no allocation.
func TestNoAllocs(t *testing.T) {
	n := newN("MY")
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"mykad", func() { _, _ = n.MyKad("850101145673") }},
		{"mykad-bad", func() { _, _ = n.MyKad("850101-00-5673") }},
		{"nik", func() { _, _ = n.NIK("3171011505900001") }},
		{"phone", func() { _, _ = n.Phone("+60123456789") }},
		{"phone-bad", func() { _, _ = n.Phone("12a") }},
		{"name", func() { _, _ = n.Name("abdullah ahmad") }},
		{"date", func() { _, _ = n.Date("2006-01-02") }},
		{"date-bad", func() { _, _ = n.Date("31/02/2006") }},
		{"gender", func() { _, _ = n.Gender("Lelaki") }},
		{"state", func() { _, _ = n.State("Selangor Darul Ehsan") }},
		{"address", func() { _, _ = n.Address("no 12 jalan ampang 50450 kuala lumpur") }},
		{"email", func() { _, _ = n.Email("a@b.co") }},
	} {
		if a := testing.AllocsPerRun(100, tc.f); a != 0 {
			t.Errorf("%s: %v allocs per run", tc.name, a)
		}
	}
}

// TestUnicodeIdempotence covers the inputs where folding, NFKC and
// dropping apostrophes interact, which short fuzz runs rarely reach.
func TestUnicodeIdempotence(t *testing.T) {
	n := newN("")
	for _, s := range []string{
		"a'\u0301b", "Straße", "İSTANBUL", "ǅemal", "ﬁtri", "a\u0345b", "Ⅻ Ali", "ΟΔΥΣΣΕΥΣ", "x.\u0301y",
		"Dato\u2019 Ali", "ﾊﾝｶｸ", "１２３ Jalan", "e\u0301\u0301", "\u00b4a", "Ahmad\u200bbin\u200bAli", "ǰ\u0323",
	} {
		for _, f := range []string{"name", "address"} {
			out, err := norms[f](n, s)
			if err != nil {
				continue
			}
			if again, err := norms[f](n, out); err != nil || again != out {
				t.Errorf("%s(%q) = %q, then %q, %v", f, s, out, again, err)
			}
		}
	}
}

// TestConcurrent shares one Normalizer between goroutines, as a job does;
// run it with -race.
func TestConcurrent(t *testing.T) {
	n := newN("MY")
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for field, cases := range positives {
				for _, c := range cases {
					if got, err := norms[field](n, c.in); err != nil || got != c.want {
						t.Errorf("%s(%q) = %q, %v", field, c.in, got, err)
					}
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
