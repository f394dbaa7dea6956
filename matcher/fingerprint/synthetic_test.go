package fingerprint

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// synth holds the fingerprints buildSynthetic added (some of each section).
type synth struct {
	anchors []uint64
	bound   [][]uint64
	unbound [][]uint64
}

// buildSynthetic commits a snapshot of rows rows with nf fields besides
// the anchor, from random fingerprints (no HMAC: sizes and lookup costs do
// not depend on how fingerprints were made, and 1M rows through HMAC take
// seconds). Unbound values have the cardinalities of a real member table:
// field 1 unique per row (phone), then name, email-like, date of birth,
// gender, postcode, state, address; bound values are unique per row.
func buildSynthetic(tb testing.TB, dir string, rows, nf int, seed uint64) (string, *synth) {
	tb.Helper()
	fields := []string{"ic"}
	for i := 1; i <= nf; i++ {
		fields = append(fields, fmt.Sprintf("f%d", i))
	}
	path := filepath.Join(dir, fmt.Sprintf("synthetic-%d-%d-%d.fp", rows, nf, seed))
	w, err := Create(path, Header{Source: "test/synthetic", AsOf: "2024-04-30", Anchor: "ic", Fields: fields, Created: testCreated})
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Abort()
	r := rand.New(rand.NewPCG(seed, 3))
	// card[i] random values stand for field i's distinct values.
	vals := make([][]uint64, nf+1)
	cards := []int{rows, rows * 9 / 10, rows * 8 / 10, 30000, 2, 3000, 16, rows}
	for i := 1; i <= nf; i++ {
		card := max(1, min(rows, cards[(i-1)%len(cards)]))
		vals[i] = make([]uint64, card)
		for j := range vals[i] {
			vals[i][j] = r.Uint64N(maxFP) + 1
		}
	}
	sy := &synth{bound: make([][]uint64, nf+1), unbound: make([][]uint64, nf+1)}
	row := Row{Bound: make([]uint64, nf+1), Unbound: make([]uint64, nf+1)}
	for k := range rows {
		row.Anchor = r.Uint64N(maxFP) + 1
		row.Name = NameFilter{byte(k), byte(k >> 8), 1}
		for i := 1; i <= nf; i++ {
			row.Unbound[i] = vals[i][r.IntN(len(vals[i]))]
			if i == 1 {
				row.Unbound[i] = vals[1][k]
			}
			row.Bound[i] = r.Uint64N(maxFP) + 1
		}
		if k < 1000 {
			sy.anchors = append(sy.anchors, row.Anchor)
			for i := 1; i <= nf; i++ {
				sy.bound[i] = append(sy.bound[i], row.Bound[i])
				sy.unbound[i] = append(sy.unbound[i], row.Unbound[i])
			}
		}
		if err := w.Add(row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
	return path, sy
}
