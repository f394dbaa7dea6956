package fingerprint

import (
	"bytes"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// One op of the hashing benchmarks is benchRows rows, not one: `make bench`
// runs every benchmark once (-benchtime 1x), and one row (~5 µs) is too
// short to time. rows/s is the figure to read.
const benchRows = 1000

// benchRow is one generated row: an anchor, a name and 8 field values.
type benchRow struct {
	ic, name string
	vals     [8]string
}

var benchFieldNames = [8]string{"name", "phone", "email", "dob", "gender", "address", "postcode", "state"}

func benchData() []benchRow {
	r := rand.New(rand.NewPCG(1, 1))
	rows := make([]benchRow, benchRows)
	for i := range rows {
		n := genName(r, r.IntN(numTraditions))
		rows[i] = benchRow{
			ic:   fmt.Sprintf("%02d%02d%02d%02d%04d", r.IntN(100), 1+r.IntN(12), 1+r.IntN(28), 1+r.IntN(59), r.IntN(10000)),
			name: n,
			vals: [8]string{n, fmt.Sprintf("+601%d", 10000000+r.IntN(90000000)), fmt.Sprintf("user%d@gmail.com", r.IntN(1e6)),
				fmt.Sprintf("19%02d-%02d-%02d", r.IntN(100), 1+r.IntN(12), 1+r.IntN(28)), []string{"M", "F"}[r.IntN(2)],
				fmt.Sprintf("no %d jalan mawar %d taman sri andalas", r.IntN(200), r.IntN(30)), fmt.Sprintf("%05d", 40000+r.IntN(9000)), "selangor"},
		}
	}
	return rows
}

// recordedMAC is an HMAC that keeps a copy of every input it is given.
type recordedMAC struct {
	hash.Hash
	msgs *[][]byte
}

func (m recordedMAC) Write(p []byte) (int, error) {
	*m.msgs = append(*m.msgs, bytes.Clone(p))
	return m.Hash.Write(p)
}

// bareMessages returns, for each row, the MAC inputs a Hasher makes for it
// in hasherRows (the anchor, 8 bound, 8 unbound and the name filter's
// permutation: 18), recorded from a Hasher, so the limit hashes the same
// inputs. The name filter's bigram inputs are left out: a Hasher caches
// them and computes each once, not per row.
func bareMessages(rows []benchRow) [][][]byte {
	var got [][]byte
	h := NewHasher(func() hash.Hash { return recordedMAC{testKey(1)(), &got} })
	out := make([][][]byte, len(rows))
	for i := range rows {
		got = got[:0]
		hasherRows(h, rows[i:i+1])
		for _, m := range got {
			if m[0] != tagBigram {
				out[i] = append(out[i], m)
			}
		}
	}
	return out
}

// hmacRows hashes the rows' MAC inputs with one reused HMAC-SHA256: the
// limit any Hasher row can approach.
func hmacRows(msgs [][][]byte) {
	mac := testKey(1)()
	sum := make([]byte, 0, 32)
	for _, row := range msgs {
		for _, m := range row {
			mac.Reset()
			mac.Write(m)
			sum = mac.Sum(sum[:0])
		}
	}
}

func hasherRows(h *Hasher, rows []benchRow) (x uint64) {
	for i := range rows {
		r := &rows[i]
		a := h.Anchor("ic", r.ic)
		x ^= a
		for f, v := range r.vals {
			x ^= h.Bound(benchFieldNames[f], r.ic, v)
			x ^= h.Unbound(benchFieldNames[f], v)
		}
		nf := h.Name(a, r.name)
		x ^= uint64(nf[0])
	}
	return x
}

// BenchmarkHMACLimit: bare HMAC-SHA256 with Reset over the inputs a Hasher
// makes, 18 MACs a row (anchor, 8 fields × bound and unbound, and the name
// filter's permutation).
func BenchmarkHMACLimit(b *testing.B) {
	msgs := bareMessages(benchData())
	for b.Loop() {
		hmacRows(msgs)
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkHasherRow: the same rows through a Hasher (Anchor, 8 Bound, 8
// Unbound and Name), and the bare limit timed in the same run: x_limit is
// Hasher time over limit time.
func BenchmarkHasherRow(b *testing.B) {
	rows := benchData()
	msgs := bareMessages(rows)
	h := NewHasher(testKey(1))
	var th, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		hasherRows(h, rows)
		t1 := time.Now()
		hmacRows(msgs)
		tl += time.Since(t1)
		th += t1.Sub(t0)
	}
	n := float64(b.N * benchRows)
	b.ReportMetric(n/th.Seconds(), "rows/s")
	b.ReportMetric(n/tl.Seconds(), "limit_rows/s")
	b.ReportMetric(th.Seconds()/tl.Seconds(), "x_limit")
	b.ReportMetric(0, "ns/op") // an op is two timed halves; ns/op would mislead
}

// bench1M builds the 1M-row, 8-field synthetic snapshot once per process.
var bench1M struct {
	path string
	fps  *synth
	dir  string
}

func snapshot1M(b *testing.B) (string, *synth) {
	if bench1M.path == "" {
		dir, err := os.MkdirTemp("", "semak-fp-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bench1M.dir = dir
		bench1M.path, bench1M.fps = buildSynthetic(b, dir, 1_000_000, 8, 42)
	}
	return bench1M.path, bench1M.fps
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench1M.dir != "" {
		os.RemoveAll(bench1M.dir)
	}
	os.Exit(code)
}

// BenchmarkLookup: random lookups in a committed 1M-row, 8-field snapshot,
// a third of them anchors (hits), a third bound hits, a third unbound
// misses; one op is 100k lookups.
func BenchmarkLookup(b *testing.B) {
	path, fps := snapshot1M(b)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 5))
	const perOp = 100_000
	type probe struct {
		kind, field int
		fp          uint64
	}
	probes := make([]probe, perOp)
	for i := range probes {
		f := 1 + r.IntN(8)
		switch i % 3 {
		case 0:
			probes[i] = probe{0, 0, fps.anchors[r.IntN(len(fps.anchors))]}
		case 1:
			probes[i] = probe{1, f, fps.bound[f][r.IntN(len(fps.bound[f]))]}
		case 2:
			probes[i] = probe{2, f, r.Uint64N(maxFP) + 1}
		}
	}
	hits := 0
	for b.Loop() {
		hits = 0
		for _, p := range probes {
			var ok bool
			switch p.kind {
			case 0:
				_, ok = s.Anchor(p.fp)
			case 1:
				ok = s.Bound(p.field, p.fp)
			case 2:
				ok = s.Unbound(p.field, p.fp)
			}
			if ok {
				hits++
			}
		}
	}
	if want := 2 * perOp / 3; hits < want-1 {
		b.Fatalf("%d hits, want about %d", hits, want)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perOp), "ns/lookup")
}

// BenchmarkSnapshot1M builds a 1M-row, 8-field snapshot (synthetic
// fingerprints, realistic cardinalities) and opens it: B/fp is file bytes
// per stored fingerprint (goal ≤ 12), commit_rows/s covers Add and Commit,
// open_MB/s the checked Open.
func BenchmarkSnapshot1M(b *testing.B) {
	var build, open time.Duration
	var st Stats
	for b.Loop() {
		dir := b.TempDir()
		t0 := time.Now()
		path, _ := buildSynthetic(b, dir, 1_000_000, 8, 43)
		t1 := time.Now()
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		open += time.Since(t1)
		build += t1.Sub(t0)
		st = s.Stats()
		s.Close()
	}
	n := float64(b.N)
	b.ReportMetric(st.BytesPerFingerprint, "B/fp")
	b.ReportMetric(float64(st.FileBytes)/(1<<20), "file_MB")
	b.ReportMetric(float64(st.Fingerprints)/1e6, "Mfp")
	b.ReportMetric(1e6*n/build.Seconds(), "commit_rows/s")
	b.ReportMetric(float64(st.FileBytes)/(1<<20)*n/open.Seconds(), "open_MB/s")
}

// BenchmarkSort sorts the sections a 10M-row load commits
// (SEMAK_BENCH_ROWS scales it), after they were bucketed as added: a
// section of uniform 48-bit keys (an HMAC'd field of many values) and the
// anchors with their name filters. ns/key is per key.
func BenchmarkSort(b *testing.B) {
	n := 10_000_000
	if s := os.Getenv("SEMAK_BENCH_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("SEMAK_BENCH_ROWS=%q: want a number ≥ 1000", s)
		}
		n = v
	}
	r := rand.New(rand.NewPCG(5, 5))
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = 1 + r.Uint64N(maxFP)
	}
	var s sorter
	b.Run("keys", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			var k bucketed[lowKey]
			for _, v := range keys {
				k.add(v, packLow(v))
			}
			b.StartTimer()
			s.sortKeys(&k)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
	b.Run("anchors", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			var k bucketed[anchorEntry]
			for i, v := range keys {
				k.add(v, anchorEntry{v, NameFilter{byte(i)}})
			}
			b.StartTimer()
			s.sortAnchors(&k)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
}

// BenchmarkNameFilter: name filters of the bench rows' names, each under
// its row's anchor fingerprint, with the Hasher's bigram caches warm (as
// they are a few thousand records into a load): the permutation's MAC and
// the rest of Hasher.Name.
func BenchmarkNameFilter(b *testing.B) {
	rows := benchData()
	h := NewHasher(testKey(1))
	var x byte
	for i, r := range rows { // warm the caches, untimed
		x ^= h.Name(uint64(i)+1, r.name)[0]
	}
	for b.Loop() {
		for i, r := range rows {
			f := h.Name(uint64(i)+1, r.name)
			x ^= f[0]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/name")
	b.ReportMetric(0, "ns/op")
	_ = x
}
