package normalize

import (
	"time"
	"unicode/utf8"
)

// NIK is a parsed Indonesian Nomor Induk Kependudukan.
type NIK struct {
	Number   string    // 16 digits, no separators
	Province string    // 2-digit province code
	Birth    time.Time // midnight UTC of the birth date
	Female   bool      // day of birth was written plus 40
}

var nikSep = [utf8.RuneSelf]bool{'.': true, ' ': true, '-': true}

// nikProvince marks the province codes Dukcapil uses (the first two
// digits of a NIK).
var nikProvince [100]bool

func init() {
	for _, r := range [][2]int{{11, 19}, {21, 21}, {31, 36}, {51, 53}, {61, 65}, {71, 76}, {81, 82}, {91, 96}} {
		for c := r[0]; c <= r[1]; c++ {
			nikProvince[c] = true
		}
	}
}

// NIK parses a NIK: PPKKCC DDMMYY SSSS, where PP is the province, DD the
// day of birth (plus 40 for women), and SSSS a serial that starts at 0001.
func (n *Normalizer) NIK(s string) (NIK, error) {
	s = clean(s)
	if s == "" {
		return NIK{}, errNIKEmpty
	}
	var b [16]byte
	k, ok := scanDigits(s, b[:], &nikSep)
	if !ok {
		return NIK{}, errNIKChar
	}
	if k != len(b) {
		return NIK{}, errNIKLen
	}
	if !nikProvince[num2(b[0:2])] {
		return NIK{}, errNIKProvince
	}
	d, m, y := num2(b[6:8]), num2(b[8:10]), n.fullYear(num2(b[10:12]))
	female := d > 40
	if female {
		d -= 40
	}
	if !validDate(y, m, d) {
		return NIK{}, errNIKDate
	}
	if y*10000+m*100+d > n.today {
		return NIK{}, errNIKFuture
	}
	if b[12] == '0' && b[13] == '0' && b[14] == '0' && b[15] == '0' {
		return NIK{}, errNIKSerial
	}
	num := s
	if len(s) != len(b) {
		num = string(b[:])
	}
	return NIK{
		Number:   num,
		Province: num[0:2],
		Birth:    time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC),
		Female:   female,
	}, nil
}
