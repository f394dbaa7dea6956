//go:build !linux

package fingerprint

import (
	"errors"
	"io"
	"os"
)

// The portable fallback: the snapshot is read into memory with ReadAt (the
// lookups are the same, only the file's pages are on the heap instead of
// shared with the page cache), and partial files are not locked, so
// CleanPartials must only run when no writer does.

func mapFile(f *os.File, size int64) ([]byte, func([]byte) error, error) {
	if int64(int(size)) != size {
		return nil, nil, errors.New("file too large to read")
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, nil, err
	}
	return b, func([]byte) error { return nil }, nil
}

func adviseSequential([]byte) {}
func adviseRandom([]byte)     {}

func tryLock(*os.File) (bool, error) { return true, nil }

func preallocate(*os.File, int64) {}

func openDirect(*os.File) (*os.File, error) { return nil, errors.New("no O_DIRECT here") }
