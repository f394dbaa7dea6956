package fingerprint

import (
	"fmt"
	"hash"
	"hash/fnv"
	"strings"
	"testing"
	"unsafe"
)

func TestHasherDomainSeparation(t *testing.T) {
	h := NewHasher(testKey(1))
	fps := map[string]uint64{
		"anchor":      h.Anchor("ic", "x"),
		"unbound":     h.Unbound("ic", "x"),
		"bound":       h.Bound("ic", "x", "x"),
		"bound-empty": h.Bound("ic", "", "x"),
		"whole":       h.Whole([]string{"ic", "x"}),
		"whole-1":     h.Whole([]string{"icx"}),
	}
	seen := map[uint64]string{}
	for k, v := range fps {
		if v == None || v > maxFP {
			t.Errorf("%s: %#x is not a %d-bit fingerprint", k, v, Bits)
		}
		if o, dup := seen[v]; dup {
			t.Errorf("%s and %s share fingerprint %#x", k, o, v)
		}
		seen[v] = k
	}
}

func TestHasherLengthPrefix(t *testing.T) {
	h := NewHasher(testKey(1))
	tests := []struct {
		name string
		a, b uint64
	}{
		{"anchor field/value", h.Anchor("ab", "c"), h.Anchor("a", "bc")},
		{"unbound field/value", h.Unbound("ab", "c"), h.Unbound("a", "bc")},
		{"bound anchor/value", h.Bound("f", "ab", "c"), h.Bound("f", "a", "bc")},
		{"bound field/anchor", h.Bound("fa", "b", "c"), h.Bound("f", "ab", "c")},
		{"whole split", h.Whole([]string{"ab", "c"}), h.Whole([]string{"a", "bc"})},
		{"whole empty part", h.Whole([]string{"a", ""}), h.Whole([]string{"a"})},
		{"whole none", h.Whole(nil), h.Whole([]string{""})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a == tt.b {
				t.Errorf("ambiguous encoding: both give %#x", tt.a)
			}
		})
	}
}

func TestHasherDeterministicAndKeyed(t *testing.T) {
	h1, h2, other := NewHasher(testKey(1)), NewHasher(testKey(1)), NewHasher(testKey(2))
	calls := []func(h *Hasher) uint64{
		func(h *Hasher) uint64 { return h.Anchor("ic", "850101145678") },
		func(h *Hasher) uint64 { return h.Bound("phone", "850101145678", "+60123456789") },
		func(h *Hasher) uint64 { return h.Unbound("email", "siti@example.com") },
		func(h *Hasher) uint64 { return h.Whole([]string{"850101145678", "siti aminah", "+60123456789"}) },
	}
	for i, c := range calls {
		a, b, o := c(h1), c(h2), c(other)
		if a != b {
			t.Errorf("call %d: same key, different fingerprints %#x %#x", i, a, b)
		}
		if a == o {
			t.Errorf("call %d: different keys, same fingerprint %#x", i, a)
		}
		if c(h1) != a {
			t.Errorf("call %d: not deterministic on reuse", i)
		}
	}
	a := h1.Anchor("ic", "850101145678")
	n1, n2, no := h1.Name(a, "abdullah ahmad"), h2.Name(a, "abdullah ahmad"), other.Name(a, "abdullah ahmad")
	if n1 != n2 {
		t.Error("name filter: same key, different filters")
	}
	if n1 == no {
		t.Error("name filter: different keys, same filter")
	}
	if n1 == h1.Name(a+1, "abdullah ahmad") {
		t.Error("name filter: different anchors, same filter (the per-record permutation is missing)")
	}
	if Dice(n1, h1.Name(a, "ahmad abdullah")) != 1 {
		t.Error("name filter depends on token order")
	}
	if !h1.Name(a, "").IsZero() || !h1.Name(a, "   ").IsZero() {
		t.Error("empty name: want the zero filter")
	}
	if Dice(NameFilter{}, NameFilter{}) != 0 {
		t.Error("Dice of two empty filters: want 0")
	}
}

// TestPermutation checks that the per-record Feistel network is a
// permutation of the 256 positions.
func TestPermutation(t *testing.T) {
	h := NewHasher(testKey(3))
	for a := uint64(1); a < 50; a++ {
		p := permOf((*[32]byte)(h.salt(a)))
		var seen [256]bool
		for x := range 256 {
			y := p.apply(uint8(x))
			if seen[y] {
				t.Fatalf("anchor %d: position %d hit twice", a, y)
			}
			seen[y] = true
		}
	}
}

func TestHasherAllocs(t *testing.T) {
	h := NewHasher(testKey(1))
	vals := []string{"850101145678", "siti aminah", "+60123456789"}
	a := h.Anchor("ic", vals[0])
	h.Name(a, "aminah ismail siti") // warm the bigram cache
	tests := []struct {
		name string
		f    func()
	}{
		{"Anchor", func() { h.Anchor("ic", vals[0]) }},
		{"Bound", func() { h.Bound("phone", vals[0], vals[2]) }},
		{"Unbound", func() { h.Unbound("phone", vals[2]) }},
		{"Whole", func() { h.Whole(vals) }},
		{"Name", func() { h.Name(a, "aminah ismail siti") }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %.1f allocations per call, want 0", tt.name, n)
		}
	}
}

func TestBigramCacheBounded(t *testing.T) {
	h := NewHasher(testKey(1))
	a := h.Anchor("ic", "x")
	f1 := h.Name(a, "ab cd")
	for i := range 3 * maxBigramCache {
		h.Name(a, string(rune(0x4e00+i))+string(rune(0x4e00+i/7)))
		if len(h.pos) > maxBigramCache {
			t.Fatalf("cache grew to %d entries", len(h.pos))
		}
	}
	if h.Name(a, "ab cd") != f1 {
		t.Error("filter changed after the cache was emptied")
	}
}

func TestNewHasherShortMAC(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHasher accepted a 4-byte MAC")
		}
	}()
	NewHasher(func() hash.Hash { return fnv.New32a() })
}

// TestHasherPrintsNothing: a Hasher printed by mistake shows neither its
// MAC's key-derived state nor the name fragments it caches.
func TestHasherPrintsNothing(t *testing.T) {
	h := NewHasher(testKey(1))
	h.Name(h.Anchor("ic", "x"), "zulkifli ahmad")
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, h); strings.Contains(s, "zulkifli") || len(s) > 40 {
			t.Errorf("%s of a Hasher: %q", f, s)
		}
	}
}

// TestHasherOwnLines: a Hasher and its buffers take whole cache lines
// (see Hasher), on 64-bit platforms.
func TestHasherOwnLines(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the padding is worked out for 64-bit platforms")
	}
	if n := unsafe.Sizeof(Hasher{}); n != 128 {
		t.Errorf("a Hasher is %d bytes, want 128: adjust hasherPad", n)
	}
	h := NewHasher(testKey(1))
	for name, b := range map[string][]byte{"buf": h.buf, "sum": h.sum} {
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b[:1]))); p%64 != 0 || cap(b)%64 != 0 {
			t.Errorf("%s at %#x, capacity %d: want whole lines", name, p, cap(b))
		}
	}
	if p := uintptr(unsafe.Pointer(h)); p%64 != 0 {
		t.Errorf("Hasher at %#x: want a line of its own", p)
	}
}
