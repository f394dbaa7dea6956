// Package stats holds the small statistics every verdict is stated in: a
// proportion k/n with its 95% Wilson score interval, and the rule-of-three
// bound when nothing matched.
//
// Wilson rather than the normal approximation: samples are small (a seller
// posts 50 rows) and rates sit near 0 and 1, exactly where the normal
// interval misbehaves (it can leave [0, 1] and collapses to zero width at
// k = 0 or k = n). Wilson stays inside [0, 1] and is honest at the ends.
package stats

import "math"

// Z95 is the normal quantile for a two-sided 95% interval.
const Z95 = 1.959963984540054

// Rate is k of n with its 95% interval.
type Rate struct {
	K    int64   `json:"matched"`
	N    int64   `json:"n"`
	P    float64 `json:"rate"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Wilson returns k/n with its 95% Wilson score interval. When k is 0 the
// upper bound is the rule-of-three bound 3/n (the 95% one-sided bound for
// a rate nothing was seen of), which is what reports quote for "no match".
// n = 0 gives the uninformative interval [0, 1].
func Wilson(k, n int64) Rate {
	if n <= 0 {
		return Rate{Low: 0, High: 1}
	}
	k = min(max(k, 0), n)
	p := float64(k) / float64(n)
	z2 := Z95 * Z95
	nf := float64(n)
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := Z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	r := Rate{K: k, N: n, P: p, Low: math.Max(0, centre-half), High: math.Min(1, centre+half)}
	if k == 0 {
		r.Low, r.High = 0, RuleOfThree(n)
	}
	if k == n {
		r.High = 1
	}
	return r
}

// RuleOfThree is the 95% upper bound on a rate when 0 of n were seen: 3/n
// (capped at 1).
func RuleOfThree(n int64) float64 {
	if n <= 0 {
		return 1
	}
	return math.Min(1, 3/float64(n))
}

// Clearly says whether rate a is clearly above rate b: their intervals do
// not overlap.
func Clearly(a, b Rate) bool { return a.Low > b.High }
