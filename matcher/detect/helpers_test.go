package detect

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/semak/semak/fixtures/world"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
)

// now is the pinned generation reference of every test: after the world's
// last registration (31 October 2026).
var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

var info = Info{Now: now, Country: "MY"}

// read turns a CSV sample into records the way the product does.
func read(t testing.TB, name string, b []byte) []record.Record {
	t.Helper()
	var recs []record.Record
	var mu sync.Mutex
	_, err := intake.ReadStream(context.Background(), name, bytes.NewReader(b), intake.Options{Now: now}, func(r record.Record) error {
		mu.Lock()
		recs = append(recs, r)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return recs
}

var (
	worldsMu sync.Mutex
	worlds   = map[uint64]*world.World{}
)

func theWorld(seed uint64) *world.World {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if w, ok := worlds[seed]; ok {
		return w
	}
	w := world.New(world.Config{Seed: seed, People: 5000})
	worlds[seed] = w
	return w
}

func exportRecs(t testing.TB, seed uint64, source, asOf string) []record.Record {
	t.Helper()
	var b bytes.Buffer
	if err := theWorld(seed).Export(&b, source, asOf); err != nil {
		t.Fatal(err)
	}
	return read(t, fmt.Sprintf("%d/%s@%s", seed, source, asOf), b.Bytes())
}

func sampleRecs(t testing.TB, seed uint64, f world.Family) []record.Record {
	t.Helper()
	var b bytes.Buffer
	if _, err := theWorld(seed).Sample(&b, f); err != nil {
		t.Fatal(err)
	}
	return read(t, fmt.Sprintf("%d/%s", seed, f), b.Bytes())
}

// fakerStates is Python Faker's ms_MY place_of_birth_in_malaysia, in its
// dict order (faker/providers/ssn/ms_MY/__init__.py).
var fakerStates = [][]string{
	{"01", "21", "22", "23", "24"}, {"02", "25", "26", "27"}, {"03", "28", "29"}, {"04", "30"},
	{"05", "31", "59"}, {"06", "32", "33"}, {"07", "35"}, {"08", "36", "37", "38", "39"},
	{"09", "40"}, {"10", "41", "42", "43", "44"}, {"11", "45", "46"}, {"12", "47", "48", "49"},
	{"13", "50", "51", "52", "53"}, {"14", "54", "55", "56", "57"}, {"15", "58"}, {"16"},
}

// fakerMyKad draws a MyKad exactly as Faker's ms_MY ssn() does: a state
// uniformly, one of its codes uniformly, the birthday today minus
// random_int(18*365, 90*365) days, then random_int(0, 9),
// random_int(10, 99) and the gender digit (random of the parity when
// gender is "M" or "F", any digit otherwise). oldCodes restricts the codes
// to 01-16, as older fabricators do.
func fakerMyKad(r *rand.Rand, today time.Time, gender string, oldCodes bool) string {
	codes := fakerStates[r.IntN(len(fakerStates))]
	code := codes[r.IntN(len(codes))]
	if oldCodes {
		code = codes[0]
	}
	days := 18*365 + r.IntN(90*365-18*365+1)
	bday := today.AddDate(0, 0, -days)
	g := r.IntN(10)
	switch gender {
	case "F":
		g = 2 * r.IntN(5)
	case "M":
		g = 2*r.IntN(5) + 1
	}
	return bday.Format("060102") + code + fmt.Sprint(r.IntN(10)) + fmt.Sprint(10+r.IntN(90)) + fmt.Sprint(g)
}

// fakerRecords makes n records as a seller's Faker script would:
// fake.ssn() for the IC; with columns, an independent fake.random gender
// and fake.date_of_birth(minimum_age=18, maximum_age=90) too.
func fakerRecords(seed uint64, n int, columns, oldCodes bool) []record.Record {
	r := rand.New(rand.NewPCG(seed, 0xfa4e))
	out := make([]record.Record, n)
	for i := range out {
		rec := &out[i]
		rec.Line = int64(i + 2)
		rec.Set(record.IC, fakerMyKad(r, now, "", oldCodes))
		rec.Set(record.Name, fmt.Sprintf("faker person %d", i))
		if columns {
			rec.Set(record.Gender, []string{"M", "F"}[r.IntN(2)])
			rec.Set(record.DOB, now.AddDate(0, 0, -(18*365+r.IntN(72*365))).Format(time.DateOnly))
		}
	}
	return out
}

// subset draws k records at random (or, when contiguous, k consecutive
// ones, as a seller posting "the first rows" would).
func subset(r *rand.Rand, recs []record.Record, k int, contiguous bool) []record.Record {
	if k >= len(recs) {
		return recs
	}
	if contiguous {
		i := r.IntN(len(recs) - k + 1)
		return recs[i : i+k]
	}
	idx := r.Perm(len(recs))[:k]
	out := make([]record.Record, k)
	for i, j := range idx {
		out[i] = recs[j]
	}
	return out
}

func find(rs []Result, name string) Result {
	for _, r := range rs {
		if r.Detector == name {
			return r
		}
	}
	return Result{}
}
