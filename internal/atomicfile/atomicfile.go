// Package atomicfile writes small files (state, cookies, pointers) so that
// a reader, or the writer after a crash, sees either the old content or the
// new, never a mix: the data goes to a temporary file in the same
// directory, is synced, and is renamed over the name; the directory is
// synced too, so the rename itself survives a crash.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile puts data at path, mode 0600 (state and cookies are nobody
// else's business), making the directory (0700) if it is missing. On error
// the temporary file is removed and whatever was at path is left as it was.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every file system syncs directories
		_ = d.Close()
	}
	return nil
}
