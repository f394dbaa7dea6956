package fingerprint

import "golang.org/x/sys/cpu"

// permuteSSSE3 is permute with PSHUFB: a round of the Feistel network is
// a 16-entry nibble table looked up for 16 positions at once, which is
// what PSHUFB does. len(xs) must be a multiple of 16.
//
//go:noescape
func permuteSSSE3(salt *[32]byte, xs []uint8)

var hasSSSE3 = cpu.X86.HasSSSE3

// permute replaces each position in xs, whose length is a multiple of 16,
// by its image under the permutation of salt (permOf).
func permute(salt *[32]byte, xs []uint8) {
	if hasSSSE3 {
		permuteSSSE3(salt, xs)
		return
	}
	permuteGeneric(salt, xs)
}
