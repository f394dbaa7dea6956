package detect

import (
	"fmt"
	"math"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// FakerMyKad recognises MyKad numbers drawn the way Python Faker's ms_MY
// provider draws them (faker/providers/ssn/ms_MY, Provider.ssn):
//
//	state, codes = random.choice(list(place_of_birth_in_malaysia.items()))
//	state_code   = random.choice(codes)
//	birthday     = today - timedelta(days=random_int(18*365, 90*365))
//	ssn = birthday.strftime("%y%m%d") + state_code
//	      + str(random_int(0, 9)) + str(random_int(10, 99)) + gender_digit
//
// so the state of birth is uniform over the 16 states and territories
// (Putrajaya, Labuan and Perlis each get 1/16 = 6.25%, where real births
// are about 0.3%, 0.3% and 0.9%), no foreign code (60-99) ever appears,
// ages are uniform between 18 and 90 at generation time, and of the
// 12-digit number the 10th and 11th characters (counting from 1; the 2nd
// and 3rd of the 4-digit serial) are random_int(10, 99), so the 10th is
// never '0'. Which codes of a state appear depends on the version: the
// provider above picks any of a state's codes (01-16 and 21-59 alike,
// Penang without 34), older fabricators such as the test world's use only
// the 01-16 code of each state; both give the same uniform state mix,
// which is what the detector tests.
//
// The decision rests on the state mix alone, the one trait every variant
// shares: a chi-square goodness-of-fit test of the states of birth against
// the census population shares (the smallest states pooled until every
// bin expects at least one record) must reject with p < 1e-6, AND the same counts must be
// consistent with a uniform spread over the 16 states (chi-square p ≥
// 1e-3), AND foreign codes must be under 5%. A genuine register can be
// far from the census mix (a regional employer), but then it is far from
// uniform as well; a uniform mix with Putrajaya as common as Selangor is
// what no population has. The age test (Kolmogorov–Smirnov against
// uniform 18-90), the serial digit and the share of codes 21-59 are
// reported as supporting evidence only: they vary between generator
// versions and are not known well enough for real registers.
//
// Share is the maximum-likelihood share of Faker-drawn records in a
// mixture of the uniform state mix and the census mix, so a sample padded
// half with Faker records shows about 0.5.
type FakerMyKad struct{}

const (
	fakerMinN       = 50
	fakerPopP       = 1e-6 // the census mix must be rejected at least this strongly
	fakerUniformP   = 1e-3 // and the uniform mix not rejected below this
	fakerMaxForeign = 0.05
	fakerMinAge     = 18.0
	fakerMaxAge     = 90.0

	// fakerPoolMinExpected pools the smallest states of the census test
	// until each bin expects a record: pooling to 5, the textbook rule,
	// pools Putrajaya, Labuan and Perlis with the mid-sized states and
	// loses the signal at n = 100 (9 of 400 Faker samples missed), while
	// genuine samples stay far from the threshold at 1 (the smallest p of
	// 20,000 genuine world samples of 50 that pass the uniformity
	// condition was 6e-5).
	fakerPoolMinExpected = 1
)

// Name implements Detector.
func (FakerMyKad) Name() string { return NameFakerMyKad }

// MinN implements Detector.
func (FakerMyKad) MinN() int { return fakerMinN }

// birthStates are the 16 states and federal territories with their
// population in thousands, census 2020 (DOSM), used as the reference mix
// of states of birth. Residence is not birth place (the Klang Valley has
// more residents than births, Putrajaya was founded in 1995 and few adults
// were born there), so the table is approximate; the test's threshold and
// its uniformity condition leave room for that. Codes 01-16 and 21-59 map
// to states through normalize.StateOfPlaceCode; codes 21-59 are the older
// codes, carried mostly by people born before the 1990s.
var birthStates = []struct {
	state string
	pop   float64
}{
	{"johor", 4010}, {"kedah", 2131}, {"kelantan", 1793}, {"melaka", 998},
	{"negeri sembilan", 1199}, {"pahang", 1591}, {"pulau pinang", 1740}, {"perak", 2497},
	{"perlis", 285}, {"selangor", 6994}, {"terengganu", 1149}, {"sabah", 3418},
	{"sarawak", 2453}, {"wp kuala lumpur", 1982}, {"wp labuan", 95}, {"wp putrajaya", 109},
}

var (
	stateIndex  = map[string]int{}
	popShares   []float64
	uniformMix  []float64
	putrajayaIx int
)

func init() {
	total := 0.0
	for _, s := range birthStates {
		total += s.pop
	}
	for i, s := range birthStates {
		stateIndex[s.state] = i
		popShares = append(popShares, s.pop/total)
		uniformMix = append(uniformMix, 1/float64(len(birthStates)))
	}
	putrajayaIx = stateIndex["wp putrajaya"]
}

// genuineForeignShare is the share of foreign place-of-birth codes assumed
// for a genuine register in the mixture estimate.
const genuineForeignShare = 0.02

// Run implements Detector.
func (d FakerMyKad) Run(recs []record.Record, info Info) Result {
	now := info.now()
	n := normalize.New(normalize.Options{Now: now})
	counts := make([]int, len(birthStates))
	var kads, foreign, old, serialZero int
	var ages []float64
	for i := range recs {
		ic := recs[i].Values[slotIC]
		if ic == "" {
			continue
		}
		k, err := n.MyKad(ic)
		if err != nil {
			continue
		}
		kads++
		if k.Number[9] == '0' {
			serialZero++
		}
		ages = append(ages, now.Sub(k.Birth).Hours()/24/365.2425)
		st, ok := normalize.StateOfPlaceCode(k.PlaceCode)
		if !ok {
			foreign++
			continue
		}
		counts[stateIndex[st]]++
		if k.PlaceCode >= "21" {
			old++
		}
	}
	if kads < fakerMinN {
		return abstain(NameFakerMyKad, kads, fakerMinN, "valid MyKad numbers")
	}
	local := kads - foreign
	popX2, popDF, popP := chiSquareGOF(counts, popShares, fakerPoolMinExpected)
	uniX2, uniDF, uniP := chiSquareGOF(counts, uniformMix, 3)
	ksD, ksP := ksTest(ages, func(a float64) float64 {
		return min(1, max(0, (a-fakerMinAge)/(fakerMaxAge-fakerMinAge)))
	})
	foreignShare := float64(foreign) / float64(kads)
	share := fakerMixture(counts, foreign)
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	res := Result{
		Detector: NameFakerMyKad,
		Flagged:  local >= fakerMinN && popP < fakerPopP && uniP >= fakerUniformP && foreignShare < fakerMaxForeign,
		Statistic: fmt.Sprintf("states vs census chi2=%.1f df=%d p=%.2g; vs uniform chi2=%.1f df=%d p=%.2g; ages vs U(18,90) K-S D=%.3f p=%.2g; codes 21-59 %s; foreign %s; 10th digit 0 %s",
			popX2, popDF, popP, uniX2, uniDF, uniP, ksD, ksP, pct(ratio(old, local)), pct(foreignShare), pct(ratio(serialZero, kads))),
		P:     popP,
		Share: share,
		N:     kads,
		MinN:  fakerMinN,
	}
	ageNote := "ages are not uniform 18-90"
	if ksP >= 0.01 {
		ageNote = "ages fit Faker's uniform 18-90"
	}
	serialNote := ""
	if serialZero == 0 {
		serialNote = ", and no 10th digit is 0, as in Faker's serial"
	}
	if res.Flagged {
		res.Note = fmt.Sprintf("the %d MyKads' places of birth are spread evenly over the 16 states as Faker draws them (Putrajaya %s, where about 0.3%% of people are born), not as people are born (p=%.2g); %s%s",
			kads, pct(ratio(counts[putrajayaIx], local)), popP, ageNote, serialNote)
		return res
	}
	switch {
	case popP >= fakerPopP:
		res.Note = fmt.Sprintf("the %d MyKads' places of birth are consistent with the census mix of states (p=%.2g); %s", kads, popP, ageNote)
	case uniP < fakerUniformP:
		res.Note = fmt.Sprintf("the %d MyKads' places of birth differ from the census mix (p=%.2g) but are not spread evenly as Faker's are (p=%.2g): a regional population or a mixture", kads, popP, uniP)
	default:
		res.Note = fmt.Sprintf("the %d MyKads include %s foreign place-of-birth codes, which Faker never draws", kads, pct(foreignShare))
	}
	return res
}

// fakerMixture is the maximum-likelihood share π of Faker-drawn records
// when each record's state of birth comes from π·uniform + (1-π)·census,
// found by EM. Foreign codes count as genuine: Faker never draws them.
func fakerMixture(counts []int, foreign int) float64 {
	total := foreign
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	pi := 0.5
	for range 500 {
		sum := 0.0
		for i, c := range counts {
			if c == 0 {
				continue
			}
			f := pi * uniformMix[i]
			g := (1 - pi) * popShares[i] * (1 - genuineForeignShare)
			sum += float64(c) * f / (f + g)
		}
		next := sum / float64(total)
		if math.Abs(next-pi) < 1e-9 {
			pi = next
			break
		}
		pi = next
	}
	return pi
}
