package matcher

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semak/semak/fixtures"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/verdict"
)

// benchRows is the size of the big snapshots: 10M by default, as the goals
// say; SEMAK_BENCH_ROWS makes a quicker run.
func benchRows(b *testing.B) int { return benchEnv(b, "SEMAK_BENCH_ROWS", 10_000_000, 1000) }

// benchPairs is how many loads BenchmarkSnapshotLoad times per
// iteration, each between two timings of the limit: SEMAK_BENCH_PAIRS,
// default 3. The machine has slow spells of a minute or more; x_limit is
// over all the pairs, and x_limit_min and x_limit_max show their spread.
func benchPairs(b *testing.B) int { return benchEnv(b, "SEMAK_BENCH_PAIRS", 3, 1) }

// benchEnv is the number in the environment variable name, def when it is
// not set; a value that is not a number, or is below least, stops the run.
func benchEnv(b *testing.B, name string, def, least int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < least {
		b.Fatalf("%s=%q: want a number ≥ %d", name, s, least)
	}
	return n
}

// benchSource is an 8-field source like fixtures.GenerateCSV's export.
func benchSource() Source {
	return Source{ID: "bench/reg", Org: "bench", Anchor: "ic",
		Fields:  []string{"ic", "name", "phone", "email", "dob", "gender", "address", "postcode"},
		OrgOnly: []string{"email"}, NewMAC: keyed("bench")}
}

// BenchmarkSnapshotLoad loads a generated N-row, 8-field export (parse,
// normalise, fingerprint, sort, write) and, in the same run, computes bare
// HMAC-SHA256s with the same number of goroutines: the limit, what the
// machine could do if a load did nothing but the HMACs a record needs.
// Those are the very MAC inputs the load's Hasher makes for the export's
// records (limitMessages), so the limit counts the same HMACs of the same
// lengths. The limit is timed right before and right after each load and
// the two averaged, so a slow spell of the (shared, noisy) machine
// weighs on both sides of the ratio. An iteration times benchPairs
// loads, each between two timings of the limit. x_limit = load rate /
// limit rate over all of them (goal ≥ 0.5), x_limit_min and x_limit_max
// the lowest and highest of a single pair; x_limit_1core compares with the limit on one core;
// commit_share is the part of the load's time spent in Commit (sorting
// and writing the file); cpu_µs/record is the process's CPU time (user
// and system, all goroutines) per record of the load, which the
// machine's noise moves less than the rates.
func BenchmarkSnapshotLoad(b *testing.B) {
	n := benchRows(b)
	dir := b.TempDir()
	export := filepath.Join(dir, "export.csv")
	f, err := os.Create(export)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fixtures.GenerateCSV(w, n, 1); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	// On disk before the clock starts, as a DPO's export is: otherwise the
	// kernel writes the just-generated gigabyte back during the load, on
	// the same two cores.
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	_ = f.Close()
	src := benchSource()
	workers := runtime.GOMAXPROCS(0)
	msgs := limitMessages(b, dir, src)
	computed := loadHMACs(b, export, src, min(n, 200_000))
	var load, limit, limit1, commit, cpu time.Duration
	var rows int64
	var loads int
	lo, hi := math.Inf(1), math.Inf(-1) // the pairs' x_limit
	pairs := benchPairs(b)
	for i := 0; b.Loop(); i++ {
		for k := range pairs {
			tl := time.Now()
			hmacLimit(src, msgs, n, workers)
			before := time.Since(tl)
			c0 := cpuTime()
			t0 := time.Now()
			l, err := NewLoader(context.Background(), LoadRequest{Source: src, AsOf: "2025-12-31", Path: filepath.Join(dir, fmt.Sprint(i, "-", k, ".fp")), Workers: workers, Now: pinned})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := intake.ReadFile(context.Background(), export, intake.Options{Now: pinned, NoUnique: true}, l.Add); err != nil {
				b.Fatal(err)
			}
			tc := time.Now()
			hdr, err := l.Commit()
			if err != nil {
				b.Fatal(err)
			}
			rows = hdr.Rows
			t1 := time.Now()
			cpu += cpuTime() - c0
			commit += t1.Sub(tc)
			hmacLimit(src, msgs, n, workers)
			t2 := time.Now()
			if k == 0 {
				hmacLimit(src, msgs, n, 1)
				limit1 += time.Since(t2)
			}
			// This pair's limit: the two timings around its load, averaged.
			pairLimit := (before + t2.Sub(t1)) / 2
			x := (float64(rows) / t1.Sub(t0).Seconds()) / (float64(n) / pairLimit.Seconds())
			lo, hi = min(lo, x), max(hi, x)
			limit += pairLimit
			load += t1.Sub(t0)
			loads++
			// Each load writes about a gigabyte: keep only the last.
			_ = os.Remove(filepath.Join(dir, fmt.Sprint(i, "-", k, ".fp")))
		}
	}
	loadRate := float64(rows) * float64(loads) / load.Seconds()
	limitRate := float64(n) * float64(loads) / limit.Seconds()
	b.ReportMetric(loadRate, "records/s")
	b.ReportMetric(limitRate, "hmac_limit_rows/s")
	b.ReportMetric(loadRate/limitRate, "x_limit")
	b.ReportMetric(lo, "x_limit_min")
	b.ReportMetric(hi, "x_limit_max")
	b.ReportMetric(loadRate/(float64(n)*float64(b.N)/limit1.Seconds()), "x_limit_1core")
	b.ReportMetric(msgs.perRecord(), "hmacs/record")
	b.ReportMetric(computed, "load_hmacs/record")
	b.ReportMetric(commit.Seconds()/load.Seconds(), "commit_share")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/(float64(rows)*float64(loads)), "cpu_µs/record")
	}
}

// loadHMACs loads the first n records of export with a MAC that counts
// its uses, untimed, and returns the HMACs computed per record: fewer than
// the limit's hmacs/record by the values whose unbound fingerprints the
// workers' fingerprint.Repeats held (the name filter's bigrams, cached
// too, are left out as in the limit).
func loadHMACs(b *testing.B, export string, src Source, n int) float64 {
	var (
		mu    sync.Mutex
		count []*countedMAC
	)
	src.NewMAC = func(newMAC func() hash.Hash) func() hash.Hash {
		return func() hash.Hash {
			m := &countedMAC{Hash: newMAC()}
			mu.Lock()
			count = append(count, m)
			mu.Unlock()
			return m
		}
	}(src.NewMAC)
	l, err := NewLoader(context.Background(), LoadRequest{Source: src, AsOf: "2025-12-31", Path: filepath.Join(b.TempDir(), "count.fp"), Workers: runtime.GOMAXPROCS(0), Now: pinned})
	if err != nil {
		b.Fatal(err)
	}
	errEnough := errors.New("enough records")
	seen := 0
	_, err = intake.ReadFile(context.Background(), export, intake.Options{Now: pinned, NoUnique: true}, func(r record.Record) error {
		if seen == n {
			return errEnough
		}
		seen++
		return l.Add(r)
	})
	if err != nil && !errors.Is(err, errEnough) {
		b.Fatal(err)
	}
	if _, err := l.Commit(); err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, m := range count {
		total += m.sums - m.bigrams
	}
	return float64(total) / float64(seen)
}

// countedMAC counts the MACs computed with it, and apart those of the
// name filter's bigrams (their input's first byte is 'N').
type countedMAC struct {
	hash.Hash
	sums, bigrams int
	bigram        bool
}

func (m *countedMAC) Write(p []byte) (int, error) {
	if len(p) > 0 {
		m.bigram = p[0] == 'N'
	}
	return m.Hash.Write(p)
}

func (m *countedMAC) Sum(b []byte) []byte {
	m.sums++
	if m.bigram {
		m.bigrams++
	}
	return m.Hash.Sum(b)
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

// limitSample is how many of the export's records the limit hashes the
// MAC inputs of, cycling through them: enough to cover every kind of
// name, address and phone the generator makes.
const limitSample = 4096

// hmacMessages is, per sample record, the MAC inputs the load makes for it.
type hmacMessages [][][]byte

func (m hmacMessages) perRecord() float64 {
	n := 0
	for _, r := range m {
		n += len(r)
	}
	return float64(n) / float64(len(m))
}

// limitMessages returns the MAC inputs a load makes for each of the first
// limitSample records of the generated export (the same generator and
// seed as the benchmark's), read through the intake and fingerprinted by
// the load's own code (fingerprintRow) with a MAC that records its inputs:
// per record the anchor, per other field a bound and an unbound input, and
// the name filter's permutation. The bigram inputs of the name filter are
// left out: they are cached per Hasher, so a load computes a few hundred
// of them in all, not per record.
func limitMessages(b *testing.B, dir string, src Source) hmacMessages {
	path := filepath.Join(dir, "limit.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := fixtures.GenerateCSV(f, limitSample, 1); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	var recs []record.Record
	if _, err := intake.ReadFile(context.Background(), path, intake.Options{Now: pinned, NoUnique: true}, func(r record.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var got [][]byte
	h := fingerprint.NewHasher(func() hash.Hash { return recordedMAC{src.NewMAC(), &got} })
	valuer := NewValuer(normalize.New(normalize.Options{Now: pinned}))
	nf := len(src.Fields)
	out := make(hmacMessages, len(recs))
	for i := range recs {
		got = got[:0]
		r := fingerprint.Row{Bound: make([]uint64, nf), Unbound: make([]uint64, nf)}
		fingerprintRow(h, nil, valuer, &src, &recs[i], &r)
		for _, m := range got {
			if m[0] != 'N' { // a bigram: cached, see above
				out[i] = append(out[i], m)
			}
		}
	}
	return out
}

// hmacLimit computes, on workers goroutines, the HMACs of n records: the
// MAC inputs in msgs, record i having those of msgs[i % len(msgs)].
func hmacLimit(src Source, msgs hmacMessages, n, workers int) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mac := src.NewMAC()
			sum := make([]byte, 0, 32)
			for i := n * w / workers; i < n*(w+1)/workers; i++ {
				for _, m := range msgs[i%len(msgs)] {
					mac.Reset()
					mac.Write(m)
					sum = mac.Sum(sum[:0])
				}
			}
		}()
	}
	wg.Wait()
}

// benchRecord is person i of the bench source, already normalised. The
// MyKad is well formed and agrees with the record (its birth date is the
// DOB, its last digit's parity the gender), as a genuine register's does:
// the fabrication detectors must find nothing to say.
func benchRecord(i int) record.Record {
	var r record.Record
	male := i%2 == 0
	parity := 0
	if male {
		parity = 1 // odd last digit: male
	}
	// (i%50, i%12, i%28) repeats every 2100 people; the serial tells
	// them apart (up to 10M people: serials below 10,000).
	r.Set(record.IC, fmt.Sprintf("%02d%02d%02d14%04d", 50+i%50, 1+i%12, 1+i%28, 2*(i/2100)+parity))
	r.Set(record.Name, fmt.Sprintf("ahmad%d ali%d", i%7919, i%104729))
	r.Set(record.Phone, fmt.Sprintf("+601%09d", i))
	r.Set(record.Email, fmt.Sprintf("u%d@example.com", i))
	r.Set(record.DOB, fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28))
	r.Set(record.Gender, []string{"M", "F"}[i%2])
	r.Set(record.Address, fmt.Sprintf("no %d jalan %d taman %d %05d", i%200, i%97, i%53, 40000+i%9000))
	r.Set(record.Postcode, fmt.Sprintf("%05d", 40000+i%9000))
	return r
}

// changePhone applies the phone changes up to year: 10% of people a year.
func changePhone(r *record.Record, i, year int) {
	if i%10 < year-2023 {
		r.Set(record.Phone, fmt.Sprintf("+6019%08d", i))
	}
}

// buildBenchSnapshot writes n synthetic records (a fraction changed by
// year) straight through the Loader: the verify benchmark measures
// verifying, not loading.
func buildBenchSnapshot(b *testing.B, src Source, path string, n, year int) *fingerprint.Snapshot {
	l, err := NewLoader(context.Background(), LoadRequest{Source: src, AsOf: fmt.Sprint(year, "-12-31"), Path: path, Workers: runtime.GOMAXPROCS(0), Now: pinned})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		r := benchRecord(i)
		changePhone(&r, i, year)
		if err := l.Add(r); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := l.Commit(); err != nil {
		b.Fatal(err)
	}
	s, err := fingerprint.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

var benchSnaps sync.Map // size → []Snapshot

func benchSnapshots(b *testing.B, size int) []Snapshot {
	if v, ok := benchSnaps.Load(size); ok {
		return v.([]Snapshot)
	}
	dir, err := os.MkdirTemp("", "semak-bench-snap-")
	if err != nil {
		b.Fatal(err)
	}
	src := benchSource()
	var snaps []Snapshot
	for _, y := range []int{2023, 2024, 2025} {
		s := buildBenchSnapshot(b, src, filepath.Join(dir, fmt.Sprint(y, ".fp")), size, y)
		snaps = append(snaps, Snapshot{AsOf: fmt.Sprint(y, "-12-31"), Set: s})
	}
	benchSnaps.Store(size, snaps)
	benchDirs = append(benchDirs, dir)
	return snaps
}

var benchDirs []string

// BenchmarkVerify100k verifies a 100k-record sample against 3 snapshots,
// at two snapshot sizes: the cost must follow the sample, not the
// snapshots. Reports wall time, peak heap during Verify and the snapshot
// files' bytes per fingerprint.
func BenchmarkVerify100k(b *testing.B) {
	big := benchRows(b)
	for _, size := range []int{big / 10, big} {
		b.Run(fmt.Sprintf("snapshots=3x%d", size), func(b *testing.B) {
			snaps := benchSnapshots(b, size)
			src := benchSource()
			src.Snapshots = snaps
			recs := make([]record.Record, 100_000)
			for i := range recs {
				p := i * max(size/100_000, 1) % size
				recs[i] = benchRecord(p)
				changePhone(&recs[i], p, 2025) // as of the latest snapshot
			}
			var peak atomic.Uint64
			var wall time.Duration
			for b.Loop() {
				runtime.GC()
				done := make(chan struct{})
				go watchHeap(&peak, done)
				t0 := time.Now()
				v, err := Verify(context.Background(), Request{Claim: Org{ID: "bench"}, Sources: []Source{src}, Sample: verdict.Sample{Usable: int64(len(recs))},
					Records: recs, Now: pinned, Workers: runtime.GOMAXPROCS(0)})
				wall += time.Since(t0)
				close(done)
				if err != nil {
					b.Fatal(err)
				}
				if v.Verdict != verdict.New {
					b.Fatalf("verdict %s: %v", v.Verdict, v.Reasons)
				}
			}
			st := snaps[0].Set.(*fingerprint.Snapshot).Stats()
			b.ReportMetric(wall.Seconds()/float64(b.N), "s/verify")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MB")
			b.ReportMetric(st.BytesPerFingerprint, "B/fp")
		})
	}
	for _, d := range benchDirs {
		_ = os.RemoveAll(d)
	}
}

func watchHeap(peak *atomic.Uint64, done chan struct{}) {
	var ms runtime.MemStats
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
		select {
		case <-done:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
