package detect

import (
	"math"
	"testing"
)

func TestChiSquareSF(t *testing.T) {
	for _, c := range []struct {
		x    float64
		df   int
		want float64
	}{
		{3.841459, 1, 0.05},
		{6.634897, 1, 0.01},
		{18.307038, 10, 0.05},
		{2, 2, math.Exp(-1)}, // df=2 is exponential: e^(-x/2)
		{40, 2, math.Exp(-20)},
		{30.577914, 15, 0.01},
		{0, 5, 1},
		{5, 5, 0.4158801},
		{1, 30, 1},
	} {
		got := chiSquareSF(c.x, c.df)
		if math.Abs(got-c.want) > 1e-5*max(1, c.want) && math.Abs(got/c.want-1) > 1e-5 {
			t.Errorf("chiSquareSF(%v, %d) = %.8g, want %.8g", c.x, c.df, got, c.want)
		}
	}
}

func TestKolmogorovSF(t *testing.T) {
	for _, c := range []struct{ lambda, want float64 }{
		{1.3580986, 0.05},
		{1.6276236, 0.01},
		{1.2238479, 0.10},
		{0.8275735, 0.50},
		{0.1, 1},
	} {
		if got := kolmogorovSF(c.lambda); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("kolmogorovSF(%v) = %.7f, want %.7f", c.lambda, got, c.want)
		}
	}
}

func TestKSTest(t *testing.T) {
	uniform := func(x float64) float64 { return min(1, max(0, x)) }
	// Evenly spaced points: D = 1/(2n), nowhere near a rejection.
	n := 100
	xs := make([]float64, n)
	for i := range xs {
		xs[n-1-i] = (float64(i) + 0.5) / float64(n)
	}
	d, p := ksTest(xs, uniform)
	if math.Abs(d-0.005) > 1e-12 || p < 0.999 {
		t.Errorf("even: D=%v p=%v", d, p)
	}
	// All points in the lower half: D = 0.5, rejected.
	for i := range xs {
		xs[i] = float64(i) / float64(2*n)
	}
	d, p = ksTest(xs, uniform)
	if math.Abs(d-0.5) > 0.01 || p > 1e-15 {
		t.Errorf("half: D=%v p=%v", d, p)
	}
	// The textbook critical value: D = 1.358/√n at p ≈ 0.05 for large n.
	if _, p := ksTest([]float64{}, uniform); p != 1 {
		t.Errorf("empty: p=%v", p)
	}
}

func TestChiSquareGOF(t *testing.T) {
	// A perfect fit.
	x2, df, p := chiSquareGOF([]int{25, 25, 25, 25}, []float64{1, 1, 1, 1}, 5)
	if x2 != 0 || df != 3 || p != 1 {
		t.Errorf("perfect fit: x2=%v df=%v p=%v", x2, df, p)
	}
	// Two bins, 60/40 of 100 against 50/50: x2 = 4, df 1.
	x2, df, p = chiSquareGOF([]int{60, 40}, []float64{0.5, 0.5}, 5)
	if math.Abs(x2-4) > 1e-12 || df != 1 || math.Abs(p-0.0455003) > 1e-6 {
		t.Errorf("60/40: x2=%v df=%v p=%v", x2, df, p)
	}
	// Small bins are pooled: shares 0.01, 0.01, 0.98 of 100 expect 1, 1
	// and 98; pooled to at least 5 they make one bin: no test.
	if _, df, _ := chiSquareGOF([]int{2, 0, 98}, []float64{0.01, 0.01, 0.98}, 5); df != 0 {
		t.Errorf("pooled: df=%d, want 0", df)
	}
	// Pooled to at least 1: the two small bins stay apart.
	if _, df, _ := chiSquareGOF([]int{2, 0, 98}, []float64{0.01, 0.01, 0.98}, 1); df != 2 {
		t.Errorf("pooled to 1: df=%d, want 2", df)
	}
}
