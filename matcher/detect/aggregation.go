package detect

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/semak/semak/matcher/record"
)

// Aggregation looks for a sample stitched together from several sources,
// which no single organisation's export would be:
//
//   - phones of two countries in force: for a Malaysian claim, between
//     aggregationMixLow and aggregationMixHigh of the phone numbers foreign
//     (Indonesian numbers in a Malaysian agency's register, or the other way
//     round). A few foreign numbers are normal (migrant workers, diaspora);
//     a sample that is neither one country nor the other is not.
//   - both MyKad and NIK numbers in force, by the same bounds.
//   - e-mail domains spread evenly over many domains: at least
//     aggregationMinDomains domains and a chi-square test against an even
//     spread over them that does not reject (p ≥ 0.01). People's mail is
//     dominated by one or two free providers (Gmail in Malaysia and
//     Indonesia); an even spread is what a generator picking a domain at
//     random, or a merge of company lists, produces.
//
// It is conservative and supporting evidence only: Fabricated never
// decides on it.
type Aggregation struct{}

const (
	aggregationMinN       = 50
	aggregationMixLow     = 0.2
	aggregationMixHigh    = 0.8
	aggregationMinDomains = 6
	aggregationMinEmails  = 100
	aggregationEvenP      = 0.01
)

// Name implements Detector.
func (Aggregation) Name() string { return NameAggregation }

// MinN implements Detector.
func (Aggregation) MinN() int { return aggregationMinN }

// Run implements Detector.
func (d Aggregation) Run(recs []record.Record, info Info) Result {
	if len(recs) < aggregationMinN {
		return abstain(NameAggregation, len(recs), aggregationMinN, "records")
	}
	home, away := "+60", "+62"
	if info.country() == "ID" {
		home, away = "+62", "+60"
	}
	var phones, homeN, awayN, ics, niks int
	domains := map[string]int{}
	var emails int
	for i := range recs {
		r := &recs[i]
		if p := r.Values[slotPhone]; p != "" {
			phones++
			switch {
			case strings.HasPrefix(p, home):
				homeN++
			case strings.HasPrefix(p, away):
				awayN++
			}
		}
		if r.Values[slotIC] != "" {
			ics++
		}
		if r.Values[slotNIK] != "" {
			niks++
		}
		if e := r.Values[slotEmail]; e != "" {
			if at := strings.LastIndexByte(e, '@'); at >= 0 {
				emails++
				domains[e[at+1:]]++
			}
		}
	}
	var signs []string
	share := 0.0
	mixed := func(a, total int) bool {
		if total < aggregationMinN {
			return false
		}
		f := float64(a) / float64(total)
		return f >= aggregationMixLow && f <= aggregationMixHigh
	}
	if foreign := phones - homeN; mixed(foreign, phones) {
		f := float64(foreign) / float64(phones)
		signs = append(signs, fmt.Sprintf("%s of the phone numbers are not %s", pct(f), home))
		share = max(share, min(f, 1-f))
	}
	if mixed(niks, ics+niks) {
		f := float64(niks) / float64(ics+niks)
		signs = append(signs, fmt.Sprintf("MyKad and NIK numbers mixed (%s NIK)", pct(f)))
		share = max(share, min(f, 1-f))
	}
	// Evenness of e-mail domains.
	var evenP, entropy float64
	top := 0
	if len(domains) > 0 {
		obs := make([]int, 0, len(domains))
		even := make([]float64, 0, len(domains))
		// In sorted order: a float sum in map order differs in its last
		// bits from run to run, and reports must be reproducible.
		for _, dom := range slices.Sorted(maps.Keys(domains)) {
			c := domains[dom]
			obs = append(obs, c)
			even = append(even, 1)
			top = max(top, c)
			p := float64(c) / float64(emails)
			entropy -= p * math.Log2(p)
		}
		_, _, evenP = chiSquareGOF(obs, even, 5)
		if emails >= aggregationMinEmails && len(domains) >= aggregationMinDomains && evenP >= aggregationEvenP {
			signs = append(signs, fmt.Sprintf("e-mails spread evenly over %d domains", len(domains)))
			share = max(share, 1-float64(top)/float64(emails))
		}
	}
	res := Result{
		Detector: NameAggregation,
		Flagged:  len(signs) > 0,
		Statistic: fmt.Sprintf("phones %s=%d %s=%d other=%d; ids mykad=%d nik=%d; domains=%d entropy=%.2f bits even-spread p=%.2g",
			home, homeN, away, awayN, phones-homeN-awayN, ics, niks, len(domains), entropy, evenP),
		P:     evenP,
		Share: share,
		N:     len(recs),
		MinN:  aggregationMinN,
	}
	if res.Flagged {
		res.Note = "looks aggregated from several sources: " + strings.Join(signs, "; ") + " (supporting evidence only)"
	} else {
		res.Note = "phones, IDs and e-mail domains are what one organisation's register holds"
	}
	return res
}
