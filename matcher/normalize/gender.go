package normalize

const (
	genderM = 1 + iota
	genderF
	genderAmbiguous
)

// genders maps upper-cased gender words (English, Malay, Indonesian) to
// their code. 1/2 are rejected as ambiguous: systems disagree on which is
// which (and some use 0/1), so guessing would silently flip half a column.
var genders = map[string]uint8{
	"M": genderM, "MALE": genderM, "MAN": genderM,
	"L": genderM, "LELAKI": genderM, "LAKI": genderM, "LAKI LAKI": genderM, "PRIA": genderM,
	"F": genderF, "FEMALE": genderF, "WOMAN": genderF,
	"P": genderF, "PEREMPUAN": genderF, "WANITA": genderF,
	"0": genderAmbiguous, "1": genderAmbiguous, "2": genderAmbiguous,
}

// Gender returns "M" or "F".
func (n *Normalizer) Gender(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", errGenderEmpty
	}
	var b [16]byte
	k, gap := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', isDigit(c):
		case c == ' ' || c == '-' || c == '_' || c == '\t':
			gap = k > 0
			continue
		case c == '.':
			continue
		default:
			return "", errGenderUnknown
		}
		if gap {
			if k == len(b) {
				return "", errGenderUnknown
			}
			b[k] = ' '
			k++
			gap = false
		}
		if k == len(b) {
			return "", errGenderUnknown
		}
		b[k] = c
		k++
	}
	switch genderOf(b[:k]) {
	case genderM:
		return "M", nil
	case genderF:
		return "F", nil
	case genderAmbiguous:
		return "", errGenderAmbiguous
	}
	return "", errGenderUnknown
}

// genderOf looks w up in genders. The words a column holds are few and
// repeat on every row, so the commonest are compared directly; the rest go
// to the map.
func genderOf(w []byte) uint8 {
	switch string(w) {
	case "L", "M", "LELAKI", "MALE":
		return genderM
	case "P", "F", "PEREMPUAN", "FEMALE":
		return genderF
	}
	return genders[string(w)]
}
