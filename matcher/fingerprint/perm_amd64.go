package fingerprint

import "golang.org/x/sys/cpu"

// permuteSetSSSE3 is permuteSet with SSSE3: it goes the other way round,
// from each of the 256 filter positions y back through the inverse
// network to the position x = P⁻¹(y) and tests bit x of u, 16 positions
// at a time. A round of the network is a 16-entry table of nibbles looked
// up by a nibble, which is what PSHUFB does for 16 bytes at once; so is
// testing a bit of u, a 16-bit row of u picked by x's high nibble. Its
// time does not depend on the name.
//
//go:noescape
func permuteSetSSSE3(salt *[32]byte, u *[nameBits / 64]uint64, f *NameFilter)

var hasSSSE3 = cpu.X86.HasSSSE3

// permuteSet sets in f the image of every position set in u under the
// permutation of salt (permOf). f must be zero.
func permuteSet(salt *[32]byte, u *[nameBits / 64]uint64, f *NameFilter) {
	if hasSSSE3 {
		permuteSetSSSE3(salt, u, f)
		return
	}
	permuteSetGeneric(salt, u, f)
}
