// Package canary makes canary records: realistic, structurally valid
// people in a source's schema that belong to nobody, to be planted in an
// extract sent to a partner. If one turns up in a leak sample, the data
// passed through that partner.
//
// A canary must look like everyone else's record — a fabrication detector
// must not be able to pick it out, nor a seller — so MyKad place-of-birth
// codes follow the population's state shares (older cohorts with the
// 21–59 codes), ages are working-age heavy, names follow Malay, Chinese and
// Indian patterns, phones and postcodes are the usual forms. It must also
// collide with no real record: the caller passes a Taken check (the
// source's snapshots, by fingerprint) and a record whose anchor, phone or
// e-mail is taken is drawn again.
//
// The records are returned once, for the DPO to add to the extract; only
// their fingerprints are kept. This package never stores or logs them.
package canary

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/semak/semak/matcher/normalize"
)

// Options say how to make canaries.
type Options struct {
	Fields []string  // the source's fields, in order
	AsOf   time.Time // the extract's date: registrations and ages are before it
	Count  int
	// Formats give patterns for attributes the generator does not know
	// (FIELD → pattern: '#' a digit, 'A' a capital letter, anything else
	// itself), e.g. perkeso_no → "PKS#########".
	Formats map[string]string
	// Taken says whether a generated value of a field already belongs to
	// somebody (checked for the anchor, phone and email); nil checks
	// nothing.
	Taken func(field, value string) bool
	Rand  *rand.Rand
}

// Record is one canary: its values by field, in plaintext, as the extract
// will carry them.
type Record map[string]string

// Make returns opts.Count canaries. It fails when a field has no known
// generator and no format, naming it.
func Make(opts Options) ([]Record, error) {
	if opts.Count <= 0 {
		return nil, fmt.Errorf("canary: count must be at least 1")
	}
	if opts.Rand == nil {
		return nil, fmt.Errorf("canary: no random source")
	}
	for _, f := range opts.Fields {
		if _, ok := opts.Formats[f]; !ok && !known(f) {
			return nil, fmt.Errorf("canary: no generator for field %q: give its format with --format %s=PATTERN ('#' a digit, 'A' a letter), e.g. --format %s=MEM##########", f, f, f)
		}
	}
	norm := normalize.New(normalize.Options{Now: opts.AsOf})
	out := make([]Record, 0, opts.Count)
	seen := map[string]bool{}
	for tries := 0; len(out) < opts.Count; tries++ {
		if tries > 100*opts.Count+1000 {
			return nil, fmt.Errorf("canary: could not make %d records that collide with nobody after %d tries", opts.Count, tries)
		}
		p := person(opts.Rand, opts.AsOf, norm)
		rec := Record{}
		for _, f := range opts.Fields {
			if pat, ok := opts.Formats[f]; ok {
				rec[f] = fromPattern(opts.Rand, pat)
				continue
			}
			rec[f] = p.value(opts.Rand, f, opts.AsOf)
		}
		clash := false
		for _, f := range []string{"ic", "nik", "phone", "email"} {
			v, ok := rec[f]
			if !ok || v == "" {
				continue
			}
			if seen[f+v] || (opts.Taken != nil && opts.Taken(f, v)) {
				clash = true
				break
			}
		}
		if clash {
			continue
		}
		for _, f := range []string{"ic", "nik", "phone", "email"} {
			if v := rec[f]; v != "" {
				seen[f+v] = true
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

func known(f string) bool {
	switch f {
	case "ic", "name", "phone", "email", "dob", "gender", "address", "postcode", "state",
		"employer", "salary", "registered", "occupation", "city", "race", "religion", "nationality", "nominee":
		return true
	}
	return false
}

type personT struct {
	ic, name, given, phone, email, dob, gender, street, town, postcode, state string
}

// State shares of the population (DOSM 2020, rounded) with their
// place-of-birth codes (the 01–16 codes, and the older 21–59 ones) and
// postcode ranges.
var states = []struct {
	name     string
	share    float64
	codes    []int
	lo, hi   int
	towns    []string
	oldCodes []int
}{
	{"SELANGOR", 0.22, []int{10}, 40000, 48300, []string{"SHAH ALAM", "PETALING JAYA", "KLANG", "KAJANG"}, []int{41, 42, 43, 44}},
	{"JOHOR", 0.12, []int{1}, 79000, 86900, []string{"JOHOR BAHRU", "BATU PAHAT", "MUAR", "KLUANG"}, []int{21, 22, 23, 24}},
	{"SABAH", 0.10, []int{12}, 88000, 91309, []string{"KOTA KINABALU", "SANDAKAN", "TAWAU"}, []int{47, 48, 49}},
	{"PERAK", 0.077, []int{8}, 30000, 36810, []string{"IPOH", "TAIPING", "TELUK INTAN"}, []int{36, 37, 38, 39}},
	{"SARAWAK", 0.076, []int{13}, 93000, 98859, []string{"KUCHING", "MIRI", "SIBU"}, []int{50, 51, 52, 53}},
	{"W.P. KUALA LUMPUR", 0.06, []int{14}, 50000, 60000, []string{"KUALA LUMPUR", "CHERAS", "SETAPAK"}, []int{54, 55, 56, 57}},
	{"KEDAH", 0.06, []int{2}, 5000, 9810, []string{"ALOR SETAR", "SUNGAI PETANI", "KULIM"}, []int{25, 26, 27}},
	{"KELANTAN", 0.056, []int{3}, 15000, 18500, []string{"KOTA BHARU", "PASIR MAS"}, []int{28, 29}},
	{"PULAU PINANG", 0.054, []int{7}, 10000, 14400, []string{"GEORGE TOWN", "BUTTERWORTH", "BUKIT MERTAJAM"}, []int{34, 35}},
	{"PAHANG", 0.048, []int{6}, 25000, 28800, []string{"KUANTAN", "TEMERLOH", "BENTONG"}, []int{32, 33}},
	{"NEGERI SEMBILAN", 0.037, []int{5}, 70000, 73509, []string{"SEREMBAN", "NILAI", "PORT DICKSON"}, []int{30, 59}},
	{"TERENGGANU", 0.036, []int{11}, 20000, 24300, []string{"KUALA TERENGGANU", "KEMAMAN"}, []int{45, 46}},
	{"MELAKA", 0.03, []int{4}, 75000, 78309, []string{"MELAKA", "ALOR GAJAH"}, []int{30}},
	{"PERLIS", 0.009, []int{9}, 1000, 2800, []string{"KANGAR", "ARAU"}, []int{40}},
	{"W.P. LABUAN", 0.003, []int{15}, 87000, 87033, []string{"LABUAN"}, []int{58}},
	{"W.P. PUTRAJAYA", 0.003, []int{16}, 62000, 62988, []string{"PUTRAJAYA"}, []int{16}},
}

var (
	malayMale     = []string{"AHMAD", "MUHAMMAD", "MOHD", "AZMAN", "HAFIZ", "FAIZAL", "RIDZUAN", "SHAHRUL", "AMIRUL", "ZULKIFLI", "KAMARUL", "IZZAT", "HAKIM", "FARID", "RAZAK", "NAZRI"}
	malayFemale   = []string{"SITI", "NUR", "NURUL", "AISYAH", "FARAH", "AMIRA", "HAZWANI", "SYAFIQAH", "ZARINA", "NORAINI", "ROSLINDA", "FATIMAH", "AZLINA", "HIDAYAH"}
	malayFather   = []string{"ABDULLAH", "ISMAIL", "HASSAN", "OTHMAN", "YUSOF", "IBRAHIM", "ZAKARIA", "RAHMAN", "SULAIMAN", "AHMAD", "HAMZAH", "MUSA", "JAAFAR", "SALLEH"}
	chineseFamily = []string{"TAN", "LIM", "LEE", "WONG", "NG", "ONG", "CHONG", "TEH", "GOH", "CHAN", "YAP", "LOW", "KHOO", "CHUA", "LAU"}
	chineseGiven  = []string{"AH KOW", "MEI LING", "WEI JIAN", "CHEE KEONG", "SIEW LAN", "KAH SENG", "PEI SHAN", "JUN HAO", "XIN YI", "BOON HOCK", "LAI YEE", "KOK WAI"}
	indianMale    = []string{"MUTHU", "RAJESH", "SURESH", "GANESH", "KUMAR", "RAVI", "SIVA", "PRAKASH", "ARUN", "VINOD"}
	indianFemale  = []string{"KAVITHA", "PRIYA", "LAKSHMI", "DEVI", "SARASWATHY", "MALAR", "REVATHI", "SHANTHI"}
	indianFather  = []string{"RAJAN", "SUBRAMANIAM", "KRISHNAN", "MUNIANDY", "RAMASAMY", "PILLAI", "NAIR", "GOVINDASAMY"}
	streets       = []string{"JALAN MAWAR", "JALAN MELATI", "JALAN KENANGA", "JALAN CEMPAKA", "JALAN BUNGA RAYA", "JALAN MERANTI", "JALAN SENTOSA", "JALAN BAHAGIA", "JALAN PERDANA", "JALAN INDAH"}
	tamans        = []string{"TAMAN SRI MUDA", "TAMAN DESA", "TAMAN MELAWATI", "TAMAN BUKIT INDAH", "TAMAN SEJAHTERA", "TAMAN PERMAI", "TAMAN MUTIARA", "TAMAN HARMONI"}
	domains       = []string{"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "yahoo.com.my", "icloud.com"}
	prefixes      = []string{"012", "013", "014", "016", "017", "018", "019", "011", "010"}
	employers     = []string{"SYARIKAT MAJU JAYA SDN BHD", "TEKNOLOGI GEMILANG SDN BHD", "PERKHIDMATAN SERI SDN BHD", "GLOBAL LOGISTIK SDN BHD", "RESTORAN SELERA KITA", "KEDAI RUNCIT BAHAGIA", "KILANG ELEKTRONIK UTARA SDN BHD", "HOSPITAL PAKAR SEJAHTERA"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func person(r *rand.Rand, asOf time.Time, norm *normalize.Normalizer) personT {
	var p personT
	// State by population share.
	x, si := r.Float64(), 0
	for i, s := range states {
		if x < s.share {
			si = i
			break
		}
		x -= s.share
	}
	st := states[si]
	// Working-age heavy: most between 20 and 55.
	age := 20 + int(r.NormFloat64()*10+17)
	age = min(max(age, 18), 75)
	birth := asOf.AddDate(-age, 0, -r.IntN(365))
	code := pick(r, st.codes)
	if birth.Year() < 1990 && r.IntN(3) == 0 { // the older codes
		code = pick(r, st.oldCodes)
	}
	female := r.IntN(2) == 0
	last := r.IntN(5) * 2
	if !female {
		last++
	}
	p.ic = fmt.Sprintf("%02d%02d%02d%02d%03d%d", birth.Year()%100, int(birth.Month()), birth.Day(), code, r.IntN(1000), last)
	if _, err := norm.MyKad(p.ic); err != nil {
		p.ic = fmt.Sprintf("%02d%02d%02d%02d%03d%d", birth.Year()%100, int(birth.Month()), 1, code, r.IntN(1000), last)
	}
	p.dob = birth.Format(time.DateOnly)
	p.gender = "L"
	if female {
		p.gender = "P"
	}
	switch x := r.Float64(); {
	case x < 0.69:
		father := pick(r, malayFather)
		if female {
			p.given = pick(r, malayFemale)
			p.name = p.given + " BINTI " + father
		} else {
			p.given = pick(r, malayMale)
			p.name = p.given + " BIN " + father
		}
	case x < 0.92:
		p.given = pick(r, chineseGiven)
		p.name = pick(r, chineseFamily) + " " + p.given
	default:
		father := pick(r, indianFather)
		if female {
			p.given = pick(r, indianFemale)
			p.name = p.given + " A/P " + father
		} else {
			p.given = pick(r, indianMale)
			p.name = p.given + " A/L " + father
		}
	}
	pre := pick(r, prefixes)
	digits := 7
	if pre == "011" {
		digits = 8
	}
	p.phone = pre + fmt.Sprintf("%0*d", digits, r.IntN(pow10(digits)))
	p.email = strings.ToLower(strings.ReplaceAll(strings.Fields(p.given)[0], "/", "")) + strconv.Itoa(r.IntN(9000)+100) + "@" + pick(r, domains)
	p.state = st.name
	p.postcode = fmt.Sprintf("%05d", st.lo+r.IntN(st.hi-st.lo+1))
	p.town = pick(r, st.towns)
	p.street = fmt.Sprintf("NO %d, %s %d, %s", 1+r.IntN(120), pick(r, streets), 1+r.IntN(20), pick(r, tamans))
	return p
}

func pow10(n int) int {
	x := 1
	for range n {
		x *= 10
	}
	return x
}

func (p personT) value(r *rand.Rand, f string, asOf time.Time) string {
	switch f {
	case "ic":
		return p.ic
	case "name":
		return p.name
	case "phone":
		return p.phone
	case "email":
		return p.email
	case "dob":
		return p.dob
	case "gender":
		return p.gender
	case "address":
		return p.street + ", " + p.postcode + " " + p.town + ", " + p.state
	case "postcode":
		return p.postcode
	case "state":
		return p.state
	case "city":
		return p.town
	case "employer":
		return pick(r, employers)
	case "salary":
		return fmt.Sprintf("%d.00", 1500+50*r.IntN(150))
	case "registered":
		return asOf.AddDate(0, 0, -30-r.IntN(3000)).Format(time.DateOnly)
	case "nominee":
		return pick(r, malayFather) + " BIN " + pick(r, malayFather)
	case "occupation":
		return pick(r, []string{"KERANI", "JURUTEKNIK", "PEMANDU", "GURU", "JURUJUAL", "OPERATOR KILANG", "PEGAWAI"})
	case "race":
		return pick(r, []string{"MELAYU", "CINA", "INDIA", "LAIN-LAIN"})
	case "religion":
		return pick(r, []string{"ISLAM", "BUDDHA", "HINDU", "KRISTIAN"})
	case "nationality":
		return "WARGANEGARA"
	}
	return ""
}

func fromPattern(r *rand.Rand, pat string) string {
	var b strings.Builder
	for _, c := range pat {
		switch c {
		case '#':
			b.WriteByte(byte('0' + r.IntN(10)))
		case 'A':
			b.WriteByte(byte('A' + r.IntN(26)))
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
