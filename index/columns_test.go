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
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/semak/semak/crawler/posting"
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
		b := encodeCols(c, 0xfeedbeef)
		got, crc, err := decodeCols(b)
		if err != nil {
			t.Fatal(err)
		}
		if crc != 0xfeedbeef || !reflect.DeepEqual(got, c) {
			t.Fatalf("decoded columns differ:\n%+v\n%+v", got, c)
		}
		// Any one byte changed, or the file cut short, is refused.
		for _, i := range []int{0, len(colsMagic) + 2, len(b) / 2, len(b) - 5, len(b) - 1} {
			bad := slices.Clone(b)
			bad[i] ^= 0x40
			if _, _, err := decodeCols(bad); err == nil {
				t.Errorf("byte %d changed: accepted", i)
			}
		}
		for _, n := range []int{0, 3, len(colsMagic) + 4, len(b) - 1} {
			if _, _, err := decodeCols(b[:n]); err == nil {
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
	f.Add(encodeCols(c, 7))
	f.Add(encodeCols(&segCols{postOff: []uint32{0}}, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4 {
			// Most mutations fail the checksum; fix it so the fuzzer
			// reaches the decoder's own checks.
			body := b[:len(b)-4]
			b = binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, castagnoli))
		}
		c, _, err := decodeCols(b)
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
	ix = open(t, dir, Options{})
	if got := search(ix); got != want {
		t.Fatalf("with a damaged column file:\n%s\nwant\n%s", got, want)
	}
	if b, err := os.ReadFile(files[0]); err != nil {
		t.Errorf("damaged column file not rewritten: %v", err)
	} else if _, _, err := decodeCols(b); err != nil {
		t.Errorf("damaged column file not rewritten: %v", err)
	}
	// Files of segments that are gone, and temporary files, are removed
	// when a write makes a new segment and the next search sweeps.
	var stale []string
	for _, name := range []string{"gone.zap.cols", ".tmp-123"} {
		p := filepath.Join(filepath.Dir(files[0]), name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, p)
	}
	search(ix)
	if _, err := os.Stat(stale[0]); err != nil {
		t.Fatalf("swept before any new segment: %v", err)
	}
	if err := ix.Add(t.Context(), postings.Generate(1, 99)...); err != nil {
		t.Fatal(err)
	}
	search(ix)
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(files[0]); err != nil {
		t.Errorf("a live segment's column file was removed: %v", err)
	}
}

// TestColumnFileOfReusedName checks that a column file is used only for
// the segment it was read from. scorch can give a new segment the name of
// one whose documents were all deleted (after a restart, when the old
// file is gone); here two indexes name their first segment alike, and the
// first one's column file is put where the second one's would go.
func TestColumnFileOfReusedName(t *testing.T) {
	build := func(ps ...posting.Posting) (string, []string) {
		t.Helper()
		dir := t.TempDir()
		ix := open(t, dir, Options{Shards: 1})
		if err := ix.Add(t.Context(), ps...); err != nil {
			t.Fatal(err)
		}
		ix.Close() // persists the segment under its final name
		segs, _ := filepath.Glob(filepath.Join(dir, "gen-*", "shard-0", "store", "*.zap"))
		return dir, segs
	}
	oldDir, oldSegs := build(
		posting.Posting{ID: "old-1", Site: "x", Title: "alpha charlie"},
		posting.Posting{ID: "old-2", Site: "x", Title: "alpha charlie"},
	)
	ix := open(t, oldDir, Options{Shards: 1})
	doSearch(t, ix, "alpha", SearchRequest{})
	ix.Close()
	newDir, newSegs := build(
		posting.Posting{ID: "new-1", Site: "y", Title: "charlie", PostedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		posting.Posting{ID: "new-2", Site: "y", Title: "charlie", PostedAt: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
	)
	if len(oldSegs) != 1 || len(newSegs) != 1 || filepath.Base(oldSegs[0]) != filepath.Base(newSegs[0]) {
		t.Fatalf("segments %v and %v: expected one each, named alike", oldSegs, newSegs)
	}
	name := filepath.Base(oldSegs[0]) + ".cols"
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(oldSegs[0])), colsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(filepath.Dir(filepath.Dir(newSegs[0])), colsDir, name)
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ix = open(t, newDir, Options{Shards: 1})
	res := doSearch(t, ix, "charlie", SearchRequest{Sort: SortDate, Facets: true})
	if res.Total != 2 || len(res.Hits) != 2 || res.Hits[0].ID != "new-2" || res.Facets["site"]["y"] != 2 {
		t.Fatalf("with another segment's column file: %d hits %+v, sites %v", res.Total, res.Hits, res.Facets["site"])
	}
}

// TestRebuildWritesColumns checks that a rebuilt generation has its
// column files before any search.
func TestRebuildWritesColumns(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir, Options{Source: source(postings.Generate(200, 4))})
	files, _ := filepath.Glob(filepath.Join(dir, "gen-*", "shard-*", colsDir, "*.cols"))
	if len(files) < len(ix.cur.idx) {
		t.Fatalf("column files after a rebuild: %v", files)
	}
}

// TestCloseAfterWriteWritesColumns checks that a process that wrote
// leaves the column files of every segment for the next one.
func TestCloseAfterWriteWritesColumns(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir, Options{})
	if err := ix.Add(t.Context(), postings.Generate(150, 9)...); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "gen-*", "shard-*", "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatal("no segments on disk")
	}
	for _, seg := range segs {
		cols := filepath.Join(filepath.Dir(filepath.Dir(seg)), colsDir, filepath.Base(seg)+".cols")
		if _, err := os.Stat(cols); err != nil {
			t.Errorf("segment %s has no column file: %v", filepath.Base(seg), err)
		}
	}
}
