package matcher

import (
	"bufio"
	"context"
	"fmt"
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
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/verdict"
)

// benchRows is the size of the big snapshots: 10M by default, as the goals
// say; SEMAK_BENCH_ROWS makes a quicker run.
func benchRows(b *testing.B) int {
	if s := os.Getenv("SEMAK_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("SEMAK_BENCH_ROWS=%q: want a number ≥ 1000", s)
		}
		return n
	}
	return 10_000_000
}

// benchSource is an 8-field source like fixtures.GenerateCSV's export.
func benchSource() Source {
	return Source{ID: "bench/reg", Org: "bench", Anchor: "ic",
		Fields:  []string{"ic", "name", "phone", "email", "dob", "gender", "address", "postcode"},
		OrgOnly: []string{"email"}, NewMAC: keyed("bench")}
}

// BenchmarkSnapshotLoad loads a generated N-row, 8-field export (parse,
// normalise, fingerprint, sort, write) and, in the same run, computes the
// bare HMAC-SHA256s of the same number of rows and fields with the same
// number of goroutines: the limit. x_limit = load rate / limit rate (goal
// ≥ 0.5). x_limit_1core compares with the limit on one core.
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
	_ = f.Close()
	src := benchSource()
	workers := runtime.GOMAXPROCS(0)
	var load, limit, limit1 time.Duration
	var rows int64
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		l, err := NewLoader(context.Background(), LoadRequest{Source: src, AsOf: "2025-12-31", Path: filepath.Join(dir, fmt.Sprint(i, ".fp")), Workers: workers, Now: pinned})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := intake.ReadFile(context.Background(), export, intake.Options{Now: pinned, MaxUnique: 1}, l.Add); err != nil {
			b.Fatal(err)
		}
		hdr, err := l.Commit()
		if err != nil {
			b.Fatal(err)
		}
		rows = hdr.Rows
		t1 := time.Now()
		hmacLimit(src, n, workers)
		t2 := time.Now()
		hmacLimit(src, n, 1)
		limit += t2.Sub(t1)
		limit1 += time.Since(t2)
		load += t1.Sub(t0)
	}
	loadRate := float64(rows) * float64(b.N) / load.Seconds()
	limitRate := float64(n) * float64(b.N) / limit.Seconds()
	b.ReportMetric(loadRate, "records/s")
	b.ReportMetric(limitRate, "hmac_limit_rows/s")
	b.ReportMetric(loadRate/limitRate, "x_limit")
	b.ReportMetric(loadRate/(float64(n)*float64(b.N)/limit1.Seconds()), "x_limit_1core")
}

// hmacLimit computes what a load must at least compute: per row the
// anchor's HMAC and, per other field, a bound and an unbound HMAC, over
// short values, on workers goroutines.
func hmacLimit(src Source, n, workers int) {
	var wg sync.WaitGroup
	per := n / workers
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mac := src.NewMAC()
			buf := make([]byte, 0, 64)
			sum := make([]byte, 0, 32)
			for i := w * per; i < (w+1)*per; i++ {
				buf = strconv.AppendInt(append(buf[:0], "850101145673:"...), int64(i), 10)
				for range 2*(len(src.Fields)-1) + 1 {
					mac.Reset()
					mac.Write(buf)
					sum = mac.Sum(sum[:0])
				}
			}
		}()
	}
	wg.Wait()
}

// benchRecord is person i of the bench source, already normalised.
func benchRecord(i int) record.Record {
	var r record.Record
	r.Set(record.IC, fmt.Sprintf("%012d", 100000000000+i))
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
