package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// monthWords maps English, Malay and Indonesian month names and their
// usual abbreviations to month numbers.
var monthWords = map[string]time.Month{}

func init() {
	add := func(m time.Month, words ...string) {
		for _, w := range words {
			monthWords[w] = m
		}
	}
	add(time.January, "january", "jan", "januari")
	add(time.February, "february", "feb", "februari", "peb")
	add(time.March, "march", "mar", "mac", "maret")
	add(time.April, "april", "apr")
	add(time.May, "may", "mei")
	add(time.June, "june", "jun", "juni")
	add(time.July, "july", "jul", "julai", "juli")
	add(time.August, "august", "aug", "ogos", "ogo", "agustus", "agu", "agt", "agus")
	add(time.September, "september", "sep", "sept")
	add(time.October, "october", "oct", "oktober", "okt")
	add(time.November, "november", "nov", "nop")
	add(time.December, "december", "dec", "disember", "dis", "desember", "des")
	var ws []string
	for w := range monthWords {
		ws = append(ws, w)
	}
	// Longest first so "januari" wins over "jan".
	sort.Slice(ws, func(i, j int) bool { return len(ws[i]) > len(ws[j]) || len(ws[i]) == len(ws[j]) && ws[i] < ws[j] })
	mon := `(` + strings.Join(ws, "|") + `)\.?`
	reDMonY = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+` + mon + `,?\s+(\d{4})\b`)
	reMonDY = regexp.MustCompile(`\b` + mon + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	reMonD = regexp.MustCompile(`\b` + mon + `\s+(\d{1,2})(?:st|nd|rd|th)?\b`)
	reDMon = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+` + mon + `\b`)
}

var (
	reDMonY, reMonDY, reMonD, reDMon *regexp.Regexp

	reYMD   = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	reDMY   = regexp.MustCompile(`\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b`)
	reClock = regexp.MustCompile(`\b(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|pg|ptg|mlm|pagi|petang|malam)?(?:\s|$|[^\w])`)
	reZone  = regexp.MustCompile(`(?:\b(?:utc|gmt)\s*)?([+-])(\d{2}):?(\d{2})\s*$`)
	reAgo   = regexp.MustCompile(`^(a|an|one|se|\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|saat|detik|minit|menit|jam|hari|minggu|bulan|tahun)\s*(ago|lalu|yang lalu|yg lalu|lepas|yang lepas)$`)
)

var dayWords = map[string]int{
	"today": 0, "hari ini": 0, "now": 0,
	"yesterday": -1, "semalam": -1, "kemarin": -1, "kemaren": -1,
	// Malay "kelmarin" is the day before yesterday (Indonesian "kemarin"
	// is yesterday).
	"kelmarin": -2, "day before yesterday": -2, "kemarin lusa": -2,
}

var weekdayWords = map[string]time.Weekday{
	"sunday": time.Sunday, "ahad": time.Sunday, "minggu": time.Sunday,
	"monday": time.Monday, "isnin": time.Monday, "senin": time.Monday,
	"tuesday": time.Tuesday, "selasa": time.Tuesday,
	"wednesday": time.Wednesday, "rabu": time.Wednesday,
	"thursday": time.Thursday, "khamis": time.Thursday, "kamis": time.Thursday,
	"friday": time.Friday, "jumaat": time.Friday, "jumat": time.Friday,
	"saturday": time.Saturday, "sabtu": time.Saturday,
}

// zoneWords are the zone abbreviations forums in the region print.
var zoneWords = map[string]int{"utc": 0, "gmt": 0, "myt": 8, "sgt": 8, "wib": 7, "wita": 8, "wit": 9}

// ParseDate reads a forum's date as printed ("2 hours ago", "Yesterday at
// 10:14", "Semalam, 09:30 PG", "kemarin pukul 10.14", "15 Dis 2023",
// "Dec 15, 2023 at 3:04 PM", "2023-12-15T10:00:00+0800", a Unix time)
// and returns it in UTC. Relative dates count back from now; dates
// without a zone are in loc, the forum's time zone (UTC when nil).
// Numeric day-month order is day first unless that is impossible.
func ParseDate(raw string, now time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > 200 {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05-07:00", time.RFC1123Z, time.RFC1123, time.RFC850} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if len(s) >= 9 && len(s) <= 10 && allDigits(s) {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), true
	}
	s = strings.ToLower(s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ".")
	n := now.In(loc)

	if s == "just now" || s == "baru sahaja" || s == "baru saja" || s == "sebentar tadi" || s == "a moment ago" {
		return now.UTC(), true
	}
	if m := reAgo.FindStringSubmatch(s); m != nil {
		k := 1
		if d, err := strconv.Atoi(m[1]); err == nil {
			k = d
		}
		if k > 100000 {
			return time.Time{}, false
		}
		u := m[2]
		var t time.Time
		switch {
		case strings.HasPrefix(u, "sec") || u == "saat" || u == "detik":
			t = n.Add(-time.Duration(k) * time.Second)
		case strings.HasPrefix(u, "min") || u == "menit":
			t = n.Add(-time.Duration(k) * time.Minute)
		case strings.HasPrefix(u, "day") || u == "hari":
			t = n.AddDate(0, 0, -k)
		case strings.HasPrefix(u, "hour") || strings.HasPrefix(u, "hr") || u == "jam":
			t = n.Add(-time.Duration(k) * time.Hour)
		case strings.HasPrefix(u, "week") || u == "minggu":
			t = n.AddDate(0, 0, -7*k)
		case strings.HasPrefix(u, "month") || u == "bulan":
			t = n.AddDate(0, -k, 0)
		default:
			t = n.AddDate(-k, 0, 0)
		}
		return t.UTC(), true
	}

	// "Yesterday at 10:14", "Hari ini, 09:00", "Monday at 3:04 PM".
	for _, sep := range []string{" at ", ", ", " pukul ", " jam ", " @ ", " "} {
		head, tail, _ := strings.Cut(s, sep)
		head = strings.TrimSuffix(strings.TrimSpace(head), ",")
		day, ok := relDay(head, n)
		if !ok {
			continue
		}
		if strings.TrimSpace(tail) == "" && head == s {
			return day.UTC(), true
		}
		h, mi, sec, ok := clock(tail)
		if !ok {
			break
		}
		return time.Date(day.Year(), day.Month(), day.Day(), h, mi, sec, 0, loc).UTC(), true
	}
	if day, ok := relDay(s, n); ok {
		return day.UTC(), true
	}

	// Absolute dates.
	y, mo, d, rest, ok := findDate(s, n)
	if !ok {
		return time.Time{}, false
	}
	h, mi, sec, _ := clock(rest)
	zloc := loc
	if z := reZone.FindStringSubmatch(rest); z != nil {
		hh, _ := strconv.Atoi(z[2])
		mm, _ := strconv.Atoi(z[3])
		off := hh*3600 + mm*60
		if z[1] == "-" {
			off = -off
		}
		zloc = time.FixedZone("", off)
	} else {
		for _, f := range strings.Fields(rest) {
			if hrs, ok := zoneWords[strings.Trim(f, "()")]; ok {
				zloc = time.FixedZone(f, hrs*3600)
			}
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1990 || y > 2100 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, zloc)
	if t.Day() != d {
		return time.Time{}, false // 30 February
	}
	return t.UTC(), true
}

// relDay reads "today", "semalam", "kemarin", a weekday name: the
// midnight of that day in n's location.
func relDay(s string, n time.Time) (time.Time, bool) {
	mid := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, n.Location())
	if k, ok := dayWords[s]; ok {
		return mid.AddDate(0, 0, k), true
	}
	if wd, ok := weekdayWords[s]; ok {
		back := (int(n.Weekday()) - int(wd) + 7) % 7
		if back == 0 {
			back = 7
		}
		return mid.AddDate(0, 0, -back), true
	}
	return time.Time{}, false
}

// clock finds "10:14", "10.14", "3:04 PM", "09:30 pg", "22:05:11".
func clock(s string) (h, m, sec int, ok bool) {
	c := reClock.FindStringSubmatch(strings.TrimSpace(s) + " ")
	if c == nil {
		return 0, 0, 0, false
	}
	h, _ = strconv.Atoi(c[1])
	m, _ = strconv.Atoi(c[2])
	if c[3] != "" {
		sec, _ = strconv.Atoi(c[3])
	}
	switch c[4] {
	case "pm", "p.m.", "ptg", "petang", "mlm", "malam":
		if h < 12 {
			h += 12
		}
	case "am", "a.m.", "pg", "pagi":
		if h == 12 {
			h = 0
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, 0, false
	}
	return h, m, sec, true
}

// findDate finds the date part of s and returns what is left (the clock
// and the zone).
func findDate(s string, n time.Time) (y, mo, d int, rest string, ok bool) {
	cut := func(loc []int) string { return s[:loc[0]] + " " + s[loc[1]:] }
	if m := reYMD.FindStringSubmatchIndex(s); m != nil {
		y, mo, d = atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return y, mo, d, cut(m), true
	}
	if m := reDMonY.FindStringSubmatchIndex(s); m != nil {
		d, mo, y = atoi(s[m[2]:m[3]]), int(monthWords[s[m[4]:m[5]]]), atoi(s[m[6]:m[7]])
		return y, mo, d, cut(m), true
	}
	if m := reMonDY.FindStringSubmatchIndex(s); m != nil {
		mo, d, y = int(monthWords[s[m[2]:m[3]]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return y, mo, d, cut(m), true
	}
	if m := reDMY.FindStringSubmatchIndex(s); m != nil {
		a, b, c := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		if c < 100 {
			c += 2000
		}
		d, mo = a, b
		if b > 12 && a <= 12 {
			d, mo = b, a // month first, as MyBB's default m-d-Y
		}
		return c, mo, d, cut(m), true
	}
	// A month and a day without a year: this year, or last year when that
	// would be in the future.
	for _, re := range []*regexp.Regexp{reMonD, reDMon} {
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			continue
		}
		if re == reMonD {
			mo, d = int(monthWords[s[m[2]:m[3]]]), atoi(s[m[4]:m[5]])
		} else {
			d, mo = atoi(s[m[2]:m[3]]), int(monthWords[s[m[4]:m[5]]])
		}
		y = n.Year()
		if time.Date(y, time.Month(mo), d, 0, 0, 0, 0, n.Location()).After(n) {
			y--
		}
		return y, mo, d, cut(m), true
	}
	return 0, 0, 0, "", false
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
