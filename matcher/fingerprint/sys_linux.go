//go:build linux

package fingerprint

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// On Linux a snapshot is mmapped (lookups are page-cache reads with no
// system call) and partial files are held under flock, so CleanPartials can
// run while writers are busy. sys_other.go is the portable fallback.

func mapFile(f *os.File, size int64) ([]byte, func([]byte) error, error) {
	if int64(int(size)) != size {
		return nil, nil, errors.New("file too large to map")
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, syscall.Munmap, nil
}

// adviseSequential and adviseRandom tell the kernel how the mapping is
// read: once front to back by the checksum, then at random by lookups
// (where readahead would only evict useful pages). Advice is best effort.
func adviseSequential(b []byte) { _ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL) }
func adviseRandom(b []byte)     { _ = syscall.Madvise(b, syscall.MADV_RANDOM) }

// tryLock takes an exclusive flock on f without waiting. The kernel drops
// it when the holder's process dies, however it dies.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// preallocate allocates size bytes of disk for f, which is about to be
// written to that size: ext4 then need not find blocks write by write.
// Best effort: a file system without fallocate just allocates as it goes.
func preallocate(f *os.File, size int64) {
	_ = syscall.Fallocate(int(f.Fd()), 0, 0, size)
}

// openDirect opens f again for writing with O_DIRECT (see fileOut),
// through /proc/self/fd: the very file, whatever its name or the working
// directory.
func openDirect(f *os.File) (*os.File, error) {
	return os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), os.O_WRONLY|syscall.O_DIRECT, 0)
}
