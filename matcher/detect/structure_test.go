package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/record"
)

// person makes a consistent record: MyKad, gender and birth date agree.
func person(r *rand.Rand, i int) record.Record {
	dob := time.Date(1960+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	female := r.IntN(2) == 0
	last := 2*r.IntN(5) + 1
	g := "M"
	if female {
		last--
		g = "F"
	}
	var rec record.Record
	rec.Set(record.IC, fmt.Sprintf("%s10%03d%d", dob.Format("060102"), r.IntN(1000), last))
	rec.Set(record.Gender, g)
	rec.Set(record.DOB, dob.Format(time.DateOnly))
	rec.Set("registered", dob.AddDate(20, 0, r.IntN(3000)).Format(time.DateOnly))
	rec.Line = int64(i + 2)
	return rec
}

func flipGender(rec *record.Record) {
	if rec.Get(record.Gender) == "M" {
		rec.Set(record.Gender, "F")
	} else {
		rec.Set(record.Gender, "M")
	}
}

// people makes n consistent records and spoils the first bad with spoil.
func people(n, bad int, spoil func(r *rand.Rand, rec *record.Record)) []record.Record {
	r := rand.New(rand.NewPCG(uint64(n), uint64(bad)))
	out := make([]record.Record, n)
	for i := range out {
		out[i] = person(r, i)
		if i < bad {
			spoil(r, &out[i])
		}
	}
	return out
}

func TestStructure(t *testing.T) {
	nikFemale := func(r *rand.Rand, rec *record.Record) {
		rec.Set(record.IC, "")
		rec.Set(record.DOB, "")
		// day 15+40: a woman's NIK, recorded as a man in half the
		// records (as an independent random gender column would).
		rec.Set(record.NIK, "3171015505850001")
		rec.Set(record.Gender, []string{"M", "F"}[rec.Line%2])
	}
	for _, c := range []struct {
		name      string
		recs      []record.Record
		flagged   bool
		minShare  float64
		perRecord int // records PerRecord must flag
	}{
		// Positives.
		{"gender_digit_vs_gender_half", people(100, 50, func(_ *rand.Rand, rec *record.Record) { flipGender(rec) }), true, 0.99, 50},
		{"dob_vs_ic", people(100, 100, func(r *rand.Rand, rec *record.Record) {
			rec.Set(record.DOB, time.Date(1950+r.IntN(50), 6, 15, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		}), true, 0.9, 90},
		{"born_after_registration", people(100, 60, func(_ *rand.Rand, rec *record.Record) {
			d, _ := time.Parse(time.DateOnly, rec.Get(record.DOB))
			rec.Set("registered", d.AddDate(0, -3, 0).Format("02/01/2006"))
		}), true, 0.6, 60},
		{"invalid_place_code", people(40, 20, func(_ *rand.Rand, rec *record.Record) {
			ic := rec.Get(record.IC)
			rec.Set(record.IC, ic[:6]+"17"+ic[8:])
		}), true, 0.5, 20},
		{"dob_in_future", people(40, 20, func(_ *rand.Rand, rec *record.Record) {
			rec.Set(record.IC, "")
			rec.Set(record.DOB, now.AddDate(1, 0, 0).Format(time.DateOnly))
		}), true, 0.5, 20},
		{"nik_gender", people(40, 40, nikFemale), true, 0.99, 20},
		{"faker_with_columns", fakerRecords(1, 100, true, false), true, 0.9, 90},
		// Negatives.
		{"consistent", people(100, 0, nil), false, 0, 0},
		{"one_typo_in_100", people(100, 1, func(_ *rand.Rand, rec *record.Record) { flipGender(rec) }), false, 0, 1},
		{"day_month_swapped", people(100, 100, func(_ *rand.Rand, rec *record.Record) {
			d, _ := time.Parse(time.DateOnly, rec.Get(record.DOB))
			if d.Day() <= 12 {
				rec.Set(record.DOB, time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
			}
		}), false, 0, 0},
		{"shifted_one_day", people(100, 100, func(_ *rand.Rand, rec *record.Record) {
			d, _ := time.Parse(time.DateOnly, rec.Get(record.DOB))
			rec.Set(record.DOB, d.AddDate(0, 0, -1).Format(time.DateOnly))
		}), false, 0, 0},
		{"gender_column_inverted", people(100, 100, func(_ *rand.Rand, rec *record.Record) { flipGender(rec) }), false, 0, 0},
		{"too_few", people(10, 3, func(_ *rand.Rand, rec *record.Record) { flipGender(rec) }), false, 0, 3},
		{"world_current_reformatted", sampleRecs(t, 1, world.CurrentReformatted), false, 0, 0},
		{"world_newer_records", sampleRecs(t, 1, world.NewerRecords), false, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Structure{}.Run(c.recs, info)
			if res.Flagged != c.flagged {
				t.Errorf("flagged=%v, want %v: %+v", res.Flagged, c.flagged, res)
			}
			if c.flagged && res.Share < c.minShare {
				t.Errorf("share %.2f, want ≥ %.2f: %+v", res.Share, c.minShare, res)
			}
			pr := PerRecord(c.recs, info)
			k := 0
			for _, b := range pr {
				if b {
					k++
				}
			}
			if k < c.perRecord || (c.perRecord == 0 && k != 0) {
				t.Errorf("PerRecord flags %d, want %d", k, c.perRecord)
			}
			t.Logf("%s: %s; %s", res.Statistic, res.Note, fmt.Sprint(res.Share))
		})
	}
}

func TestSameBirth(t *testing.T) {
	d := func(s string) time.Time { x, _ := time.Parse(time.DateOnly, s); return x }
	for _, c := range []struct {
		id, dob string
		want    bool
	}{
		{"1985-03-04", "1985-03-04", true},
		{"1985-03-04", "1985-04-03", true}, // swapped by a month-first sheet
		{"1985-03-04", "1985-03-03", true}, // a time-zone shift
		{"2000-01-01", "1999-12-31", true},
		{"1925-03-04", "2025-03-04", true}, // the ID's century is a guess
		{"1985-03-04", "1985-03-06", false},
		{"1985-03-04", "1986-03-04", false},
	} {
		if got := sameBirth(d(c.id), d(c.dob)); got != c.want {
			t.Errorf("sameBirth(%s, %s) = %v", c.id, c.dob, got)
		}
	}
}
