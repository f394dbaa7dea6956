package detect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/semak/semak/fixtures/world"
)

// genuineSeeds are the worlds the false-positive test reads. Each gives 5
// exports; every sample size draws a random and a contiguous subset of
// each: 2 × 5 × len(genuineSeeds) samples per size.
var genuineSeeds = []uint64{1, 2, 3, 4, 5}

var genuineExports = []struct{ source, asOf string }{
	{world.PerkesoSource, "2021-12-31"},
	{world.PerkesoSource, "2023-12-31"},
	{world.PerkesoSource, "2025-12-31"},
	{world.KwspSource, "2022-12-31"},
	{world.KwspSource, "2025-12-31"},
}

// genuineFamilies are the world's sample families made of real people.
func genuineFamilies() []world.Family {
	var out []world.Family
	for _, f := range world.Families() {
		if f != world.Mixed && f != world.Fabricated {
			out = append(out, f)
		}
	}
	return out
}

// TestGenuineNeverFabricated is the false-positive test: no genuine sample
// of any size, seed, register or date is dominated by fabricated records.
func TestGenuineNeverFabricated(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 25 world exports")
	}
	sizes := []int{30, 100, 400, 2000}
	type tally struct {
		samples, dominated int
		flagged            map[string]int
	}
	tallies := map[int]*tally{}
	for _, n := range sizes {
		tallies[n] = &tally{flagged: map[string]int{}}
	}
	count := func(tl *tally, rs []Result) bool {
		tl.samples++
		for _, r := range rs {
			if r.Flagged {
				tl.flagged[r.Detector]++
			}
		}
		dom, _, _ := Fabricated(rs)
		if dom {
			tl.dominated++
		}
		return dom
	}
	for _, seed := range genuineSeeds {
		r := rand.New(rand.NewPCG(seed, 7))
		for _, e := range genuineExports {
			recs := exportRecs(t, seed, e.source, e.asOf)
			for _, n := range sizes {
				for _, contiguous := range []bool{false, true} {
					sub := subset(r, recs, n, contiguous)
					rs := Run(sub, info)
					if count(tallies[n], rs) {
						t.Errorf("seed %d %s@%s n=%d contiguous=%v: genuine sample dominated by fabricated: %+v", seed, e.source, e.asOf, n, contiguous, rs)
					}
					if pr := PerRecord(sub, info); slices.Contains(pr, true) {
						t.Errorf("seed %d %s@%s n=%d: PerRecord flags a genuine record", seed, e.source, e.asOf, n)
					}
				}
			}
		}
	}
	for _, n := range sizes {
		tl := tallies[n]
		if tl.samples < 20 {
			t.Errorf("n=%d: only %d samples", n, tl.samples)
		}
		t.Logf("genuine exports n=%4d: %d samples, dominated %d; flagged structure %d, faker_mykad %d, too_clean %d, aggregation %d",
			n, tl.samples, tl.dominated, tl.flagged[NameStructure], tl.flagged[NameFakerMyKad], tl.flagged[NameTooClean], tl.flagged[NameAggregation])
	}

	// The world's genuine sample families.
	fam := &tally{flagged: map[string]int{}}
	for _, seed := range genuineSeeds {
		for _, f := range genuineFamilies() {
			recs := sampleRecs(t, seed, f)
			rs := Run(recs, info)
			if count(fam, rs) {
				t.Errorf("seed %d family %s: genuine sample dominated by fabricated: %+v", seed, f, rs)
			}
			if pr := PerRecord(recs, info); slices.Contains(pr, true) {
				t.Errorf("seed %d family %s: PerRecord flags a genuine record", seed, f)
			}
		}
	}
	t.Logf("genuine families: %d samples, dominated %d; flagged structure %d, faker_mykad %d, too_clean %d, aggregation %d",
		fam.samples, fam.dominated, fam.flagged[NameStructure], fam.flagged[NameFakerMyKad], fam.flagged[NameTooClean], fam.flagged[NameAggregation])
}

// TestWorldFabricated: the world's fabricated family is dominated by
// fabricated records, in every seed.
func TestWorldFabricated(t *testing.T) {
	for _, seed := range genuineSeeds {
		recs := sampleRecs(t, seed, world.Fabricated)
		rs := Run(recs, info)
		dom, share, reasons := Fabricated(rs)
		if !dom {
			t.Errorf("seed %d: fabricated family not dominated: %+v", seed, rs)
		}
		if slices.Contains(PerRecord(recs, info), true) {
			t.Logf("seed %d: PerRecord flags some fabricated records", seed)
		}
		t.Logf("seed %d fabricated n=%d: dominated=%v share=%.2f; %v; %s", seed, len(recs), dom, share, reasons, find(rs, NameFakerMyKad).Statistic)
	}
}

// TestWorldMixed reports what PerRecord and the detectors make of the
// world's mixed family (250 real + 250 fabricated). The world's fabricated
// rows are structurally perfect MyKads without gender or birth-date
// columns, so no record is individually impossible: PerRecord flags none
// of either half, and the fabricated half is found by the matcher (it
// matches nobody), not here. faker_mykad estimates the fabricated share.
func TestWorldMixed(t *testing.T) {
	for _, seed := range genuineSeeds[:2] {
		real := map[string]bool{}
		for _, r := range exportRecs(t, seed, world.PerkesoSource, "2025-12-31") {
			real[r.Values[slotIC]] = true
		}
		recs := sampleRecs(t, seed, world.Mixed)
		pr := PerRecord(recs, info)
		var nReal, nFake, fReal, fFake int
		for i, r := range recs {
			if real[r.Values[slotIC]] {
				nReal++
				if pr[i] {
					fReal++
				}
			} else {
				nFake++
				if pr[i] {
					fFake++
				}
			}
		}
		if fReal != 0 {
			t.Errorf("seed %d: PerRecord flags %d of %d real records", seed, fReal, nReal)
		}
		rs := Run(recs, info)
		fm := find(rs, NameFakerMyKad)
		if fm.Share < 0.25 || fm.Share > 0.75 {
			t.Errorf("seed %d: faker_mykad share %.2f on a half-fabricated sample", seed, fm.Share)
		}
		dom, _, _ := Fabricated(rs)
		t.Logf("seed %d mixed: real %d (PerRecord %d), fabricated %d (PerRecord %d); faker_mykad share %.2f flagged=%v; dominated=%v",
			seed, nReal, fReal, nFake, fFake, fm.Share, fm.Flagged, dom)
	}
}

// TestMixedFakerWithColumns: 250 genuine rows plus 250 rows a Faker
// script made with independent gender and birth-date columns. Here the
// fabricated half is individually impossible and PerRecord finds it.
func TestMixedFakerWithColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	genuine := subset(r, exportRecs(t, 1, world.PerkesoSource, "2025-12-31"), 250, false)
	fake := fakerRecords(9, 250, true, false)
	recs := append(slices.Clone(genuine), fake...)
	pr := PerRecord(recs, info)
	fr, ff := 0, 0
	for i := range pr {
		if pr[i] && i < 250 {
			fr++
		} else if pr[i] {
			ff++
		}
	}
	if fr != 0 {
		t.Errorf("PerRecord flags %d of 250 genuine records", fr)
	}
	if ff < 225 {
		t.Errorf("PerRecord flags %d of 250 Faker records, want most", ff)
	}
	t.Logf("mixed genuine+Faker-with-columns: PerRecord flags %d/250 genuine (%.1f%%), %d/250 fabricated (%.1f%%)", fr, float64(fr)/2.5, ff, float64(ff)/2.5)
}

// TestFakerSamplesDominated: Faker ms_MY samples of 30, 100, 400 and 2000
// records (IC only, both code variants; and with gender and birth-date
// columns) are dominated, except that the IC-only samples below
// faker_mykad's MinN (50) abstain.
func TestFakerSamplesDominated(t *testing.T) {
	for _, n := range []int{30, 100, 400, 2000} {
		for _, v := range []struct {
			name              string
			columns, oldCodes bool
		}{{"ic_only", false, false}, {"ic_only_codes_01_16", false, true}, {"with_gender_dob", true, false}} {
			t.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(t *testing.T) {
				hits := 0
				const reps = 20
				for s := range uint64(reps) {
					recs := fakerRecords(100+s, n, v.columns, v.oldCodes)
					rs := Run(recs, info)
					dom, _, _ := Fabricated(rs)
					if dom {
						hits++
					}
					if n < fakerMinN && !v.columns {
						fm := find(rs, NameFakerMyKad)
						if fm.Flagged || dom {
							t.Fatalf("below MinN: %+v", fm)
						}
					}
				}
				want := reps
				if n < fakerMinN && !v.columns {
					want = 0 // abstains
				}
				if hits != want {
					t.Errorf("%d of %d samples dominated, want %d", hits, reps, want)
				}
				t.Logf("Faker %s n=%d: %d/%d dominated", v.name, n, hits, reps)
			})
		}
	}
}
