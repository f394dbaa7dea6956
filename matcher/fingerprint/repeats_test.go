package fingerprint

import (
	"fmt"
	"hash"
	"math/rand/v2"
	"testing"
)

// sumCounter counts the MACs computed with it.
type sumCounter struct {
	hash.Hash
	n *int
}

func (c sumCounter) Sum(b []byte) []byte { *c.n++; return c.Hash.Sum(b) }

// TestRepeats: whatever the cache does, each fingerprint is the Hasher's
// own; a field of few values stops costing MACs, a field of unique or
// long values, or of values a third of which repeat, has its table
// switched off, and one of many repeating
// values (tens of thousands, with slot collisions) keeps it.
func TestRepeats(t *testing.T) {
	var macs int
	newMAC := testKey(3)
	h := NewHasher(func() hash.Hash { return sumCounter{newMAC(), &macs} })
	ref := NewHasher(testKey(3))
	fields := []string{"gender", "phone", "address", "dob", "postcode", "email"}
	c := NewRepeats(h, len(fields))
	r := rand.New(rand.NewPCG(1, 2))
	value := func(j, i int) string {
		switch fields[j] {
		case "gender":
			return []string{"M", "F"}[r.IntN(2)]
		case "phone":
			return fmt.Sprintf("+60%09d", i)
		case "address":
			return fmt.Sprintf("no %d jalan mawar %d taman molek johor bahru", r.IntN(5), r.IntN(5))
		case "dob": // 70 years of days: 25,550 values
			return fmt.Sprintf("%d-%03d", 1940+r.IntN(70), 1+r.IntN(365))
		case "email": // a third repeat: not worth the lookups
			if r.IntN(3) == 0 {
				return fmt.Sprintf("u%d@gmail.com", r.IntN(100))
			}
			return fmt.Sprintf("u%d.%d@gmail.com", i, r.IntN(100))
		default:
			return fmt.Sprintf("%05d", 40000+r.IntN(3000))
		}
	}
	const n = 4 * repeatWindow
	macsAt := map[int]int{}
	for i := range n {
		for j, f := range fields {
			v := value(j, i)
			before := macs
			if i%2 == 0 {
				// A load prefetches the slot first; the answer is the same.
				c.Prefetch(j, v)
			}
			got := c.Unbound(j, f, v)
			if want := ref.Unbound(f, v); got != want {
				t.Fatalf("record %d, %s %q: %#x from the cache, the Hasher gives %#x", i, f, v, got, want)
			}
			if i >= n-1000 {
				macsAt[j] += macs - before
			}
		}
	}
	for j, f := range fields {
		wantOff := f == "phone" || f == "address" || f == "email"
		if c.Off(j) != wantOff {
			t.Errorf("%s: table off %v, want %v", f, c.Off(j), wantOff)
		}
	}
	if m := macsAt[0]; m != 0 {
		t.Errorf("gender: %d MACs in the last 1000 records, want 0", m)
	}
	if m := macsAt[1]; m != 1000 {
		t.Errorf("phone: %d MACs in the last 1000 records, want 1000", m)
	}
	// 25,550 birth dates (70 years) in 32,768 slots: most lookups hit
	// once the first window has filled the table, collisions recompute.
	if m := macsAt[3]; m == 0 || m > 600 {
		t.Errorf("dob: %d MACs in the last 1000 records, want some (collisions) but well under 600", m)
	}
	// The same value in two fields: each field's own fingerprint.
	c2 := NewRepeats(ref, 2)
	for range 3 {
		a, b := c2.Unbound(0, "phone", "1"), c2.Unbound(1, "postcode", "1")
		if a != ref.Unbound("phone", "1") || b != ref.Unbound("postcode", "1") || a == b {
			t.Fatalf("value %q in two fields: %#x and %#x", "1", a, b)
		}
	}
}
