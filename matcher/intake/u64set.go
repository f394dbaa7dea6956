package intake

// u64set is a set of 64-bit hashes with open addressing: a flat slice probed
// linearly, 8 bytes a key at most half full. Counting the unique records of
// a million-row sample with a Go map cost a fifth of the whole intake.
//
// With a million keys the slice is tens of megabytes, so nearly every probe
// misses the CPU caches. Two things keep that cheap: reserve sizes the
// slice once from an estimate instead of rehashing it on the way up, and
// touch loads the home slots of a batch of keys before they are inserted
// one by one, so the cache misses overlap instead of queueing.
type u64set struct {
	slots   []uint64 // 0 marks an empty slot
	hasZero bool     // key 0, which cannot live in a slot
	n       int
	sink    uint64 // keeps touch's loads from being optimised away
}

func (s *u64set) len() int { return s.n }

func (s *u64set) has(k uint64) bool {
	if k == 0 {
		return s.hasZero
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// insert adds k unless it is in the set already, and reports whether it
// added it: one probe sequence where has followed by add takes two.
func (s *u64set) insert(k uint64) bool {
	if k == 0 {
		if s.hasZero {
			return false
		}
		s.hasZero = true
		s.n++
		return true
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow(len(s.slots) * 2)
	}
	mask := uint64(len(s.slots) - 1)
	i := k & mask
	for {
		switch s.slots[i] {
		case k:
			return false
		case 0:
			s.slots[i] = k
			s.n++
			return true
		}
		i = (i + 1) & mask
	}
}

// reserve makes room for n keys in all without growing again. It only
// ever grows the set.
func (s *u64set) reserve(n int) {
	size := max(1024, len(s.slots))
	for 2*(n+1) > size {
		size *= 2
	}
	if size > len(s.slots) {
		s.grow(size)
	}
}

// touch loads the slot each of keys would be probed at first. The loads
// are independent of each other, so the processor overlaps their cache
// misses; the inserts that follow then find the slots in the cache. It
// changes nothing in the set.
func (s *u64set) touch(keys []uint64) {
	if len(s.slots) == 0 {
		return
	}
	mask := uint64(len(s.slots) - 1)
	var x uint64
	for _, k := range keys {
		x += s.slots[k&mask]
	}
	s.sink += x
}

// grow rehashes the set into size slots (a power of two, at least 1024).
func (s *u64set) grow(size int) {
	old := s.slots
	s.slots = make([]uint64, max(1024, size))
	mask := uint64(len(s.slots) - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := k & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
}
