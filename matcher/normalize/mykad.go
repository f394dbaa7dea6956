package normalize

import (
	"time"
	"unicode/utf8"
)

// MyKad is a parsed Malaysian identity card number.
type MyKad struct {
	Number    string    // 12 digits, no separators
	Birth     time.Time // midnight UTC of the birth date
	PlaceCode string    // 2-digit place-of-birth (PB) code
	Female    bool      // last digit even
	Foreign   bool      // PB code is not a Malaysian state code (60-68, 71-72, 74-79, 82-93, 98-99)
}

var myKadSep = [utf8.RuneSelf]bool{'-': true, ' ': true}

// MyKad parses a MyKad number YYMMDD-PB-XXXX, with or without dashes or
// spaces. There is no check digit, so the birth date and the place-of-birth
// code are the only things that can be checked.
func (n *Normalizer) MyKad(s string) (MyKad, error) {
	num, y, m, d, pb, err := n.myKad(nil, s)
	if err != nil {
		return MyKad{}, err
	}
	return MyKad{
		Number:    num,
		Birth:     time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC),
		PlaceCode: num[6:8],
		Female:    (num[11]-'0')%2 == 0,
		Foreign:   placeState[pb] == "",
	}, nil
}

// myKad checks s as MyKad does and returns the number with its birth date
// and place-of-birth code, without building a MyKad (Field needs only the
// number), taking the number from a (which may be nil) when it is not s.
func (n *Normalizer) myKad(a *Strings, s string) (num string, y, m, d, pb int, err error) {
	s = clean(s)
	if s == "" {
		return "", 0, 0, 0, 0, errMyKadEmpty
	}
	var b [12]byte
	k, ok := scanDigits(s, b[:], &myKadSep)
	if !ok {
		return "", 0, 0, 0, 0, errMyKadChar
	}
	if k != len(b) {
		return "", 0, 0, 0, 0, errMyKadLen
	}
	y, m, d = n.fullYear(num2(b[0:2])), num2(b[2:4]), num2(b[4:6])
	if !validDate(y, m, d) {
		return "", 0, 0, 0, 0, errMyKadDate
	}
	if y*10000+m*100+d > n.today {
		return "", 0, 0, 0, 0, errMyKadFuture
	}
	pb = num2(b[6:8])
	if !placeValid[pb] {
		return "", 0, 0, 0, 0, errMyKadPlace
	}
	num = s
	if len(s) != len(b) { // the common clean form is returned without copying
		num = a.of(b[:])
	}
	return num, y, m, d, pb, nil
}

// placeCodes lists the MyKad place-of-birth codes of each state and federal
// territory (JPN's table); the old 01-16 codes come first.
var placeCodes = []struct {
	state string
	codes []int
}{
	{"johor", []int{1, 21, 22, 23, 24}},
	{"kedah", []int{2, 25, 26, 27}},
	{"kelantan", []int{3, 28, 29}},
	{"melaka", []int{4, 30}},
	{"negeri sembilan", []int{5, 31, 59}},
	{"pahang", []int{6, 32, 33}},
	{"pulau pinang", []int{7, 34, 35}},
	{"perak", []int{8, 36, 37, 38, 39}},
	{"perlis", []int{9, 40}},
	{"selangor", []int{10, 41, 42, 43, 44}},
	{"terengganu", []int{11, 45, 46}},
	{"sabah", []int{12, 47, 48, 49}},
	{"sarawak", []int{13, 50, 51, 52, 53}},
	{"wp kuala lumpur", []int{14, 54, 55, 56, 57}},
	{"wp labuan", []int{15, 58}},
	{"wp putrajaya", []int{16}},
}

// invalidPlaceCodes are the PB codes JPN has never issued.
var invalidPlaceCodes = []int{0, 17, 18, 19, 20, 69, 70, 73, 80, 81, 94, 95, 96, 97}

var (
	placeState [100]string
	placeValid [100]bool
)

func init() {
	for _, p := range placeCodes {
		for _, c := range p.codes {
			placeState[c] = p.state
		}
	}
	for i := range placeValid {
		placeValid[i] = true
	}
	for _, c := range invalidPlaceCodes {
		placeValid[c] = false
	}
}

func placeIndex(code string) (int, bool) {
	if len(code) != 2 || !isDigit(code[0]) || !isDigit(code[1]) {
		return 0, false
	}
	return int(code[0]-'0')*10 + int(code[1]-'0'), true
}

// StateOfPlaceCode returns the canonical state (as State returns it) of a
// MyKad place-of-birth code, and false for foreign, invalid or malformed
// codes.
func StateOfPlaceCode(code string) (state string, ok bool) {
	i, ok := placeIndex(code)
	if !ok || placeState[i] == "" {
		return "", false
	}
	return placeState[i], true
}

// ValidPlaceCode reports whether code is a place-of-birth code that can
// appear on a MyKad, Malaysian or foreign.
func ValidPlaceCode(code string) bool {
	i, ok := placeIndex(code)
	return ok && placeValid[i]
}
