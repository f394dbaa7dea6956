package stats

import (
	"math"
	"testing"
)

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n      int64
		low, high float64 // published values (Newcombe 1998, table I) to 3 places
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{1, 29, 0.0061, 0.1718},
		{29, 29, 0.8830, 1},
		{0, 20, 0, 0.15}, // rule of three: 3/20
		{0, 300, 0, 0.01},
		{50, 100, 0.4038, 0.5962},
	}
	for _, tt := range tests {
		r := Wilson(tt.k, tt.n)
		if math.Abs(r.Low-tt.low) > 0.0006 || math.Abs(r.High-tt.high) > 0.0006 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, r.Low, r.High, tt.low, tt.high)
		}
		if r.P != float64(tt.k)/float64(tt.n) || r.K != tt.k || r.N != tt.n {
			t.Errorf("Wilson(%d, %d) = %+v", tt.k, tt.n, r)
		}
	}
	if r := Wilson(0, 0); r.Low != 0 || r.High != 1 {
		t.Errorf("Wilson(0, 0) = %+v, want [0, 1]", r)
	}
	if r := Wilson(5, 3); r.K != 3 || r.High != 1 {
		t.Errorf("Wilson(5, 3) = %+v, want k clamped to n", r)
	}
}

func TestClearly(t *testing.T) {
	if !Clearly(Wilson(90, 100), Wilson(10, 100)) {
		t.Error("90/100 is clearly above 10/100")
	}
	if Clearly(Wilson(6, 10), Wilson(4, 10)) {
		t.Error("6/10 is not clearly above 4/10")
	}
}
