package matcher

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"slices"
	"strings"
	"testing"

	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/verdict"
)

// memSet is an in-memory snapshot for rule tests: the same fingerprints a
// snapshot file holds, in maps. The file format has its own tests.
type memSet struct {
	anchors map[uint64]fingerprint.NameFilter
	bound   map[int]map[uint64]bool
	unbound map[int]map[uint64]bool
}

func (m *memSet) Anchor(fp uint64) (fingerprint.NameFilter, bool) {
	f, ok := m.anchors[fp]
	return f, ok
}
func (m *memSet) Bound(j int, fp uint64) bool   { return m.bound[j][fp] }
func (m *memSet) Unbound(j int, fp uint64) bool { return m.unbound[j][fp] }

func keyed(name string) func() hash.Hash {
	k := sha256.Sum256([]byte(name))
	return func() hash.Hash { return hmac.New(sha256.New, k[:]) }
}

func memSnapshot(src *Source, recs []record.Record) *memSet {
	m := &memSet{anchors: map[uint64]fingerprint.NameFilter{}, bound: map[int]map[uint64]bool{}, unbound: map[int]map[uint64]bool{}}
	h := fingerprint.NewHasher(src.NewMAC)
	valuer := NewValuer(normalize.New(normalize.Options{Now: pinned}))
	for i := range recs {
		r := fingerprint.Row{Bound: make([]uint64, len(src.Fields)), Unbound: make([]uint64, len(src.Fields))}
		fingerprintRow(h, nil, valuer, src, &recs[i], &r)
		if r.Anchor != fingerprint.None {
			m.anchors[r.Anchor] = r.Name
		}
		for j := range src.Fields {
			for _, set := range []struct {
				fp uint64
				m  map[int]map[uint64]bool
			}{{r.Bound[j], m.bound}, {r.Unbound[j], m.unbound}} {
				if set.fp == fingerprint.None {
					continue
				}
				if set.m[j] == nil {
					set.m[j] = map[uint64]bool{}
				}
				set.m[j][set.fp] = true
			}
		}
	}
	return m
}

// person makes a normalised record: ic, name, phone, and attributes.
func person(i int, attrs ...string) record.Record {
	var r record.Record
	r.Set(record.IC, fmt.Sprintf("8501011%05d", i))
	r.Set(record.Name, fmt.Sprintf("ahmad%c ali%c", 'a'+i%26, 'a'+(i/26)%26))
	r.Set(record.Phone, fmt.Sprintf("+6012%07d", i))
	for k := 0; k+1 < len(attrs); k += 2 {
		r.Set(record.Field(attrs[k]), attrs[k+1])
	}
	return r
}

func people(lo, hi int, f func(i int) record.Record) []record.Record {
	var out []record.Record
	for i := lo; i < hi; i++ {
		out = append(out, f(i))
	}
	return out
}

// ruleWorld: org "a" with source a/reg (org-only member_no) with two
// snapshots where phones changed between them; org "b" with source b/reg
// (org-only b_no).
func ruleWorld() []Source {
	a := Source{ID: "a/reg", Org: "a", Anchor: "ic", Fields: []string{"ic", "name", "phone", "member_no"}, OrgOnly: []string{"member_no"}, NewMAC: keyed("a")}
	b := Source{ID: "b/reg", Org: "b", Anchor: "ic", Fields: []string{"ic", "name", "phone", "b_no"}, OrgOnly: []string{"b_no"}, NewMAC: keyed("b")}
	old := people(0, 200, func(i int) record.Record { return person(i, "member_no", fmt.Sprint("m", i)) })
	cur := people(0, 200, func(i int) record.Record {
		r := person(i, "member_no", fmt.Sprint("m", i))
		if i < 100 {
			r.Set(record.Phone, fmt.Sprintf("+6019%07d", i)) // changed since the old snapshot
		}
		return r
	})
	a.Snapshots = []Snapshot{{AsOf: "2024-12-31", Set: memSnapshot(&a, old)}, {AsOf: "2025-12-31", Set: memSnapshot(&a, cur)}}
	bs := people(100, 300, func(i int) record.Record { return person(i, "b_no", fmt.Sprint("b", i)) })
	b.Snapshots = []Snapshot{{AsOf: "2025-12-31", Set: memSnapshot(&b, bs)}}
	return []Source{a, b}
}

func runRule(t *testing.T, sources []Source, recs []record.Record, usable int64, claimed int64) verdict.Verdict {
	t.Helper()
	uniq := Dedupe(recs)
	v, err := Verify(context.Background(), Request{Claim: Org{ID: "a", Name: "A", Population: 1000}, ClaimedCount: claimed, Sources: sources,
		Sample: verdict.Sample{Rows: usable, Usable: usable}, Records: uniq, Now: pinned, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRules(t *testing.T) {
	src := ruleWorld()
	cur := func(i int) record.Record {
		r := person(i, "member_no", fmt.Sprint("m", i))
		if i < 100 {
			r.Set(record.Phone, fmt.Sprintf("+6019%07d", i))
		}
		return r
	}
	old := func(i int) record.Record { return person(i, "member_no", fmt.Sprint("m", i)) }
	fab := func(i int) record.Record { return person(5000+i, "member_no", fmt.Sprint("x", i)) }
	tests := []struct {
		name    string
		sources []Source
		recs    []record.Record
		usable  int64 // 0: len(recs)
		claimed int64
		want    verdict.Kind
		basis   verdict.Basis
		flags   []string
		noFlags []string
	}{
		{"no snapshot of the claimed org", src[1:], people(0, 50, cur), 0, 0, verdict.Inconclusive, verdict.NoMatch, nil, nil},
		{"29 records: too few", src, people(0, 29, cur), 0, 0, verdict.Inconclusive, verdict.TooFewRows, nil, nil},
		{"30 records: enough", src, people(0, 30, cur), 0, 0, verdict.New, verdict.CurrentSnapshot, nil, nil},
		{"current rows: NEW", src, people(0, 100, cur), 0, 0, verdict.New, verdict.CurrentSnapshot, nil, []string{verdict.FlagDuplicates, verdict.FlagClaimedSizeImplausible}},
		{"rows unchanged since the old snapshot: NEW, not OLD (no discriminating field)", src, people(100, 200, cur), 0, 0, verdict.New, verdict.CurrentSnapshot, nil, nil},
		{"rows as they were in the old snapshot: OLD", src, people(0, 100, old), 0, 0, verdict.Old, verdict.SnapshotDating, nil, nil},
		{"other org's rows: FAKE other_source", src, people(200, 300, func(i int) record.Record { return person(i, "b_no", fmt.Sprint("b", i)) }), 0, 0, verdict.Fake, verdict.OtherSource, nil, nil},
		{"fabricated: FAKE no_match", src, people(0, 100, fab), 0, 0, verdict.Fake, verdict.NoMatch, nil, nil},
		{"half fabricated: MIXED", src, append(people(100, 150, cur), people(0, 50, fab)...), 0, 0, verdict.Mixed, verdict.CurrentSnapshot, nil, nil},
		{"one genuine in 40: neither none nor all", src, append(people(150, 151, cur), people(0, 39, fab)...), 0, 0, verdict.Inconclusive, "", nil, nil},
		{"shared identifiers only", src, people(0, 60, func(i int) record.Record { return person(i) }), 0, 0, verdict.Inconclusive, "", nil, nil},
		{"padding and absurd claim", src, append(people(100, 140, cur), people(100, 140, cur)...), 80, 5000, verdict.New, verdict.CurrentSnapshot, []string{verdict.FlagDuplicates, verdict.FlagClaimedSizeImplausible}, nil},
		{"claim within the population", src, people(100, 140, cur), 0, 900, verdict.New, verdict.CurrentSnapshot, nil, []string{verdict.FlagClaimedSizeImplausible}},
		{"newer registrations are set aside, never FAKE", src, append(people(100, 140, cur), people(9000, 9100, func(i int) record.Record {
			return person(i, "member_no", fmt.Sprint("n", i), "registered", "2026-03-01")
		})...), 0, 0, verdict.New, verdict.NewerThanSnapshot, nil, nil},
		{"unknown records registered before the snapshot are not set aside", src, append(people(100, 140, cur), people(9000, 9100, func(i int) record.Record {
			return person(i, "member_no", fmt.Sprint("n", i), "registered", "2025-03-01")
		})...), 0, 0, verdict.Mixed, verdict.CurrentSnapshot, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usable := tt.usable
			if usable == 0 {
				usable = int64(len(tt.recs))
			}
			v := runRule(t, tt.sources, tt.recs, usable, tt.claimed)
			if v.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s; basis %v; reasons %v", v.Verdict, tt.want, v.Basis, v.Reasons)
			}
			if tt.basis != "" && !slices.Contains(v.Basis, tt.basis) {
				t.Errorf("basis %v lacks %s", v.Basis, tt.basis)
			}
			for _, f := range tt.flags {
				if !slices.Contains(v.Flags, f) {
					t.Errorf("flags %v lack %s", v.Flags, f)
				}
			}
			for _, f := range tt.noFlags {
				if slices.Contains(v.Flags, f) {
					t.Errorf("flags %v should not have %s", v.Flags, f)
				}
			}
			if v.Statement.EN == "" || v.Statement.MS == "" || v.Statement.Confidence == "" {
				t.Errorf("statement missing: %+v", v.Statement)
			}
		})
	}
}

// TestOverlappingOtherSourceIsNotFake: another source matching about as
// well as the claimed one is no evidence against the claim.
func TestOverlappingOtherSourceIsNotFake(t *testing.T) {
	src := ruleWorld()
	// People 100-199 are in both registers; the sample carries both
	// organisation-only fields.
	recs := people(100, 200, func(i int) record.Record {
		return person(i, "member_no", fmt.Sprint("m", i), "b_no", fmt.Sprint("b", i))
	})
	v := runRule(t, src, recs, 100, 0)
	if v.Verdict == verdict.Fake {
		t.Fatalf("FAKE although the claimed org matches as well: %v", v.Reasons)
	}
}

// TestDatingNeedsAClearMargin: an older snapshot that fits only a little
// better than the latest is not enough for OLD.
func TestDatingNeedsAClearMargin(t *testing.T) {
	src := ruleWorld()
	rules := DefaultRules
	rules.OldLog10LR = 1e6 // nothing is that clear
	recs := people(0, 100, func(i int) record.Record { return person(i, "member_no", fmt.Sprint("m", i)) })
	v, err := Verify(context.Background(), Request{Claim: Org{ID: "a"}, Sources: src, Sample: verdict.Sample{Usable: 100},
		Records: recs, Now: pinned, Workers: 1, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if v.Verdict != verdict.New || v.Dating == nil || v.Dating.Snapshot != "2024-12-31" {
		t.Fatalf("verdict %s dating %+v: want NEW with the old snapshot still reported best", v.Verdict, v.Dating)
	}
}

func TestConfidence(t *testing.T) {
	tests := []struct {
		k       verdict.Kind
		bound   float64
		signals int
		want    string
	}{
		{verdict.New, 0.95, 2, "almost certainly"},
		{verdict.New, 0.95, 1, "very likely"},
		{verdict.Fake, 0.8, 2, "very likely"},
		{verdict.Old, 0.6, 2, "likely"},
		{verdict.New, 0.4, 2, "cannot say"},
		{verdict.Inconclusive, 1, 3, "cannot say"},
	}
	for _, tt := range tests {
		if got := confidence(tt.k, tt.bound, tt.signals); got != tt.want {
			t.Errorf("confidence(%s, %.2f, %d) = %q, want %q", tt.k, tt.bound, tt.signals, got, tt.want)
		}
	}
}

func TestStatementNeverDeniesAbsolutely(t *testing.T) {
	src := ruleWorld()
	for _, recs := range [][]record.Record{
		people(0, 100, func(i int) record.Record { return person(5000+i, "member_no", "x") }),
		people(200, 300, func(i int) record.Record { return person(i, "b_no", fmt.Sprint("b", i)) }),
	} {
		v := runRule(t, src, recs, int64(len(recs)), 0)
		for _, s := range []string{v.Statement.EN, v.Statement.MS} {
			for _, bad := range []string{"no data was leaked", "no leak", "tiada kebocoran", "tidak bocor"} {
				if strings.Contains(strings.ToLower(s), bad) {
					t.Errorf("statement denies absolutely (%q): %s", bad, s)
				}
			}
		}
	}
}

// fakerIC makes a MyKad the way Python Faker's ms_MY provider spreads
// them: states drawn evenly over the 16 codes, ages uniform.
func fakerIC(i int) string {
	yy := 40 + (i*7)%60
	return fmt.Sprintf("%02d%02d%02d%02d%04d", yy, 1+(i*5)%12, 1+(i*3)%28, 1+i%16, 1000+i)
}

// TestFabricationRules: generator signatures add basis fabricated to a
// FAKE, and conflict with an attribution that says genuine.
func TestFabricationRules(t *testing.T) {
	a := Source{ID: "a/reg", Org: "a", Anchor: "ic", Fields: []string{"ic", "name", "phone", "member_no"}, OrgOnly: []string{"member_no"}, NewMAC: keyed("a")}
	faker := func(i int) record.Record {
		r := person(i, "member_no", fmt.Sprint("m", i))
		r.Set(record.IC, fakerIC(i))
		return r
	}
	// A register that itself holds Faker-made people (a test system's
	// data, say): matching it says genuine, the detectors say made up.
	a.Snapshots = []Snapshot{{AsOf: "2025-12-31", Set: memSnapshot(&a, people(0, 400, faker))}}
	req := Request{Claim: Org{ID: "a", Country: "MY"}, Sources: []Source{a}, Now: pinned, Workers: 2}

	req.Records = people(0, 400, faker)
	req.Sample = verdict.Sample{Usable: 400}
	v, err := Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if v.Verdict != verdict.Inconclusive || !slices.Contains(v.Basis, verdict.Fabricated) || v.Settle == "" {
		t.Errorf("genuine by the snapshots, fabricated by the detectors: %s %v %v", v.Verdict, v.Basis, v.Reasons)
	}

	req.Records = people(1000, 1400, faker) // made up, and in no register
	v, err = Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if v.Verdict != verdict.Fake || !slices.Contains(v.Basis, verdict.Fabricated) || !slices.Contains(v.Basis, verdict.NoMatch) {
		t.Errorf("Faker rows: %s %v", v.Verdict, v.Basis)
	}

	// Negative: the same shape without the signature stays FAKE no_match
	// only.
	req.Records = people(5000, 5400, func(i int) record.Record { return person(i, "member_no", "x") })
	v, err = Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if v.Verdict != verdict.Fake || slices.Contains(v.Basis, verdict.Fabricated) {
		t.Errorf("unknown people without a generator's signature: %s %v", v.Verdict, v.Basis)
	}
}
