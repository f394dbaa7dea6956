package extract

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

var multipliers = map[string]float64{
	"":  1,
	"k": 1e3, "rb": 1e3, "ribu": 1e3, "thousand": 1e3, "ribuan": 1e3,
	"m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6, "juta": 1e6, "jt": 1e6, "jutaan": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "bilion": 1e9, "miliar": 1e9, "milyar": 1e9,
}

const multAlt = `k|rb|ribu|ribuan|thousand|mn|mio|millions|million|m|juta|jutaan|jt|bn|billions|billion|bilion|miliar|milyar|b`

var reCount = regexp.MustCompile(`^~?\s*(\d{1,15}(?:[.,' ]\d{1,3})*(?:[.,]\d+)?)\s*(` + multAlt + `)?\s*\+?$`)

// ParseCount reads a claimed record count as posters write it: "1.2M",
// "3 juta", "279 million", "500k", "1,500,000", "1.500.000", "3jt",
// "2.5 bilion", "1,5 juta". A separator followed by exactly three digits
// groups thousands; otherwise it is the decimal point (both "." and ","
// are used for either in the region).
func ParseCount(raw string) (int64, bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 64 {
		return 0, false
	}
	m := reCount.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	num, mult := m[1], multipliers[m[2]]
	f, ok := parseGroupedNumber(num)
	if !ok {
		return 0, false
	}
	v := f * mult
	if v < 0 || v > 1e15 {
		return 0, false
	}
	if m[2] == "" && v != math.Trunc(v) {
		return 0, false // "2.5" records is not a count
	}
	return int64(math.Round(v)), true
}

func parseGroupedNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(s, "'", ",")
	s = strings.ReplaceAll(s, " ", ",")
	lastSep := strings.LastIndexAny(s, ".,")
	if lastSep < 0 {
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	sepc := s[lastSep]
	after := s[lastSep+1:]
	count := strings.Count(s, string(sepc))
	other := byte('.')
	if sepc == '.' {
		other = ','
	}
	hasOther := strings.IndexByte(s, other) >= 0
	var intPart, frac string
	switch {
	case hasOther:
		// "1,234.5": the last kind is the decimal point.
		intPart, frac = s[:lastSep], after
	case count > 1:
		// "1.500.000": every group after the first has three digits.
		for _, g := range strings.Split(s, string(sepc))[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		intPart = s
	case len(after) == 3:
		intPart = s // "1,500", "1.500"
	default:
		intPart, frac = s[:lastSep], after // "1.2", "1,5"
	}
	intPart = strings.NewReplacer(".", "", ",", "").Replace(intPart)
	if frac != "" {
		intPart += "." + frac
	}
	f, err := strconv.ParseFloat(intPart, 64)
	return f, err == nil
}

// reClaim finds a count next to a word for records in a title or body:
// "279 million records", "3 juta rekod", "records: 1.2M", "500k users".
var (
	reClaimBefore = regexp.MustCompile(`(?i)(?:^|[^\w.,])(\d{1,15}(?:[.,' ]\d{1,3})*(?:[.,]\d+)?\s*(?:` + multAlt + `)?\+?)\s*(?:[a-z]+\s+){0,2}?(?:records?|rows?|lines?|entries|users?|accounts?|customers?|subscribers?|members?|patients?|employees?|contributors?|citizens?|rekod|baris|data|pengguna|akaun|akun|pelanggan|pesakit|pekerja|penduduk|peserta|ahli|orang)\b`)
	reClaimAfter  = regexp.MustCompile(`(?i)\b(?:records|rekod|rows|baris|total|jumlah|count|entries|size)\s*[:=]\s*(\d{1,15}(?:[.,' ]\d{1,3})*(?:[.,]\d+)?\s*(?:` + multAlt + `)?\+?)(?:\W|$)`)
)

// claimedCount finds the first claimed record count in the texts, in
// order (title first, then body).
func claimedCount(texts ...string) (raw string, n int64) {
	for _, t := range texts {
		for _, re := range []*regexp.Regexp{reClaimAfter, reClaimBefore} {
			for _, m := range re.FindAllStringSubmatch(t, 8) {
				c := strings.TrimSpace(m[1])
				v, ok := ParseCount(c)
				if !ok || v < 10 || looksLikeYear(c, v) {
					continue
				}
				return c, v
			}
		}
	}
	return "", 0
}

// looksLikeYear keeps "PERKESO 2023 data" from claiming 2023 records.
func looksLikeYear(raw string, v int64) bool {
	return allDigits(raw) && v >= 1990 && v <= 2040
}
