package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/record"
)

// contacts makes n records with phones (a share foreign of them
// Indonesian), NIKs instead of MyKads for a share nik, and e-mails on
// domains drawn from doms.
func contacts(n int, foreign, nik float64, doms []string) []record.Record {
	r := rand.New(rand.NewPCG(uint64(n), 9))
	out := make([]record.Record, n)
	for i := range out {
		rec := &out[i]
		if r.Float64() < foreign {
			rec.Set(record.Phone, fmt.Sprintf("+62812%07d", r.IntN(1e7)))
		} else {
			rec.Set(record.Phone, fmt.Sprintf("+6012%07d", r.IntN(1e7)))
		}
		if r.Float64() < nik {
			rec.Set(record.NIK, fmt.Sprintf("317101%02d0585%04d", 1+r.IntN(28), 1+r.IntN(9999)))
		} else {
			rec.Set(record.IC, fmt.Sprintf("850101%02d%04d", 1+r.IntN(14), r.IntN(10000)))
		}
		rec.Set(record.Email, fmt.Sprintf("user%d@%s", i, doms[r.IntN(len(doms))]))
	}
	return out
}

func TestAggregation(t *testing.T) {
	malaysian := []string{"gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "yahoo.com.my", "outlook.com"}
	even := []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "live.com", "mail.com", "ymail.com"}
	r := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		name    string
		recs    []record.Record
		flagged bool
	}{
		// Positives.
		{"half_indonesian_phones", contacts(200, 0.5, 0, malaysian), true},
		{"mykad_and_nik", contacts(200, 0, 0.4, malaysian), true},
		{"even_domains", contacts(400, 0, 0, even), true},
		// Negatives.
		{"few_foreign_phones", contacts(400, 0.05, 0.02, malaysian), false},
		{"world_perkeso_2000", subset(r, exportRecs(t, 4, world.PerkesoSource, "2025-12-31"), 2000, false), false},
		{"world_fabricated", sampleRecs(t, 4, world.Fabricated), false},
		{"below_min_n", contacts(40, 0.5, 0.5, even), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Aggregation{}.Run(c.recs, info)
			if res.Flagged != c.flagged {
				t.Errorf("flagged=%v, want %v: %+v", res.Flagged, c.flagged, res)
			}
			t.Logf("%s | %s", res.Statistic, res.Note)
		})
	}
}
