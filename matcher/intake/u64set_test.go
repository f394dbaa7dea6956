package intake

import (
	"math/rand/v2"
	"testing"
)

func TestU64Set(t *testing.T) {
	var s u64set
	ref := map[uint64]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50_000; i++ {
		k := r.Uint64() % 20_000 // many repeats
		if i%1000 == 0 {
			k = 0 // the empty marker must still be a key
		}
		if got := s.has(k); got != ref[k] {
			t.Fatalf("has(%d) = %v, want %v", k, got, ref[k])
		}
		if added := s.insert(k); added == ref[k] {
			t.Fatalf("insert(%d) = %v with the key already in the set: %v", k, added, ref[k])
		}
		ref[k] = true
	}
	if s.len() != len(ref) {
		t.Fatalf("len = %d, want %d", s.len(), len(ref))
	}
}
