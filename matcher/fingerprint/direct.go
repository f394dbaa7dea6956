package fingerprint

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// fileOut is where Commit's bytes go: the partial file, through a second
// descriptor opened with O_DIRECT where the system has it, else through
// the Writer's own descriptor.
//
// Why direct I/O: a snapshot file is written once, front to back, and
// read later through mmap. Through the page cache, writing a 10M-row
// snapshot (0.9 GB) cost the load 2.3 s of system time copying into
// fresh page-cache pages, the load's slowest single step, on a machine
// where fresh memory is dear (a VM whose host takes back freed pages); the
// same bytes by DMA from our buffer take 0.4-0.5 s of the disk's time and
// almost no CPU, and fsync has only the file's metadata left to write.
// The price: the file
// is not in the page cache afterwards, so the first Open (which reads it
// whole to check its digest) reads it from disk.
//
// O_DIRECT wants buffers, offsets and lengths aligned to the device's
// block size: bytes are gathered in an aligned buffer of directBuf bytes
// and written whole; the last, partial block is written padded with
// zeros and the file then truncated to its size. A file system that
// refuses O_DIRECT (at open, or with EINVAL on a write) gets the same
// bytes, from there on, through the page cache instead.
type fileOut struct {
	plain  *os.File // the Writer's descriptor
	direct *os.File // nil once writing through plain
	buf    []byte   // aligned; buf[:n] not yet written
	n      int
	off    int64 // where buf[0] goes
}

const (
	directAlign = 4096
	directBuf   = 4 << 20
)

// newFileOut returns the output of the partial file f, which has had
// the magic written and nothing else. Writes go on after the magic.
func newFileOut(f *os.File) *fileOut {
	o := &fileOut{plain: f}
	d, err := openDirect(f)
	if err != nil {
		return o // through the page cache, after the magic
	}
	o.direct = d
	o.buf = alignedBuf(directBuf)
	o.n = copy(o.buf, magic) // rewritten from offset 0: block 0 is one write
	return o
}

func alignedBuf(n int) []byte {
	b := make([]byte, n+directAlign)
	skip := (directAlign - int(addr(b)%directAlign)) % directAlign
	return b[skip : skip+n : skip+n]
}

func (o *fileOut) Write(p []byte) (int, error) {
	if o.buf == nil {
		return o.plain.Write(p)
	}
	total := len(p)
	for len(p) > 0 {
		k := copy(o.buf[o.n:], p)
		o.n += k
		p = p[k:]
		if o.n == len(o.buf) {
			if err := o.writeBuf(o.n); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

// writeBuf writes buf[:size] (size a multiple of directAlign, or the
// whole buffer) at off and empties the buffer.
func (o *fileOut) writeBuf(size int) error {
	if o.direct != nil {
		_, err := o.direct.WriteAt(o.buf[:size], o.off)
		if errors.Is(err, syscall.EINVAL) {
			o.direct.Close()
			o.direct = nil // the file system will not: through the page cache
		} else if err != nil {
			return err
		}
	}
	if o.direct == nil {
		if _, err := o.plain.WriteAt(o.buf[:size], o.off); err != nil {
			return err
		}
	}
	o.off += int64(size)
	o.n = 0
	return nil
}

// close writes what is buffered and makes the file exactly as long as
// what was written to it. The caller then syncs plain.
func (o *fileOut) close() error {
	if o.buf == nil {
		return nil
	}
	size := o.off + int64(o.n)
	padded := (o.n + directAlign - 1) / directAlign * directAlign
	clear(o.buf[o.n:padded])
	err := o.writeBuf(padded)
	if o.direct != nil {
		if cerr := o.direct.Close(); err == nil {
			err = cerr
		}
		o.direct = nil
	}
	if err == nil {
		err = o.plain.Truncate(size)
	}
	return err
}

// abort lets go of the direct descriptor, if any.
func (o *fileOut) abort() {
	if o.direct != nil {
		o.direct.Close()
		o.direct = nil
	}
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
