package intake

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/fixtures"
	"github.com/semak/semak/matcher/record"
)

// TestMain removes the benchmark's generated file.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchPath != "" {
		_ = os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchFile generates the 1M-row, 8-column CSV once per test binary.
func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "semak-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "1m.csv")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if benchErr = fixtures.GenerateCSV(w, 1_000_000, 42); benchErr == nil {
			benchErr = w.Flush()
		}
		if err := f.Close(); benchErr == nil {
			benchErr = err
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func bareCSVRead(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	n := 0
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// BenchmarkIntake1M parses, maps and normalises a generated 1M-row,
// 8-column CSV, and reads the same file bare with encoding/csv in the same
// run: x_bare is intake time over bare time (goal: at most 3).
func BenchmarkIntake1M(b *testing.B) {
	path := benchFile(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var bare, intake time.Duration
	var rows int64
	for b.Loop() {
		t0 := time.Now()
		if _, err := bareCSVRead(path); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rep, err := ReadFile(context.Background(), path, Options{}, func(record.Record) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		bare += t1.Sub(t0)
		intake += t2.Sub(t1)
		rows = rep.Usable
	}
	n := float64(b.N)
	mb := float64(fi.Size()) / (1 << 20)
	b.ReportMetric(float64(rows)*n/intake.Seconds(), "rows/s")
	b.ReportMetric(mb*n/intake.Seconds(), "intake_MB/s")
	b.ReportMetric(mb*n/bare.Seconds(), "bare_MB/s")
	b.ReportMetric(intake.Seconds()/bare.Seconds(), "x_bare")
}
