package canary

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/matcher/normalize"
)

var asOf = time.Date(2022, 6, 30, 0, 0, 0, 0, time.UTC)

func TestMake(t *testing.T) {
	fields := []string{"ic", "name", "phone", "email", "address", "postcode", "state", "employer", "salary", "perkeso_no", "registered"}
	taken := map[string]bool{}
	tries := 0
	recs, err := Make(Options{Fields: fields, AsOf: asOf, Count: 300, Formats: map[string]string{"perkeso_no": "PKS#########"},
		Taken: func(field, v string) bool {
			tries++
			if field == "ic" && tries%7 == 0 { // pretend some are real people's
				taken[v] = true
				return true
			}
			return false
		},
		Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 300 {
		t.Fatalf("%d records", len(recs))
	}
	n := normalize.New(normalize.Options{Now: asOf})
	seen := map[string]bool{}
	codes := map[string]int{}
	for _, r := range recs {
		m, err := n.MyKad(r["ic"])
		if err != nil {
			t.Fatalf("invalid MyKad: %v", err)
		}
		codes[m.PlaceCode]++
		if taken[r["ic"]] || seen[r["ic"]] {
			t.Fatalf("a canary collides")
		}
		seen[r["ic"]] = true
		if _, err := n.Phone(r["phone"]); err != nil {
			t.Errorf("phone: %v", err)
		}
		if _, err := n.Email(r["email"]); err != nil {
			t.Errorf("email: %v", err)
		}
		if _, err := n.Name(r["name"]); err != nil {
			t.Errorf("name: %v", err)
		}
		if a, err := n.Address(r["address"]); err != nil || a.Postcode != r["postcode"] {
			t.Errorf("address %v, postcode mismatch", err)
		}
		if !strings.HasPrefix(r["perkeso_no"], "PKS") || len(r["perkeso_no"]) != 12 {
			t.Errorf("perkeso_no format")
		}
		if d, err := n.Date(r["registered"]); err != nil || d > asOf.Format(time.DateOnly) {
			t.Errorf("registered %v after the extract", err)
		}
		if (m.Female) != (strings.Contains(r["name"], "BINTI") || strings.Contains(r["name"], "A/P")) && (strings.Contains(r["name"], " BIN") || strings.Contains(r["name"], "A/")) {
			t.Errorf("gender digit disagrees with the name's connector")
		}
	}
	// Like everyone else's: many place codes, not only 01–16.
	old := 0
	for c := range codes {
		if c > "20" {
			old++
		}
	}
	if len(codes) < 15 || old == 0 {
		t.Errorf("place codes %v: want a population-like spread incl. the older codes", codes)
	}
}

func TestMakeRefuses(t *testing.T) {
	_, err := Make(Options{Fields: []string{"ic", "member_id"}, AsOf: asOf, Count: 1, Rand: rand.New(rand.NewPCG(1, 1))})
	if err == nil || !strings.Contains(err.Error(), "--format member_id=") {
		t.Errorf("unknown field: %v", err)
	}
	_, err = Make(Options{Fields: []string{"ic"}, AsOf: asOf, Count: 5, Taken: func(string, string) bool { return true }, Rand: rand.New(rand.NewPCG(1, 1))})
	if err == nil || !strings.Contains(err.Error(), "collide with nobody") {
		t.Errorf("everything taken: %v", err)
	}
	if _, err := Make(Options{Fields: []string{"ic"}, Count: 0}); err == nil {
		t.Error("count 0 accepted")
	}
}
