package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/record"
)

// tidy makes n complete records with sequential MyKads and e-mails made of
// the name and digits.
func tidy(n int, sequentialIC bool) []record.Record {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	first := []string{"ahmad", "siti", "tan", "kumar", "nurul", "lim", "aisyah", "faris"}
	out := make([]record.Record, n)
	for i := range out {
		rec := &out[i]
		a, b := first[r.IntN(len(first))], first[r.IntN(len(first))]
		rec.Set(record.IC, fmt.Sprintf("8501011%05d", 10000+i*2))
		if !sequentialIC {
			rec.Set(record.IC, fmt.Sprintf("8501011%05d", r.IntN(90000)+10000))
		}
		rec.Set(record.Name, a+" bin "+b)
		rec.Set(record.Email, fmt.Sprintf("%s%d@gmail.com", a, r.IntN(1000)))
		rec.Set(record.Phone, fmt.Sprintf("+6012%07d", r.IntN(1e7)))
		rec.Set(record.State, "selangor")
		rec.Set("salary", fmt.Sprintf("%d.00", 1500+10*r.IntN(700)))
	}
	return out
}

func TestTooClean(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, c := range []struct {
		name    string
		recs    []record.Record
		flagged bool
	}{
		// Positives.
		{"world_fabricated", sampleRecs(t, 3, world.Fabricated), true},
		{"sequential_ics_tiny_vocabulary", tidy(200, true), true},
		// Negatives.
		{"world_perkeso_400", subset(r, exportRecs(t, 3, world.PerkesoSource, "2025-12-31"), 400, false), false},
		{"world_kwsp_2000", subset(r, exportRecs(t, 3, world.KwspSource, "2022-12-31"), 2000, true), false},
		{"world_current_reformatted", sampleRecs(t, 3, world.CurrentReformatted), false},
		{"below_min_n", tidy(40, true), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := TooClean{}.Run(c.recs, info)
			if res.Flagged != c.flagged {
				t.Errorf("flagged=%v, want %v: %+v", res.Flagged, c.flagged, res)
			}
			t.Logf("%s | %s", res.Statistic, res.Note)
		})
	}
}

func TestEmailFromName(t *testing.T) {
	for _, c := range []struct {
		email, name string
		want        bool
	}{
		{"ahmad1234@gmail.com", "abdullah ahmad bin", true},
		{"ahmadabdullah7@yahoo.com", "abdullah ahmad bin", true},
		{"ahmad_1985@gmail.com", "abdullah ahmad bin", false},
		{"ahmad@gmail.com", "abdullah ahmad bin", false}, // no digits
		{"cutie99@gmail.com", "abdullah ahmad bin", false},
		{"ahmad.abdullah@gmail.com", "abdullah ahmad bin", false},
		{"12345@gmail.com", "abdullah ahmad bin", false},
	} {
		if got := emailFromName(c.email, c.name); got != c.want {
			t.Errorf("emailFromName(%q, %q) = %v", c.email, c.name, got)
		}
	}
}
