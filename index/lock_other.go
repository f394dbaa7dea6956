//go:build !unix

package index

import (
	"errors"
	"os"
)

func lockDir(dir string) (*os.File, error) {
	return nil, errors.New("index: locking an index directory is only implemented on unix systems")
}

func unlockDir(f *os.File) error { return f.Close() }
