package intake

// u64set is a set of 64-bit hashes with open addressing: a flat slice probed
// linearly, 8 bytes a key at most half full. Counting the unique records of
// a million-row sample with a Go map cost a fifth of the whole intake.
type u64set struct {
	slots   []uint64 // 0 marks an empty slot
	hasZero bool     // key 0, which cannot live in a slot
	n       int
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

// add inserts k, which must not be in the set.
func (s *u64set) add(k uint64) {
	if k == 0 {
		s.hasZero = true
		s.n++
		return
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	i := k & mask
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = k
	s.n++
}

func (s *u64set) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
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
