package matcher

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/semak/semak/internal/goldentest"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/verdict"
)

var update = flag.Bool("update", false, "rewrite the golden verdicts under testdata/golden")

// pinned is the clock of the tests: after the world's last registrations.
var pinned = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testWorld is a generated world with every snapshot of both registers
// loaded through the intake and the Loader, as `semak snapshot load` does.
type testWorld struct {
	w       *world.World
	sources []Source
	orgs    map[string]Org
	leaks   []KnownLeak
	leakMAC func() hash.Hash
	dir     string
}

var (
	worldOnce sync.Once
	worldVal  *testWorld
	worldErr  error
)

func loadedWorld(t *testing.T) *testWorld {
	t.Helper()
	worldOnce.Do(func() { worldVal, worldErr = buildWorld() })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return worldVal
}

func buildWorld() (*testWorld, error) {
	dir, err := os.MkdirTemp("", "semak-world-")
	if err != nil {
		return nil, err
	}
	tw := &testWorld{w: world.New(world.Config{Seed: 42, People: 5000}), dir: dir, orgs: map[string]Org{}}
	ctx := context.Background()
	for _, spec := range tw.w.Sources() {
		key := sha256.Sum256([]byte("test key of " + spec.ID))
		src := Source{ID: spec.ID, Org: spec.Org, Anchor: spec.Anchor, Fields: spec.Fields, OrgOnly: spec.OrgOnly,
			NewMAC: func() hash.Hash { return hmac.New(sha256.New, key[:]) }}
		tw.orgs[spec.Org] = Org{ID: spec.Org, Name: spec.Name, Population: spec.Population, Country: spec.Country}
		for _, asOf := range tw.w.SnapshotDates() {
			var buf bytes.Buffer
			if err := tw.w.Export(&buf, spec.ID, asOf); err != nil {
				return nil, err
			}
			export := filepath.Join(dir, strings.ReplaceAll(spec.ID, "/", "_")+"_"+asOf+".csv")
			if err := os.WriteFile(export, buf.Bytes(), 0o600); err != nil {
				return nil, err
			}
			fp := filepath.Join(dir, strings.ReplaceAll(spec.ID, "/", "_")+"_"+asOf+".fp")
			l, err := NewLoader(ctx, LoadRequest{Source: src, AsOf: asOf, Path: fp, Workers: 2, Now: pinned})
			if err != nil {
				return nil, err
			}
			rep, err := intake.ReadFile(ctx, export, intake.Options{Now: pinned}, l.Add)
			if err != nil {
				_ = l.Abort()
				return nil, err
			}
			var fields []string
			for _, c := range rep.Parts[0].Columns {
				fields = append(fields, string(c.Field))
			}
			if err := CheckColumns(src, fields); err != nil {
				_ = l.Abort()
				return nil, fmt.Errorf("%s %s: %w", spec.ID, asOf, err)
			}
			if _, err := l.Commit(); err != nil {
				return nil, err
			}
			snap, err := fingerprint.Open(fp)
			if err != nil {
				return nil, err
			}
			src.Snapshots = append(src.Snapshots, Snapshot{AsOf: asOf, Set: snap})
		}
		tw.sources = append(tw.sources, src)
	}
	// The earlier leak, registered as `semak leak add` does.
	serviceKey := sha256.Sum256([]byte("test service key"))
	tw.leakMAC = func() hash.Hash { return hmac.New(sha256.New, serviceKey[:]) }
	var buf bytes.Buffer
	spec, err := tw.w.EarlierLeak(&buf)
	if err != nil {
		return nil, err
	}
	leakCSV := filepath.Join(dir, "earlier_leak.csv")
	if err := os.WriteFile(leakCSV, buf.Bytes(), 0o600); err != nil {
		return nil, err
	}
	kl, err := loadLeak(ctx, leakCSV, filepath.Join(dir, "earlier_leak.fp"), spec.Posting, spec.Date, tw.leakMAC)
	if err != nil {
		return nil, err
	}
	kl.Org, kl.Title = spec.Org, spec.Title
	tw.leaks = append(tw.leaks, kl)
	return tw, nil
}

// loadLeak fingerprints a leak file under the service key, as `semak leak
// add` does: its columns first, then every row whole and per field.
func loadLeak(ctx context.Context, file, fp, posting, date string, mac func() hash.Hash) (KnownLeak, error) {
	rep, err := intake.ReadFile(ctx, file, intake.Options{Now: pinned}, nil)
	if err != nil {
		return KnownLeak{}, err
	}
	var fields []string
	for _, c := range rep.Parts[0].Columns {
		if c.How != intake.HowSkipped {
			fields = append(fields, string(c.Field))
		}
	}
	l, err := NewLoader(ctx, LoadRequest{Source: LeakSource(posting, fields, mac), AsOf: date, Path: fp, Workers: 2, Now: pinned})
	if err != nil {
		return KnownLeak{}, err
	}
	if _, err := intake.ReadFile(ctx, file, intake.Options{Now: pinned}, l.Add); err != nil {
		_ = l.Abort()
		return KnownLeak{}, err
	}
	if _, err := l.Commit(); err != nil {
		return KnownLeak{}, err
	}
	set, err := fingerprint.Open(fp)
	if err != nil {
		return KnownLeak{}, err
	}
	return KnownLeak{Posting: posting, Date: date, Fields: fields, Set: set}, nil
}

func (tw *testWorld) verify(t *testing.T, family world.Family) (verdict.Verdict, world.SampleSpec) {
	t.Helper()
	var buf bytes.Buffer
	spec, err := tw.w.Sample(&buf, family)
	if err != nil {
		t.Fatal(err)
	}
	var recs []record.Record
	rep, err := intake.ReadStream(context.Background(), string(family), &buf, intake.Options{Now: pinned}, func(r record.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	uniq := Dedupe(recs)
	v, err := Verify(context.Background(), Request{
		Claim: tw.orgs[spec.Claim], ClaimedCount: spec.ClaimedCount, Sources: tw.sources,
		Sample:  verdict.Sample{SHA256: rep.SHA256, Rows: rep.Rows, Usable: rep.Usable, Unique: int64(len(uniq))},
		Records: uniq, KnownLeaks: tw.leaks, LeakMAC: tw.leakMAC, Now: pinned, Workers: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, spec
}

// TestKnownLeakWithoutVerdict checks that a repost too small for a
// verdict, or of an organisation with no snapshot, still cites the leak
// its rows were posted in, as evidence that decides nothing.
func TestKnownLeakWithoutVerdict(t *testing.T) {
	tw := loadedWorld(t)
	var buf bytes.Buffer
	spec, err := tw.w.Sample(&buf, world.RepostedLeak)
	if err != nil {
		t.Fatal(err)
	}
	var recs []record.Record
	if _, err := intake.ReadStream(context.Background(), "repost", &buf, intake.Options{Now: pinned}, func(r record.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	recs = Dedupe(recs)
	var others []Source
	for _, s := range tw.sources {
		if s.Org != spec.Claim {
			others = append(others, s)
		}
	}
	for _, tc := range []struct {
		name    string
		records []record.Record
		sources []Source
		basis   verdict.Basis
	}{
		{"too few rows", recs[:10], tw.sources, verdict.TooFewRows},
		{"no snapshot of the claimed organisation", recs, others, verdict.NoMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(context.Background(), Request{
				Claim: tw.orgs[spec.Claim], Sources: tc.sources, Records: tc.records,
				KnownLeaks: tw.leaks, LeakMAC: tw.leakMAC, Now: pinned, Workers: 2,
			})
			if err != nil {
				t.Fatal(err)
			}
			if v.Verdict != verdict.Inconclusive || !slices.Contains(v.Basis, tc.basis) || slices.Contains(v.Basis, verdict.KnownLeak) {
				t.Fatalf("verdict %s %v, want INCONCLUSIVE for %s, the leak deciding nothing", v.Verdict, v.Basis, tc.basis)
			}
			if len(v.KnownLeaks) == 0 || v.KnownLeaks[0].Posting != spec.WantPosting || v.KnownLeaks[0].Matched != int64(len(tc.records)) {
				t.Fatalf("known leaks %+v: want all %d records in %s", v.KnownLeaks, len(tc.records), spec.WantPosting)
			}
			if !slices.ContainsFunc(v.Reasons, func(r string) bool { return strings.Contains(r, spec.WantPosting) }) {
				t.Fatalf("reasons %q do not name %s", v.Reasons, spec.WantPosting)
			}
		})
	}
}

// TestGoldenFamilies verifies one sample of every family of the generated
// world and checks the verdict, basis, flags and dating the family calls
// for; the whole verdict is kept as a golden file for review.
func TestGoldenFamilies(t *testing.T) {
	tw := loadedWorld(t)
	for _, fam := range world.Families() {
		t.Run(string(fam), func(t *testing.T) {
			v, spec := tw.verify(t, fam)
			if string(v.Verdict) != spec.Want {
				t.Errorf("verdict %s, want %s (%s)\nreasons: %v", v.Verdict, spec.Want, spec.Note, v.Reasons)
			}
			if spec.WantGenuine != "" && string(v.GenuineVerdict) != spec.WantGenuine {
				t.Errorf("genuine verdict %s, want %s", v.GenuineVerdict, spec.WantGenuine)
			}
			for _, b := range spec.WantBasis {
				if !slices.Contains(v.Basis, verdict.Basis(b)) {
					t.Errorf("basis %v lacks %s", v.Basis, b)
				}
			}
			for _, f := range spec.WantFlags {
				if !slices.Contains(v.Flags, f) {
					t.Errorf("flags %v lack %s", v.Flags, f)
				}
			}
			if spec.WantPosting != "" && (len(v.KnownLeaks) == 0 || v.KnownLeaks[0].Posting != spec.WantPosting || !strings.Contains(v.Statement.EN, spec.WantPosting)) {
				t.Errorf("known leaks %+v: want posting %s cited", v.KnownLeaks, spec.WantPosting)
			}
			if spec.WantPosting == "" && slices.Contains(v.Basis, verdict.KnownLeak) {
				t.Errorf("basis %v: no known leak explains this family", v.Basis)
			}
			if spec.WantSnapshot != "" && (v.Dating == nil || v.Dating.Snapshot != spec.WantSnapshot) {
				t.Errorf("dating %+v, want snapshot %s", v.Dating, spec.WantSnapshot)
			}
			// Fabrication: the made-up families are flagged, the padding of
			// the mixed one is, and genuine data never is.
			switch fam {
			case world.Fabricated, world.Mixed:
				if !slices.Contains(v.Basis, verdict.Fabricated) {
					t.Errorf("basis %v lacks fabricated", v.Basis)
				}
			default:
				if slices.Contains(v.Basis, verdict.Fabricated) {
					t.Errorf("genuine data flagged fabricated: %v", v.Reasons)
				}
				for _, d := range v.Detectors {
					if d.Flagged {
						t.Errorf("detector %s flagged genuine data: %s", d.Detector, d.Note)
					}
				}
			}
			if v.Verdict == verdict.Fake && slices.Contains(v.Basis, verdict.NewerThanSnapshot) {
				t.Errorf("newer records must never make a FAKE")
			}
			out, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "verdict_"+string(fam)+".json", append(out, '\n'))
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldentest.Check(t, filepath.Join("testdata", "golden", name), got, *update)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if worldVal != nil {
		_ = os.RemoveAll(worldVal.dir)
	}
	os.Exit(code)
}
