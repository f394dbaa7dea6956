package index

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/fixtures/postings"
)

// benchN is the index size: SEMAK_BENCH_POSTINGS, default 1,000,000 (the
// goal sizes of the leak index issue). Run small with
// SEMAK_BENCH_POSTINGS=20000 go test -run '^$' -bench . ./index
func benchN(b *testing.B) int {
	s := os.Getenv("SEMAK_BENCH_POSTINGS")
	if s == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("SEMAK_BENCH_POSTINGS=%q is not a positive number", s)
	}
	return n
}

func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func heapMB() float64 {
	// Twice: scorch pools its segment-building buffers in sync.Pools,
	// which keep what they hold through one collection.
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// buildBench indexes n generated postings through Rebuild (the bulk path)
// and returns the index and the postings/s it achieved.
func buildBench(b *testing.B, dir string, n int) (*Index, float64) {
	ctx := context.Background()
	ix, err := Open(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err = ix.Rebuild(ctx, func(ctx context.Context, yield func(posting.Posting) error) error {
		return postings.Each(n, 1, yield)
	})
	if err != nil {
		b.Fatal(err)
	}
	return ix, float64(n) / time.Since(start).Seconds()
}

func BenchmarkIndex(b *testing.B) {
	n := benchN(b)
	for b.Loop() {
		dir := b.TempDir()
		ix, rate := buildBench(b, dir, n)
		b.ReportMetric(rate, "postings/s")
		b.ReportMetric(float64(dirBytes(dir))/(1<<20), "disk-MB")
		b.ReportMetric(heapMB(), "heap-MB")
		ix.Close()
	}
}

// queryMix is what an analyst's day looks like: victim names in three
// languages, filters, ranges, negations, and the empty query behind the
// facet sidebar.
var queryMix = []string{
	"socso",
	"perkeso OR socso OR \"pertubuhan keselamatan sosial\"",
	"jual data bpjs",
	`"juta rekod" lang:ms`,
	"victim:MySejahtera",
	"database records:>1m posted:2023..",
	"site:breachforums class:mykad -offer:free",
	"(tokopedia OR bukalapak) offer:sale",
	"",
	"leaked records:1000..50000 country:MY",
}

// queryIndex is BenchmarkQuery's index: built in a temporary directory,
// or, with SEMAK_BENCH_INDEX_DIR set, kept there and reused by later runs
// (so that query work can be measured again without indexing 1M postings
// each time; remove the directory after changing n or the mapping).
func queryIndex(b *testing.B, n int) *Index {
	dir := os.Getenv("SEMAK_BENCH_INDEX_DIR")
	if dir == "" {
		ix, _ := buildBench(b, b.TempDir(), n)
		return ix
	}
	if _, err := os.Stat(filepath.Join(dir, "CURRENT")); err == nil {
		ix, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if c, _ := ix.Count(); c != uint64(n) {
			b.Fatalf("%s holds %d postings, not %d: remove it", dir, c, n)
		}
		return ix
	}
	ix, rate := buildBench(b, dir, n)
	b.Logf("built %s: %.0f postings/s", dir, rate)
	return ix
}

func BenchmarkQuery(b *testing.B) {
	n := benchN(b)
	ix := queryIndex(b, n)
	defer ix.Close()
	ctx := context.Background()
	if s, ok := os.LookupEnv("SEMAK_BENCH_QUERY"); ok {
		queryMix = []string{s} // one query alone, e.g. to profile it
	}
	qs := make([]Query, len(queryMix))
	for i, s := range queryMix {
		q, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		qs[i] = q
	}
	// Each iteration runs the whole mix queryRounds times, so that even
	// -benchtime 1x gives percentiles over many queries, not over one.
	const queryRounds = 10
	var lat []time.Duration
	perQuery := make([][]time.Duration, len(qs))
	totals := make([]uint64, len(qs))
	for b.Loop() {
		for range queryRounds {
			for i, q := range qs {
				start := time.Now()
				res, err := ix.Search(ctx, q, SearchRequest{Facets: true, Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				totals[i] = res.Total
				d := time.Since(start)
				lat = append(lat, d)
				perQuery[i] = append(perQuery[i], d)
			}
		}
	}
	if testing.Verbose() {
		for i, ds := range perQuery {
			slices.Sort(ds)
			fmt.Printf("  %-55q hits=%7d p50=%7.2fms max=%7.2fms\n", queryMix[i], totals[i], float64(ds[len(ds)/2].Microseconds())/1000, float64(ds[len(ds)-1].Microseconds())/1000)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(heapMB(), "heap-MB")
	if testing.Verbose() {
		fmt.Printf("BenchmarkQuery n=%d queries=%d p50=%.2fms p95=%.2fms\n", n, len(lat), pct(0.5), pct(0.95))
	}
}
