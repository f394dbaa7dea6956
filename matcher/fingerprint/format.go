package fingerprint

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// The file format; doc.go describes it.
const (
	magic       = "SEMAKFP\x01" // the last byte is the format version
	version     = 1
	fpWidth     = Bits / 8 // bytes of a stored fingerprint
	anchorWidth = fpWidth + len(NameFilter{})
	// indexMin is the smallest section that gets a bucket index: below it
	// a binary search is at most 12 steps within a few pages.
	indexMin = 4096
	// maxIndexBits caps the bucket index at 2^16 buckets (256 KiB), so a
	// bucket of a 10M-entry section holds about 150 entries, 8 steps.
	maxIndexBits = 16
	trailerLen   = 32 // SHA-256 of everything before it
	// maxHeaderLen bounds the JSON header a reader will parse.
	maxHeaderLen = 1 << 20
	maxFields    = 256
)

// Section kinds, as the section table names them.
const (
	kindAnchor  = "anchor"
	kindBound   = "bound"
	kindUnbound = "unbound"
)

// ErrCorrupt is wrapped by every error of Open about the file's content (as
// opposed to the file system): the file is truncated, altered, or not a
// snapshot, and has to be built again from the export.
var ErrCorrupt = errors.New("not a valid snapshot file")

// Header describes a snapshot. Source, AsOf, Anchor, Fields and Created
// are the caller's; the counts are set by the Writer.
type Header struct {
	Source  string   `json:"source"`  // "org/source"
	AsOf    string   `json:"as_of"`   // "YYYY-MM-DD": the state of the database the export shows
	Anchor  string   `json:"anchor"`  // the anchor field's name; one of Fields
	Fields  []string `json:"fields"`  // field names, the anchor included; Row and lookups index into it
	Created string   `json:"created"` // RFC 3339, when the snapshot was made

	Rows             int64            `json:"rows"`              // rows added
	Distinct         map[string]int64 `json:"distinct"`          // distinct unbound fingerprints per field; distinct anchors for the anchor field
	DuplicateAnchors int64            `json:"duplicate_anchors"` // rows whose anchor an earlier row already had
	NoAnchor         int64            `json:"no_anchor"`         // rows without an anchor (only their unbound fingerprints are kept)
}

// check checks the caller's fields of the header and returns the index of
// the anchor in Fields.
func (h *Header) check() (anchor int, err error) {
	if h.Source == "" {
		return 0, errors.New("header: source is empty")
	}
	if _, err := time.Parse(time.DateOnly, h.AsOf); err != nil {
		return 0, fmt.Errorf("header: as_of %q is not a YYYY-MM-DD date", h.AsOf)
	}
	if _, err := time.Parse(time.RFC3339, h.Created); err != nil {
		return 0, fmt.Errorf("header: created %q is not an RFC 3339 time", h.Created)
	}
	if len(h.Fields) == 0 || len(h.Fields) > maxFields {
		return 0, fmt.Errorf("header: %d fields, want 1 to %d", len(h.Fields), maxFields)
	}
	anchor = -1
	seen := make(map[string]bool, len(h.Fields))
	for i, f := range h.Fields {
		if f == "" {
			return 0, fmt.Errorf("header: field %d has no name", i)
		}
		if seen[f] {
			return 0, fmt.Errorf("header: field %q appears twice", f)
		}
		seen[f] = true
		if f == h.Anchor {
			anchor = i
		}
	}
	if anchor < 0 {
		return 0, fmt.Errorf("header: anchor %q is not one of the fields", h.Anchor)
	}
	return anchor, nil
}

func (h Header) clone() Header {
	c := h
	c.Fields = append([]string(nil), h.Fields...)
	if h.Distinct != nil {
		c.Distinct = make(map[string]int64, len(h.Distinct))
		for k, v := range h.Distinct {
			c.Distinct[k] = v
		}
	}
	return c
}

// fileHeader is the JSON header of the file.
type fileHeader struct {
	Version  int           `json:"version"`
	Header   Header        `json:"header"`
	Sections []sectionInfo `json:"sections"`
}

// sectionInfo is one row of the section table.
type sectionInfo struct {
	Kind   string `json:"kind"`   // anchor, bound or unbound
	Field  int    `json:"field"`  // index into Header.Fields
	Count  int64  `json:"count"`  // entries
	Offset int64  `json:"offset"` // from the first byte after the JSON header
	// IndexBits is how many top bits of a fingerprint the bucket index
	// preceding the entries is on; 0 when the section has none. It is
	// always indexBits(Count).
	IndexBits int `json:"index_bits"`
}

// indexBits returns the bucket-index size of a section of n entries: none
// below indexMin, then one bucket per ~16 entries up to 2^16 buckets. A
// fixed 2^16 buckets would make a 20k-entry section's index (256 KiB)
// twice its entries.
func indexBits(n int64) int {
	if n < indexMin {
		return 0
	}
	return min(maxIndexBits, bits.Len64(uint64(n/16))-1)
}

func (s sectionInfo) width() int64 {
	if s.Kind == kindAnchor {
		return int64(anchorWidth)
	}
	return int64(fpWidth)
}

// size is the section's length in bytes; count must have been bounded.
func (s sectionInfo) size() int64 {
	n := s.Count * s.width()
	if s.IndexBits > 0 {
		n += 4 << s.IndexBits
	}
	return n
}

func put48(b []byte, v uint64) {
	_ = b[5]
	b[0] = byte(v >> 40)
	b[1] = byte(v >> 32)
	b[2] = byte(v >> 24)
	b[3] = byte(v >> 16)
	b[4] = byte(v >> 8)
	b[5] = byte(v)
}

func load48(b []byte) uint64 {
	_ = b[5]
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 |
		uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
}
