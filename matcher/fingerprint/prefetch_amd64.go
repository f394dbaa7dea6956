package fingerprint

// prefetch asks the CPU to bring the cache line at addr closer without
// waiting for it (PREFETCHT0). Go has no intrinsic for it; a plain load
// would hold back the instructions after it until the line arrived. The
// address is a uintptr, not a pointer: it may lie past the end of an
// object (the next line of a column), which a pointer must not, and a
// prefetch never faults.
func prefetch(addr uintptr)
