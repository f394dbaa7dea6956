package matcher

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/record"
)

// TestLoadDeterministic loads the same export with one worker and with
// several: the files must be the same to the byte. Many rows repeat an
// anchor under another name, so which row's name filter the snapshot keeps
// (the first in the export) shows when batches are written out of order.
func TestLoadDeterministic(t *testing.T) {
	src := Source{ID: "det/reg", Org: "det", Anchor: "ic", Fields: []string{"ic", "name", "phone"}, NewMAC: keyed("det")}
	recs := make([]record.Record, 20_000)
	for i := range recs {
		recs[i].Set(record.IC, fmt.Sprintf("800101%06d", i%7000))
		recs[i].Set(record.Name, fmt.Sprintf("ahmad%d bin ali%d", i%13, i))
		if i%5 > 0 {
			recs[i].Set(record.Phone, fmt.Sprintf("+60123%06d", i))
		}
	}
	dir := t.TempDir()
	var files [][]byte
	for _, workers := range []int{1, 4} {
		path := filepath.Join(dir, fmt.Sprint(workers, ".fp"))
		l, err := NewLoader(context.Background(), LoadRequest{Source: src, AsOf: "2025-12-31", Path: path, Workers: workers, Now: pinned})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := l.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		h, err := l.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if h.Rows != int64(len(recs)) || h.DuplicateAnchors != int64(len(recs)-7000) {
			t.Fatalf("%d workers: %d rows, %d duplicate anchors; want %d and %d", workers, h.Rows, h.DuplicateAnchors, len(recs), len(recs)-7000)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("the snapshot depends on the number of workers")
	}
	// And the name kept is the first row's.
	s, err := fingerprint.Open(filepath.Join(dir, "1.fp"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := fingerprint.NewHasher(src.NewMAC)
	a := h.Anchor("ic", recs[1].Get(record.IC))
	got, ok := s.Anchor(a)
	if !ok || got != h.Name(a, recs[1].Get(record.Name)) {
		t.Error("the anchor's name filter is not that of its first row")
	}
}
