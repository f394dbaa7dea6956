package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/record"
)

// withCodes makes n records whose MyKads carry place codes drawn by pick.
func withCodes(seed uint64, n int, pick func(r *rand.Rand) string) []record.Record {
	r := rand.New(rand.NewPCG(seed, 3))
	out := make([]record.Record, n)
	for i := range out {
		ic := fakerMyKad(r, now, "", false)
		out[i].Set(record.IC, ic[:6]+pick(r)+ic[8:])
	}
	return out
}

// censusCode draws a state by the census shares and its current code.
func censusCode(r *rand.Rand) string {
	x := r.Float64()
	for i, s := range popShares {
		if x < s {
			return fmt.Sprintf("%02d", i+1)
		}
		x -= s
	}
	return "10"
}

func TestFakerMyKad(t *testing.T) {
	pr := rand.New(rand.NewPCG(5, 5))
	genuine := subset(pr, exportRecs(t, 1, world.KwspSource, "2025-12-31"), 400, false)
	for _, c := range []struct {
		name    string
		recs    []record.Record
		flagged bool
	}{
		// Positives: Faker ms_MY as it is, and an older 01-16-only
		// variant; with more records than the minimum.
		{"faker_400", fakerRecords(1, 400, false, false), true},
		{"faker_codes_01_16_400", fakerRecords(2, 400, false, true), true},
		{"faker_60", fakerRecords(3, 60, false, false), true},
		{"world_fabricated", sampleRecs(t, 2, world.Fabricated), true},
		// Negatives.
		{"world_kwsp_400", genuine, false},
		{"world_other_org", sampleRecs(t, 2, world.OtherOrg), false},
		{"census_mix_2000", withCodes(4, 2000, censusCode), false},
		{"regional_selangor_400", withCodes(5, 400, func(r *rand.Rand) string {
			return []string{"10", "41", "42", "43", "44"}[r.IntN(5)]
		}), false},
		{"uniform_with_foreign_codes", withCodes(6, 400, func(r *rand.Rand) string {
			if r.IntN(10) == 0 {
				return "71"
			}
			return fmt.Sprintf("%02d", 1+r.IntN(16))
		}), false},
		{"below_min_n", fakerRecords(7, 30, false, false), false},
		{"no_mykad", fakerRecords(8, 0, false, false), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := FakerMyKad{}.Run(c.recs, info)
			if res.Flagged != c.flagged {
				t.Errorf("flagged=%v, want %v: %+v", res.Flagged, c.flagged, res)
			}
			if c.flagged && res.Share < 0.8 {
				t.Errorf("share %.2f on an all-Faker sample", res.Share)
			}
			if !c.flagged && res.N >= fakerMinN && res.Share > 0.5 && c.name != "uniform_with_foreign_codes" {
				t.Errorf("share %.2f on a genuine sample", res.Share)
			}
			t.Logf("n=%d share=%.2f %s | %s", res.N, res.Share, res.Statistic, res.Note)
		})
	}
}

// TestFakerMyKadMargin measures faker_mykad on many more genuine subsets
// than the end-to-end test: 1,000 random subsets of 50 and of 100 from each
// of 5 worlds' latest perkeso export, none flagged; and its power on Faker
// samples at its minimum n.
func TestFakerMyKadMargin(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 subsets")
	}
	for _, n := range []int{50, 100} {
		r := rand.New(rand.NewPCG(11, uint64(n)))
		flagged, total := 0, 0
		for _, seed := range genuineSeeds {
			recs := exportRecs(t, seed, world.PerkesoSource, "2025-12-31")
			for range 1000 {
				total++
				if (FakerMyKad{}).Run(subset(r, recs, n, false), info).Flagged {
					flagged++
				}
			}
		}
		if flagged != 0 {
			t.Errorf("n=%d: %d of %d genuine subsets flagged", n, flagged, total)
		}
		hits := 0
		for s := range uint64(200) {
			if (FakerMyKad{}).Run(fakerRecords(5000+s, n, false, false), info).Flagged {
				hits++
			}
		}
		t.Logf("faker_mykad n=%d: genuine %d/%d flagged; Faker %d/200 flagged", n, flagged, total, hits)
	}
}
