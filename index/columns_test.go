package index

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/semak/semak/fixtures/postings"
)

// segmentsOf reads the columns of every segment of ix from the segments
// themselves.
func segmentsOf(t *testing.T, ix *Index) []*segCols {
	t.Helper()
	var out []*segCols
	for _, idx := range ix.cur.idx {
		adv, err := idx.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		r, err := adv.Reader()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range r.(*scorch.IndexSnapshot).Segments() {
			c, err := readCols(s.Segment())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		r.Close()
	}
	return out
}

func TestColumnFileRoundTrip(t *testing.T) {
	ix := open(t, t.TempDir(), Options{})
	if err := ix.Add(t.Context(), postings.Generate(300, 3)...); err != nil {
		t.Fatal(err)
	}
	segs := segmentsOf(t, ix)
	if len(segs) == 0 {
		t.Fatal("no segments")
	}
	for _, c := range segs {
		b := encodeCols(c)
		got, err := decodeCols(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("decoded columns differ:\n%+v\n%+v", got, c)
		}
		// Any one byte changed, or the file cut short, is refused.
		for _, i := range []int{0, len(colsMagic) + 2, len(b) / 2, len(b) - 5, len(b) - 1} {
			bad := slices.Clone(b)
			bad[i] ^= 0x40
			if _, err := decodeCols(bad); err == nil {
				t.Errorf("byte %d changed: accepted", i)
			}
		}
		for _, n := range []int{0, 3, len(colsMagic) + 4, len(b) - 1} {
			if _, err := decodeCols(b[:n]); err == nil {
				t.Errorf("cut to %d bytes: accepted", n)
			}
		}
	}
}

// FuzzDecodeCols feeds damaged column files to the decoder, which must
// refuse them or decode them, never panic or allocate without bound.
func FuzzDecodeCols(f *testing.F) {
	c := &segCols{
		ids: []string{"a", "bc"}, idKeys: []uint64{idKey("a"), idKey("bc")},
		posted: []int64{1, noValue}, records: []int64{noValue, 5},
		dict: []string{"site:x", "site:y"}, postOff: []uint32{0, 1, 2}, posts: []uint32{0, 1},
	}
	f.Add(encodeCols(c))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4 {
			// Most mutations fail the checksum; fix it so the fuzzer
			// reaches the decoder's own checks.
			body := b[:len(b)-4]
			b = binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, castagnoli))
		}
		c, err := decodeCols(b)
		if err != nil {
			return
		}
		for o := range c.dict {
			for _, d := range c.termDocs(o) {
				if int(d) >= len(c.posted) {
					t.Fatalf("document %d of %d", d, len(c.posted))
				}
			}
		}
		c.number(&termTable{})
	})
}

// TestColumnFiles checks that searches keep the columns of segments on
// disk, load them on the next open, read a damaged file again from its
// segment, and remove the files of segments that are gone.
func TestColumnFiles(t *testing.T) {
	dir := t.TempDir()
	ps := postings.Generate(400, 8)
	ix := open(t, dir, Options{})
	if err := ix.Add(t.Context(), ps...); err != nil {
		t.Fatal(err)
	}
	search := func(ix *Index) string {
		t.Helper()
		var b strings.Builder
		for _, q := range []string{"data", "", "victim:socso records:>1000"} {
			res := doSearch(t, ix, q, SearchRequest{Facets: true, Sort: SortDate, Limit: 50})
			b.WriteString(strings.Join([]string{q, topFacet(res.Facets["site"])}, " "))
			for _, h := range res.Hits {
				b.WriteString(" " + h.ID)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	want := search(ix)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "gen-*", "shard-*", colsDir, "*.cols"))
	if len(files) == 0 {
		t.Fatal("no column files written")
	}

	ix = open(t, dir, Options{})
	if got := search(ix); got != want {
		t.Fatalf("after reopening:\n%s\nwant\n%s", got, want)
	}
	ix.Close()

	if err := os.WriteFile(files[0], []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(filepath.Dir(files[0]), "gone.zap.cols")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix = open(t, dir, Options{})
	if got := search(ix); got != want {
		t.Fatalf("with a damaged column file:\n%s\nwant\n%s", got, want)
	}
	if b, _ := os.ReadFile(files[0]); string(b) == "garbage" {
		t.Error("damaged column file not rewritten")
	}
	// A write makes a new segment; the next search sweeps.
	if err := ix.Add(t.Context(), postings.Generate(1, 99)...); err != nil {
		t.Fatal(err)
	}
	search(ix)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("column file of a segment that is gone: %v", err)
	}
}
