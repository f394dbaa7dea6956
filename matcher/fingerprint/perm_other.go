//go:build !amd64

package fingerprint

// permuteSet sets in f the image of every position set in u under the
// permutation of salt (permOf). f must be zero.
func permuteSet(salt *[32]byte, u *[nameBits / 64]uint64, f *NameFilter) {
	permuteSetGeneric(salt, u, f)
}
