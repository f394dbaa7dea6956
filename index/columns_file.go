package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"

	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/semak/semak/internal/atomicfile"
)

// Reading a segment's columns from its dictionaries takes about 3 s per
// million postings, which a long-running process pays once but every
// `semak search` would pay again. So the columns of each segment on disk
// are kept beside it, in colsDir of the generation, in a file named after
// the segment's (segments never change, so neither does the file), and
// loaded from there in a tenth of the time. The files are a cache: one
// that is missing, from another version, damaged or of another segment is
// read again from the segment and rewritten; one whose segment file is
// gone is removed. "Of another segment": scorch names segments by a
// counter that restarts from the highest on disk, so after a restart a
// new segment can take the name of one whose documents were all deleted
// (its file removed, its columns not yet). A file therefore records the
// zap file's own CRC-32 and document count, and is used only for the
// segment that has both.
//
// Layout, little-endian: the magic, the segment's CRC-32, n (documents),
// then the ids (a length
// and the bytes of all of them, then n+1 offsets), the n dates, the n
// record counts, the facet terms (a count, then each with its length),
// their n+1 document offsets and the documents, and last a CRC-32C of
// everything before it. The termTable numbers are not stored: they belong
// to one process.

const (
	colsDir   = "semak-columns"
	colsMagic = "SEMAKCOL\x00\x00\x00\x02" // the last byte is the format version
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// colsFile is the file name of a segment's columns and the segment's
// CRC-32, or "" for a segment not on disk (or whose CRC is unknown).
func colsFile(seg segment.Segment) (string, uint32) {
	p, ok := seg.(segment.PersistedSegment)
	crc, hasCRC := seg.(interface{ CRC() uint32 })
	if !ok || !hasCRC {
		return "", 0
	}
	return filepath.Base(p.Path()) + ".cols", crc.CRC()
}

// loadCols returns the columns of seg from its file in dir, or reads them
// from the segment and writes the file.
func loadCols(dir string, seg segment.Segment, terms *termTable) (*segCols, error) {
	name, crc := colsFile(seg)
	if dir != "" && name != "" {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			if c, fcrc, err := decodeCols(b); err == nil && fcrc == crc && uint64(len(c.posted)) == seg.Count() {
				c.number(terms)
				c.seg = seg
				return c, nil
			}
		}
	}
	c, err := readCols(seg)
	if err != nil {
		return nil, err
	}
	if dir != "" && name != "" {
		// A cache that cannot be written is only slower next time.
		_ = atomicfile.WriteFile(filepath.Join(dir, name), encodeCols(c, crc))
	}
	c.number(terms)
	c.seg = seg
	return c, nil
}

// removeStaleCols removes the column files in dir whose segment file (in
// the shard's store directory) is gone, and temporary files a crash left.
func removeStaleCols(dir string) {
	if dir == "" {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	store := filepath.Join(filepath.Dir(dir), "store")
	for _, e := range ents {
		name := e.Name()
		stale := strings.HasPrefix(name, ".tmp-")
		if zap, ok := strings.CutSuffix(name, ".cols"); ok {
			_, err := os.Stat(filepath.Join(store, zap))
			stale = errors.Is(err, os.ErrNotExist)
		}
		if stale {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}

func encodeCols(c *segCols, crc uint32) []byte {
	n := len(c.posted)
	var idBytes int
	for _, id := range c.ids {
		idBytes += len(id)
	}
	size := len(colsMagic) + 4 + 4 + 4 + idBytes + 4*(n+1) + 16*n + 4
	for _, t := range c.dict {
		size += 4 + len(t)
	}
	size += 4*len(c.postOff) + 4*len(c.posts) + 4
	b := make([]byte, 0, size)
	u32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	b = append(b, colsMagic...)
	u32(crc)
	u32(uint32(n))
	u32(uint32(idBytes))
	for _, id := range c.ids {
		b = append(b, id...)
	}
	off := uint32(0)
	u32(0)
	for _, id := range c.ids {
		off += uint32(len(id))
		u32(off)
	}
	for _, v := range c.posted {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, v := range c.records {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	u32(uint32(len(c.dict)))
	for _, t := range c.dict {
		u32(uint32(len(t)))
		b = append(b, t...)
	}
	for _, v := range c.postOff {
		u32(v)
	}
	for _, v := range c.posts {
		u32(v)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

var errColsFile = errors.New("column file damaged or of another version")

// colReader reads the fields of a column file, remembering the first
// error so that the decoder checks once at the end.
type colReader struct {
	b   []byte
	err error
}

func (r *colReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errColsFile
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *colReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// u32s reads count uint32s, each at most limit.
func (r *colReader) u32s(count int, limit uint32) []uint32 {
	b := r.take(4 * count)
	if b == nil {
		return nil
	}
	out := make([]uint32, count)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
		if out[i] > limit {
			r.err = errColsFile
			return nil
		}
	}
	return out
}

func (r *colReader) i64s(count int) []int64 {
	b := r.take(8 * count)
	if b == nil {
		return nil
	}
	out := make([]int64, count)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// decodeCols checks and decodes a column file, returning the columns and
// the CRC-32 of the segment they were read from. Every count and offset
// is checked against what is left, so a damaged file is an error, never a
// panic or a huge allocation.
func decodeCols(b []byte) (*segCols, uint32, error) {
	if len(b) < len(colsMagic)+4 || string(b[:len(colsMagic)]) != colsMagic {
		return nil, 0, errColsFile
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, 0, errColsFile
	}
	r := &colReader{b: body[len(colsMagic):]}
	crc := r.u32()
	n := int(r.u32())
	if n > len(r.b)/16 {
		return nil, 0, errColsFile
	}
	idBytes := r.u32()
	all := string(r.take(int(idBytes)))
	offs := r.u32s(n+1, idBytes)
	c := &segCols{}
	if r.err == nil {
		c.ids = make([]string, n)
		c.idKeys = make([]uint64, n)
		for d := range n {
			if offs[d] > offs[d+1] {
				return nil, 0, errColsFile
			}
			c.ids[d] = all[offs[d]:offs[d+1]]
			c.idKeys[d] = idKey(c.ids[d])
		}
	}
	c.posted = r.i64s(n)
	c.records = r.i64s(n)
	terms := int(r.u32())
	if terms > len(r.b)/4 {
		return nil, 0, errColsFile
	}
	c.dict = make([]string, 0, terms)
	for range terms {
		c.dict = append(c.dict, string(r.take(int(r.u32()))))
	}
	c.postOff = r.u32s(terms+1, math.MaxUint32)
	if r.err != nil || c.postOff[0] != 0 {
		return nil, 0, errColsFile
	}
	for o := range terms {
		if c.postOff[o] > c.postOff[o+1] {
			return nil, 0, errColsFile
		}
	}
	if n == 0 && c.postOff[terms] > 0 {
		return nil, 0, errColsFile // documents of a segment without any
	}
	c.posts = r.u32s(int(c.postOff[terms]), uint32(max(n-1, 0)))
	if r.err != nil || len(r.b) != 0 {
		return nil, 0, fmt.Errorf("%w: %d bytes left over", errColsFile, len(r.b))
	}
	return c, crc, nil
}

// colsDirOf is where the columns of the generation at genPath are kept.
func colsDirOf(genPath string) string { return filepath.Join(genPath, colsDir) }
