package fingerprint

import "unsafe"

// prefetch asks the CPU to bring the cache line at p closer without
// waiting for it (PREFETCHT0). Go has no intrinsic for it; a plain load
// would hold back the instructions after it until the line arrived.
//
//go:noescape
func prefetch(p unsafe.Pointer)
