package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/semak/semak/matcher/record"
)

// Result is one detector's finding on a sample. It carries counts and
// statistics only, never a record or value.
type Result struct {
	Detector  string  `json:"detector"`    // e.g. "structure", "faker_mykad", "too_clean", "aggregation"
	Flagged   bool    `json:"flagged"`     // the sample shows this detector's sign of fabrication
	Statistic string  `json:"statistic"`   // e.g. "chi2=312.4 df=15", "K-S D=0.21"
	P         float64 `json:"p,omitempty"` // p-value where a test gives one
	Share     float64 `json:"share"`       // estimated share of records showing the sign (0..1)
	N         int     `json:"n"`           // records the detector looked at
	MinN      int     `json:"min_n"`       // below it the detector abstains (Flagged false, Note says so)
	Note      string  `json:"note"`        // one plain sentence: what was seen
}

// Detector is one fabrication test. Run never keeps or returns a record or
// any value from one.
type Detector interface {
	Name() string
	MinN() int
	Run(recs []record.Record, info Info) Result
}

// Info is what a detector knows about a sample beyond its records.
type Info struct {
	// Now is the generation reference: "not in the future" checks and ages
	// are taken at it. Zero means time.Now() when the detector runs; pin it
	// for reproducible results.
	Now time.Time
	// Country is the claimed organisation's country, "MY" or "ID"; empty
	// means "MY".
	Country string
}

func (i Info) now() time.Time {
	if i.Now.IsZero() {
		return time.Now()
	}
	return i.Now
}

func (i Info) country() string {
	c := strings.ToUpper(strings.TrimSpace(i.Country))
	if c == "" {
		return "MY"
	}
	return c
}

// The detector names, as they appear in Result.Detector.
const (
	NameStructure   = "structure"
	NameFakerMyKad  = "faker_mykad"
	NameTooClean    = "too_clean"
	NameAggregation = "aggregation"
)

// All returns every detector in a fixed order: the decisive ones first.
func All() []Detector {
	return []Detector{Structure{}, FakerMyKad{}, TooClean{}, Aggregation{}}
}

// Run runs every detector of All on recs.
func Run(recs []record.Record, info Info) []Result {
	ds := All()
	out := make([]Result, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Run(recs, info))
	}
	return out
}

// PerRecord marks the records that individually show a hard structural
// impossibility (see Structure): an invalid MyKad or NIK, a gender column
// that contradicts the ID's gender digit, a birth-date column that
// contradicts the ID, a birth date after Now, before 1900 or after the
// registration date. It returns one bool per record. Statistical signs
// (Faker's place-of-birth mix) say nothing about a single record and are
// not used: a genuine person born in Putrajaya is not fabricated.
func PerRecord(recs []record.Record, info Info) []bool {
	ck := newChecker(info)
	guard := ck.guard(recs)
	out := make([]bool, len(recs))
	for i := range recs {
		out[i] = ck.check(&recs[i], guard).any()
	}
	return out
}

// decisive names the detectors whose finding alone can make a sample FAKE.
var decisive = map[string]bool{NameStructure: true, NameFakerMyKad: true}

// Fabricated is the rule the verdict uses. A sample is dominated by
// fabricated records when a decisive detector (structure or faker_mykad) is
// flagged with an estimated share of at least one half. share is the
// largest share among the flagged decisive detectors (0 when none is
// flagged). reasons lists the Note of every flagged detector, decisive ones
// first, each prefixed with its name; the supporting detectors (too_clean,
// aggregation) never decide, they only add reasons.
func Fabricated(results []Result) (dominated bool, share float64, reasons []string) {
	var support []string
	for _, r := range results {
		if !r.Flagged {
			continue
		}
		reason := r.Detector + ": " + r.Note
		if !decisive[r.Detector] {
			support = append(support, reason)
			continue
		}
		reasons = append(reasons, reason)
		share = max(share, r.Share)
		if r.Share >= 0.5 {
			dominated = true
		}
	}
	return dominated, share, append(reasons, support...)
}

// abstain is the Result of a detector that saw fewer than its minimum.
func abstain(name string, n, minN int, what string) Result {
	return Result{Detector: name, N: n, MinN: minN,
		Note: fmt.Sprintf("abstained: %d %s, at least %d needed", n, what, minN)}
}

func parseDay(s string) (time.Time, bool) {
	if len(s) != 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// sameBirth says whether a birth date column agrees with the YYMMDD of an
// ID: the same two-digit year, month and day, allowing for the two ways a
// genuine export can garble a date without the person being fabricated:
// day and month swapped by a month-first spreadsheet, and a shift of one
// day by a time-zone conversion.
func sameBirth(id time.Time, dob time.Time) bool {
	y1, m1, d1 := id.Date()
	y2, m2, d2 := dob.Date()
	if y1%100 == y2%100 && (m1 == m2 && d1 == d2 || int(m1) == d2 && d1 == int(m2)) {
		return true
	}
	// Compare the YYMMDD only: the ID's century is a guess.
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	for _, c := range [...]int{-100, 0, 100} {
		alt := time.Date(y2-y2%100+y1%100+c, m1, d1, 0, 0, 0, 0, time.UTC)
		if diff := alt.Sub(b); diff <= 24*time.Hour && diff >= -24*time.Hour {
			return true
		}
	}
	return false
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }
