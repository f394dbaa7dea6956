package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"math/rand/v2"
	"slices"
	"testing"
)

func testKey(seed byte) func() hash.Hash {
	key := make([]byte, 32)
	for i := range key {
		key[i] = seed + byte(i)
	}
	return func() hash.Hash { return hmac.New(sha256.New, key) }
}

type band struct {
	name string
	d    []float64
}

func (b *band) mean() float64 {
	s := 0.0
	for _, v := range b.d {
		s += v
	}
	return s / float64(len(b.d))
}

// q returns the p-quantile.
func (b *band) q(p float64) float64 {
	s := slices.Clone(b.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// frac returns the fraction of pairs at or above t.
func (b *band) frac(t float64) float64 {
	n := 0
	for _, v := range b.d {
		if v >= t {
			n++
		}
	}
	return float64(n) / float64(len(b.d))
}

// measureDice generates n pairs of each kind, each pair under its own
// random anchor (the filters are compared only under the same anchor).
func measureDice(n int, seed uint64) (same, typos, dropped, unrelated, alike band) {
	r := rand.New(rand.NewPCG(seed, 1))
	h := NewHasher(testKey(7))
	same, typos, dropped, unrelated, alike = band{name: "same name"}, band{name: "one-letter typo"},
		band{name: "dropped token"}, band{name: "unrelated"}, band{name: "unrelated, same tradition"}
	for len(dropped.d) < n || len(same.d) < n {
		a := r.Uint64N(maxFP) + 1
		trad := r.IntN(numTraditions)
		name := genName(r, trad)
		f := h.Name(a, name)
		if len(same.d) < n {
			same.d = append(same.d, Dice(f, h.Name(a, name)))
			typos.d = append(typos.d, Dice(f, h.Name(a, typo(r, name))))
			unrelated.d = append(unrelated.d, Dice(f, h.Name(a, genName(r, r.IntN(numTraditions)))))
			alike.d = append(alike.d, Dice(f, h.Name(a, genName(r, trad))))
		}
		if d, ok := dropToken(r, name); ok && len(dropped.d) < n {
			dropped.d = append(dropped.d, Dice(f, h.Name(a, d)))
		}
	}
	return
}

// TestNameDiceBands measures the Dice bands quoted at NameMatch and checks
// that the threshold separates one-letter typos from unrelated names.
func TestNameDiceBands(t *testing.T) {
	const n = 10000
	same, typos, dropped, unrelated, alike := measureDice(n, 1)
	for _, b := range []*band{&same, &typos, &dropped, &unrelated, &alike} {
		t.Logf("%-26s mean %.3f  p1 %.3f  p5 %.3f  p50 %.3f  p95 %.3f  p99 %.3f  >=NameMatch %.4f",
			b.name, b.mean(), b.q(0.01), b.q(0.05), b.q(0.5), b.q(0.95), b.q(0.99), b.frac(NameMatch))
	}
	if same.q(0) != 1 {
		t.Errorf("same name: min Dice %.3f, want 1", same.q(0))
	}
	if !(same.mean() > typos.mean() && typos.mean() > dropped.mean() && dropped.mean() > alike.mean() && alike.mean() >= unrelated.mean()) {
		t.Errorf("bands out of order: same %.3f typo %.3f dropped %.3f alike %.3f unrelated %.3f",
			same.mean(), typos.mean(), dropped.mean(), alike.mean(), unrelated.mean())
	}
	if f := typos.frac(NameMatch); f < 0.99 {
		t.Errorf("only %.4f of typo pairs reach NameMatch %.2f, want > 0.99", f, NameMatch)
	}
	if f := unrelated.frac(NameMatch); f > 0.01 {
		t.Errorf("%.4f of unrelated pairs reach NameMatch %.2f, want < 0.01", f, NameMatch)
	}
	if f := alike.frac(NameMatch); f > 0.01 {
		t.Errorf("%.4f of unrelated same-tradition pairs reach NameMatch %.2f, want < 0.01", f, NameMatch)
	}
}

// TestPermuteSet: the filter permuteSet makes (SSSE3 on amd64, from each
// output position back through the inverse network) is the one the
// Feistel network makes position by position, for random salts and sets
// (empty, full and single positions included), and the network is a
// permutation of the 256 positions.
func TestPermuteSet(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for k := range 2000 {
		var salt [32]byte
		for i := range salt {
			salt[i] = byte(r.Uint32())
		}
		var u [nameBits / 64]uint64
		switch {
		case k < 256: // one position
			u[k>>6] = 1 << (k & 63)
		case k == 256:
			u = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		case k == 257:
		default:
			for i := range u {
				u[i] = r.Uint64() & r.Uint64() & r.Uint64()
			}
		}
		var got, want NameFilter
		permuteSet(&salt, &u, &got)
		p := permOf(&salt)
		for x := range 256 {
			if u[x>>6]>>(x&63)&1 == 1 {
				q := p.apply(uint8(x))
				want[q>>3] |= 1 << (q & 7)
			}
		}
		if got != want {
			t.Fatalf("case %d: filter %x, want %x", k, got, want)
		}
		var viaGeneric NameFilter
		permuteSetGeneric(&salt, &u, &viaGeneric)
		if viaGeneric != want {
			t.Fatalf("case %d: generic filter %x, want %x", k, viaGeneric, want)
		}
		if k == 256 && want != (NameFilter{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}) {
			t.Fatalf("the network is not a permutation: all positions give %x", want)
		}
	}
}
