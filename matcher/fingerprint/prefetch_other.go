//go:build !amd64

package fingerprint

// prefetch does nothing here: only amd64 has the instruction written out.
func prefetch(uintptr) {}
