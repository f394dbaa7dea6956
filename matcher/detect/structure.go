package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/stats"
)

// Structure finds records that cannot describe a real person: an ID that
// is not a valid MyKad or NIK, a gender column that contradicts the ID's
// gender (MyKad: last digit odd for men; NIK: day of birth plus 40 for
// women), a birth-date column that contradicts the ID's birth date, a
// birth date after Now or before 1900, and a birth after the registration
// date (attribute "registered"). The place-of-birth code is NOT compared
// with the state column: people move.
//
// Genuine registers hold typing errors too, so a few impossible records
// prove nothing: the detector flags a sample when the 95% Wilson lower
// bound of the share of impossible records exceeds GenuineErrorRate.
type Structure struct{}

// GenuineErrorRate is the share of impossible records a genuine register
// may hold (typing errors, a swapped gender code): 2%. The world's genuine
// samples hold none at all (measured: 0 of every sample, see doc.go); real
// registers are dirtier, and 2% leaves room for that.
const GenuineErrorRate = 0.02

// structureMinN is the fewest checkable records Structure decides on.
const structureMinN = 20

// Name implements Detector.
func (Structure) Name() string { return NameStructure }

// MinN implements Detector.
func (Structure) MinN() int { return structureMinN }

// violation is a set of impossibilities found in one record.
type violation uint16

const (
	vICInvalid violation = 1 << iota
	vNIKInvalid
	vDOBFuture
	vDOBBefore1900
	vICGender
	vNIKGender
	vICDOB
	vNIKDOB
	vBornAfterRegistration
	numViolations = iota
)

var violationNames = [numViolations]string{
	"invalid MyKad", "invalid NIK", "birth date in the future", "birth date before 1900",
	"MyKad gender digit contradicts the gender column", "NIK gender contradicts the gender column",
	"MyKad birth date contradicts the birth-date column", "NIK birth date contradicts the birth-date column",
	"born after registration",
}

// detectability is the chance that a fabricated record fails a check when
// the fabricator drew the two values independently: a gender column drawn
// apart from the ID matches its gender digit half the time; a birth date
// drawn apart from the ID almost never matches it.
func detectability(v int) float64 {
	if violation(1)<<v == vICGender || violation(1)<<v == vNIKGender {
		return 0.5
	}
	return 1
}

func (v violation) any() bool { return v != 0 }

type checker struct {
	n   *normalize.Normalizer
	now time.Time
}

func newChecker(info Info) *checker {
	now := info.now()
	return &checker{n: normalize.New(normalize.Options{Now: now, Region: info.country()}), now: now}
}

// genderGuard switches a gender check off for a sample whose gender
// column contradicts the ID in nearly every record: that is a column coded
// the other way round (or mapped to the wrong column), not fabrication,
// which contradicts the ID in about half the records.
type genderGuard struct {
	icOff, nikOff bool
}

const (
	guardMinChecked = 10
	guardInverted   = 0.8
)

func (c *checker) guard(recs []record.Record) genderGuard {
	var icN, icBad, nikN, nikBad int
	for i := range recs {
		r := &recs[i]
		g := r.Values[slotGender]
		if g != "M" && g != "F" {
			continue
		}
		if k, err := c.n.MyKad(r.Values[slotIC]); r.Values[slotIC] != "" && err == nil {
			icN++
			if k.Female != (g == "F") {
				icBad++
			}
		}
		if k, err := c.n.NIK(r.Values[slotNIK]); r.Values[slotNIK] != "" && err == nil {
			nikN++
			if k.Female != (g == "F") {
				nikBad++
			}
		}
	}
	inverted := func(bad, n int) bool { return n >= guardMinChecked && float64(bad) > guardInverted*float64(n) }
	return genderGuard{icOff: inverted(icBad, icN), nikOff: inverted(nikBad, nikN)}
}

var (
	slotIC     = record.Slot(record.IC)
	slotNIK    = record.Slot(record.NIK)
	slotDOB    = record.Slot(record.DOB)
	slotGender = record.Slot(record.Gender)
	slotEmail  = record.Slot(record.Email)
	slotName   = record.Slot(record.Name)
	slotPhone  = record.Slot(record.Phone)
)

// checkable lists the checks a record can be put to; check returns the
// ones it fails.
func (c *checker) checkable(r *record.Record, g genderGuard) (can violation) {
	ic, nik, dob, gen := r.Values[slotIC], r.Values[slotNIK], r.Values[slotDOB], r.Values[slotGender]
	hasG := gen == "M" || gen == "F"
	if ic != "" {
		can |= vICInvalid
		if hasG && !g.icOff {
			can |= vICGender
		}
		if dob != "" {
			can |= vICDOB
		}
	}
	if nik != "" {
		can |= vNIKInvalid
		if hasG && !g.nikOff {
			can |= vNIKGender
		}
		if dob != "" {
			can |= vNIKDOB
		}
	}
	if dob != "" {
		can |= vDOBFuture | vDOBBefore1900
	}
	if (dob != "" || ic != "" || nik != "") && registered(r) != "" {
		can |= vBornAfterRegistration
	}
	return can
}

func registered(r *record.Record) string {
	for _, a := range r.Attrs {
		if a.Name == "registered" {
			return a.Value
		}
	}
	return ""
}

func (c *checker) check(r *record.Record, g genderGuard) (v violation) {
	ic, nik, gen := r.Values[slotIC], r.Values[slotNIK], r.Values[slotGender]
	hasG := gen == "M" || gen == "F"
	// A stored birth date that is not YYYY-MM-DD is never stored by the
	// intake; it is left unchecked rather than counted either way.
	dob, dobOK := parseDay(r.Values[slotDOB])
	if dobOK {
		if dob.After(c.now) {
			v |= vDOBFuture
		}
		if dob.Year() < 1900 {
			v |= vDOBBefore1900
		}
	}
	birth, birthOK := dob, dobOK
	if ic != "" {
		k, err := c.n.MyKad(ic)
		switch {
		case err != nil:
			v |= vICInvalid
		default:
			if hasG && !g.icOff && k.Female != (gen == "F") {
				v |= vICGender
			}
			if dobOK && !sameBirth(k.Birth, dob) {
				v |= vICDOB
			}
			if !birthOK {
				birth, birthOK = k.Birth, true
			}
		}
	}
	if nik != "" {
		k, err := c.n.NIK(nik)
		switch {
		case err != nil:
			v |= vNIKInvalid
		default:
			if hasG && !g.nikOff && k.Female != (gen == "F") {
				v |= vNIKGender
			}
			if dobOK && !sameBirth(k.Birth, dob) {
				v |= vNIKDOB
			}
			if !birthOK {
				birth, birthOK = k.Birth, true
			}
		}
	}
	if birthOK {
		if s := registered(r); s != "" {
			if d, err := c.n.Date(s); err == nil {
				if reg, ok := parseDay(d); ok && birth.After(reg) {
					v |= vBornAfterRegistration
				}
			}
		}
	}
	return v
}

// Run implements Detector.
func (d Structure) Run(recs []record.Record, info Info) Result {
	ck := newChecker(info)
	g := ck.guard(recs)
	var n, bad int
	var checked, failed [numViolations]int
	for i := range recs {
		r := &recs[i]
		can := ck.checkable(r, g)
		if can == 0 {
			continue
		}
		n++
		v := ck.check(r, g)
		if v.any() {
			bad++
		}
		for k := range numViolations {
			bit := violation(1) << k
			if can&bit != 0 {
				checked[k]++
			}
			if v&bit != 0 {
				failed[k]++
			}
		}
	}
	if n < structureMinN {
		return abstain(NameStructure, n, structureMinN, "records with an ID or birth date to check")
	}
	rate := stats.Wilson(int64(bad), int64(n))
	// The share of fabricated records: the raw share, or a check's failure
	// rate scaled up by how often a fabricated record fails it.
	share := rate.P
	var parts []string
	for k := range numViolations {
		if failed[k] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d", violationNames[k], failed[k], checked[k]))
		share = max(share, float64(failed[k])/float64(checked[k])/detectability(k))
	}
	share = min(share, 1)
	res := Result{
		Detector:  NameStructure,
		Flagged:   rate.Low > GenuineErrorRate,
		Statistic: fmt.Sprintf("impossible=%d/%d (%.1f%%, 95%% CI %.1f-%.1f%%)", bad, n, 100*rate.P, 100*rate.Low, 100*rate.High),
		Share:     share,
		N:         n,
		MinN:      structureMinN,
	}
	var off []string
	if g.icOff {
		off = append(off, "the gender column contradicts nearly every MyKad, so it is taken as coded the other way round and not counted")
	}
	if g.nikOff {
		off = append(off, "the gender column contradicts nearly every NIK, so it is taken as coded the other way round and not counted")
	}
	switch {
	case bad == 0:
		res.Note = fmt.Sprintf("no structural impossibility in %d records", n)
	case res.Flagged:
		res.Note = fmt.Sprintf("%d of %d records are impossible (%s), more than the %s a genuine register holds; about %s of the records look fabricated",
			bad, n, strings.Join(parts, ", "), pct(GenuineErrorRate), pct(share))
	default:
		res.Note = fmt.Sprintf("%d of %d records are impossible (%s), within the error rate of a genuine register", bad, n, strings.Join(parts, ", "))
	}
	if len(off) > 0 {
		res.Note = strings.TrimSuffix(res.Note, ".") + "; " + strings.Join(off, "; ")
	}
	return res
}
