//go:build !amd64

package fingerprint

// permute replaces each position in xs, whose length is a multiple of 16,
// by its image under the permutation of salt (permOf).
func permute(salt *[32]byte, xs []uint8) { permuteGeneric(salt, xs) }
