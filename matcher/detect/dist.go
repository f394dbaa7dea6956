package detect

import (
	"math"
	"sort"
)

// chiSquareSF is P(X >= x) for X chi-square distributed with df degrees of
// freedom: the regularised upper incomplete gamma function Q(df/2, x/2).
func chiSquareSF(x float64, df int) float64 {
	if df <= 0 || math.IsNaN(x) {
		return math.NaN()
	}
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, x/2)
}

// gammaQ is the regularised upper incomplete gamma function Q(a, x) =
// Γ(a, x)/Γ(a): by its series when x < a+1, where the series converges
// fast, and by its continued fraction (modified Lentz) otherwise, as in
// Numerical Recipes §6.2.
func gammaQ(a, x float64) float64 {
	if x <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		// P(a, x) = e^-x x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
		sum, del, ap := 1/a, 1/a, a
		for range 1000 {
			ap++
			del *= x / ap
			sum += del
			if math.Abs(del) < math.Abs(sum)*1e-16 {
				break
			}
		}
		p := sum * math.Exp(-x+a*math.Log(x)-lg)
		return max(0, 1-p)
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i <= 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// kolmogorovSF is P(K > λ) for the Kolmogorov distribution:
// 2 Σ_{k≥1} (-1)^(k-1) e^(-2k²λ²). Below λ = 0.2 the series converges
// slowly and the probability is 1 to 15 digits.
func kolmogorovSF(lambda float64) float64 {
	if lambda < 0.2 {
		return 1
	}
	sum, sign := 0.0, 1.0
	for k := 1; k <= 100; k++ {
		term := math.Exp(-2 * float64(k*k) * lambda * lambda)
		sum += sign * term
		if term < 1e-17 {
			break
		}
		sign = -sign
	}
	return min(1, max(0, 2*sum))
}

// ksTest is the one-sample Kolmogorov–Smirnov test of xs against the
// continuous CDF cdf: the statistic D and its p-value by the Kolmogorov
// distribution with Stephens' small-sample correction
// λ = (√n + 0.12 + 0.11/√n)·D. xs is sorted in place.
func ksTest(xs []float64, cdf func(float64) float64) (d, p float64) {
	n := len(xs)
	if n == 0 {
		return 0, 1
	}
	sort.Float64s(xs)
	nf := float64(n)
	for i, x := range xs {
		f := cdf(x)
		d = max(d, float64(i+1)/nf-f, f-float64(i)/nf)
	}
	sq := math.Sqrt(nf)
	return d, kolmogorovSF((sq + 0.12 + 0.11/sq) * d)
}

// chiSquareGOF is Pearson's goodness-of-fit statistic of observed counts
// against expected shares, with bins pooled so that every expected count
// is at least minExp (the smallest bins are merged first): the
// approximation by the chi-square distribution is wrong for bins with an
// expected count near zero, and a genuine sample with two people born in
// Putrajaya must not look like a generator. It returns the statistic, the
// degrees of freedom (pooled bins minus one) and the p-value.
func chiSquareGOF(obs []int, shares []float64, minExp float64) (x2 float64, df int, p float64) {
	total, sumShare := 0, 0.0
	for i, o := range obs {
		total += o
		sumShare += shares[i]
	}
	if total == 0 || sumShare <= 0 {
		return 0, 0, 1
	}
	idx := make([]int, len(obs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return shares[idx[a]] < shares[idx[b]] })
	type bin struct{ o, e float64 }
	var bins []bin
	var pool bin
	for _, i := range idx {
		pool.o += float64(obs[i])
		pool.e += shares[i] / sumShare * float64(total)
		if pool.e >= minExp {
			bins = append(bins, pool)
			pool = bin{}
		}
	}
	if pool.e > 0 || pool.o > 0 {
		if len(bins) == 0 {
			bins = append(bins, pool)
		} else { // a remainder too small to stand alone joins the last bin
			bins[len(bins)-1].o += pool.o
			bins[len(bins)-1].e += pool.e
		}
	}
	if len(bins) < 2 {
		return 0, 0, 1
	}
	for _, b := range bins {
		x2 += (b.o - b.e) * (b.o - b.e) / b.e
	}
	df = len(bins) - 1
	return x2, df, chiSquareSF(x2, df)
}
