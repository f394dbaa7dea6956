package detect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/semak/semak/matcher/record"
)

// TooClean looks for data tidier than any register is: every field filled
// in every record, every e-mail made of the record's own name and digits,
// identifiers that count up by a constant step, names from a tiny
// vocabulary, salaries spread evenly between a minimum and a maximum.
// Values reach the detectors normalised, so differences of format are
// gone; these signs survive normalisation.
//
// Each sign alone is common enough in genuine data (a register that
// requires an e-mail, a dump in insertion order with an auto-increment
// column), so the detector is flagged only when at least two signs agree,
// and it is supporting evidence only: Fabricated never decides on it.
type TooClean struct{}

const (
	tooCleanMinN      = 50
	tooCleanMinFields = 5
	tooCleanSigns     = 2
	emailNameShare    = 0.95 // e-mails made of the name and digits
	sequentialShare   = 0.9  // successive differences equal to the common step
	distinctNameRatio = 0.5  // distinct names per name
	minNamesForVocab  = 100
	salaryUniformP    = 0.05 // K-S p above which salaries look uniform
)

// Name implements Detector.
func (TooClean) Name() string { return NameTooClean }

// MinN implements Detector.
func (TooClean) MinN() int { return tooCleanMinN }

// Run implements Detector.
func (d TooClean) Run(recs []record.Record, info Info) Result {
	if len(recs) < tooCleanMinN {
		return abstain(NameTooClean, len(recs), tooCleanMinN, "records")
	}
	var signs []string
	share := 0.0
	sign := func(s string, sh float64) {
		signs = append(signs, s)
		share = max(share, sh)
	}

	// Completeness over the fields the sample has at all.
	fields := map[string]int{}
	for i := range recs {
		r := &recs[i]
		for k, v := range r.Values {
			if v != "" {
				fields[string(record.Canonical[k])]++
			}
		}
		for _, a := range r.Attrs {
			if a.Value != "" {
				fields[a.Name]++
			}
		}
	}
	complete := len(fields) >= tooCleanMinFields
	for _, c := range fields {
		if c != len(recs) {
			complete = false
		}
	}
	if complete {
		sign(fmt.Sprintf("all %d fields filled in every record", len(fields)), 1)
	}

	// E-mails made of the record's own name tokens and digits.
	var emails, fromName int
	for i := range recs {
		e, nm := recs[i].Values[slotEmail], recs[i].Values[slotName]
		if e == "" || nm == "" {
			continue
		}
		emails++
		if emailFromName(e, nm) {
			fromName++
		}
	}
	if emails >= tooCleanMinN && float64(fromName) >= emailNameShare*float64(emails) {
		sign(fmt.Sprintf("%d of %d e-mails are the name plus digits", fromName, emails), float64(fromName)/float64(emails))
	}

	// Identifiers that count up by a constant step.
	if s, sh, ok := sequential(recs); ok {
		sign(s, sh)
	}

	// A tiny vocabulary of names.
	names := map[string]bool{}
	var named int
	for i := range recs {
		if nm := recs[i].Values[slotName]; nm != "" {
			named++
			names[nm] = true
		}
	}
	if named >= minNamesForVocab && float64(len(names)) < distinctNameRatio*float64(named) {
		sign(fmt.Sprintf("only %d distinct names in %d", len(names), named), 1-float64(len(names))/float64(named))
	}

	// Salaries spread evenly over a range.
	var sal []float64
	for i := range recs {
		if v, ok := salary(recs[i].Get("salary")); ok {
			sal = append(sal, v)
		}
	}
	salP := 0.0
	if len(sal) >= tooCleanMinN {
		lo, hi := sal[0], sal[0]
		for _, v := range sal {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi > lo {
			var ksD float64
			ksD, salP = ksTest(sal, func(x float64) float64 { return (x - lo) / (hi - lo) })
			if salP >= salaryUniformP {
				sign(fmt.Sprintf("salaries uniform between their minimum and maximum (K-S D=%.3f p=%.2g)", ksD, salP), 1)
			}
		}
	}

	res := Result{
		Detector:  NameTooClean,
		Flagged:   len(signs) >= tooCleanSigns,
		Statistic: fmt.Sprintf("signs=%d of 5", len(signs)),
		P:         salP,
		Share:     share,
		N:         len(recs),
		MinN:      tooCleanMinN,
	}
	switch {
	case len(signs) == 0:
		res.Note = "nothing tidier than a genuine register"
	case res.Flagged:
		res.Note = "tidier than a genuine register: " + strings.Join(signs, "; ") + " (supporting evidence only)"
	default:
		res.Note = "one sign of tidiness, common in genuine data too: " + signs[0]
	}
	return res
}

// emailFromName says whether an e-mail's local part is made only of tokens
// of the name (in any order) followed by digits.
func emailFromName(email, name string) bool {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return false
	}
	local := email[:at]
	i := len(local)
	for i > 0 && local[i-1] >= '0' && local[i-1] <= '9' {
		i--
	}
	letters := local[:i]
	if i == len(local) || letters == "" {
		return false
	}
	var toks []string
	for _, t := range strings.Fields(name) {
		t = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, strings.ToLower(t))
		if len(t) >= 2 {
			toks = append(toks, t)
		}
	}
	// Can letters be cut into name tokens? (word break)
	ok := make([]bool, len(letters)+1)
	ok[0] = true
	for j := 1; j <= len(letters); j++ {
		for _, t := range toks {
			if len(t) <= j && ok[j-len(t)] && letters[j-len(t):j] == t {
				ok[j] = true
				break
			}
		}
	}
	return ok[len(letters)]
}

// sequential finds an identifier column (MyKad, NIK or an attribute) whose
// numeric part, in record order, goes up by one constant step.
func sequential(recs []record.Record) (string, float64, bool) {
	cols := map[string][]uint64{}
	var order []string
	add := func(name, v string) {
		if v == "" {
			return
		}
		var digits []byte
		for i := 0; i < len(v); i++ {
			if v[i] >= '0' && v[i] <= '9' {
				digits = append(digits, v[i])
			}
		}
		if len(digits) == 0 || len(digits) > 18 {
			return
		}
		u, err := strconv.ParseUint(string(digits), 10, 64)
		if err != nil {
			return
		}
		if _, seen := cols[name]; !seen {
			order = append(order, name)
		}
		cols[name] = append(cols[name], u)
	}
	for i := range recs {
		r := &recs[i]
		add("ic", r.Values[slotIC])
		add("nik", r.Values[slotNIK])
		for _, a := range r.Attrs {
			if a.Name == "salary" || a.Name == "registered" || a.Name == "password" {
				continue
			}
			add(a.Name, a.Value)
		}
	}
	for _, name := range order {
		vs := cols[name]
		if len(vs) < tooCleanMinN {
			continue
		}
		steps := map[int64]int{}
		for i := 1; i < len(vs); i++ {
			steps[int64(vs[i]-vs[i-1])]++
		}
		var best int64
		bestN := 0
		for s, c := range steps {
			if s != 0 && c > bestN {
				best, bestN = s, c
			}
		}
		if sh := float64(bestN) / float64(len(vs)-1); sh >= sequentialShare {
			return fmt.Sprintf("%s counts up by %d in %s of records", name, best, pct(sh)), sh, true
		}
	}
	return "", 0, false
}

// salary reads an amount such as 3250.00, RM3,250.00 or 3,250.
func salary(s string) (float64, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(s, "RM")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v > 0
}
