package crawler

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
	"unicode"
)

// A post's resemblance sketch is a MinHash signature (Broder 1997) of its
// word 2-shingles: the share of equal slots of two signatures estimates
// the Jaccard similarity of the two bodies' shingle sets, so a repost
// with a price or a line changed still resembles the original while an
// unrelated ad does not. 64 slots estimate within about ±0.06.
const (
	sketchSlots = 64
	// minShingleWords: bodies shorter than this get no sketch and are
	// never called reposts ("pm sent" is not a repost).
	minShingleWords = 12
	// repostJaccard is the least estimated similarity taken for one post
	// lightly edited.
	repostJaccard = 0.6
)

// sketch returns the body's signature, 4 bytes per slot, or nil for a
// short body.
func sketch(text string) []byte {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) < minShingleWords {
		return nil
	}
	var mins [sketchSlots]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	h := fnv.New64a()
	for i := 0; i+2 <= len(words); i++ {
		h.Reset()
		h.Write([]byte(words[i]))
		h.Write([]byte{0})
		h.Write([]byte(words[i+1]))
		x := h.Sum64()
		for s := range mins {
			// One cheap permutation per slot: multiply by an odd
			// constant of its own, mix, keep the high half.
			v := x*(0x9e3779b97f4a7c15+2*uint64(s)*0xbf58476d1ce4e5b9+2) ^ uint64(s)*0x94d049bb133111eb
			v ^= v >> 31
			if m := uint32(v >> 32); m < mins[s] {
				mins[s] = m
			}
		}
	}
	out := make([]byte, 4*sketchSlots)
	for s, m := range mins {
		binary.LittleEndian.PutUint32(out[4*s:], m)
	}
	return out
}

// resemblance estimates the Jaccard similarity of two sketched bodies; 0
// when either has no sketch.
func resemblance(a, b []byte) float64 {
	if len(a) != 4*sketchSlots || len(b) != 4*sketchSlots {
		return 0
	}
	same := 0
	for s := 0; s < len(a); s += 4 {
		if string(a[s:s+4]) == string(b[s:s+4]) {
			same++
		}
	}
	return float64(same) / sketchSlots
}

func nearDuplicate(a, b []byte) bool { return resemblance(a, b) >= repostJaccard }
