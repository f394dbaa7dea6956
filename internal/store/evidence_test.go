package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKnownLeaksAndCanaries(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum := strings.Repeat("ab", 32)
	day := time.Date(2022, 3, 14, 0, 0, 0, 0, time.UTC)
	l := KnownLeak{Posting: "BF-2022-0314", PostedOn: day, Org: "perkeso", Title: "Socso 2021", Rows: 1500, Fields: []string{"ic", "name"}, File: "leaks/x.fp", SHA256: sum, AddedBy: "dpo"}
	if err := s.AddKnownLeak(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.AddKnownLeak(ctx, l); !errors.Is(err, ErrExists) {
		t.Fatalf("second add: %v, want ErrExists", err)
	}
	for _, bad := range []KnownLeak{
		{Posting: "", PostedOn: day, Fields: []string{"ic"}, File: "f", SHA256: sum, AddedBy: "x"},
		{Posting: "p", PostedOn: day.Add(time.Hour), Fields: []string{"ic"}, File: "f", SHA256: sum, AddedBy: "x"},
		{Posting: "p", PostedOn: day, File: "f", SHA256: sum, AddedBy: "x"},
		{Posting: "p", PostedOn: day, Fields: []string{"ic"}, File: "../f", SHA256: sum, AddedBy: "x"},
		{Posting: "p", PostedOn: day, Fields: []string{"ic"}, File: "f", SHA256: "zz", AddedBy: "x"},
	} {
		if err := s.AddKnownLeak(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddKnownLeak(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	got, err := s.KnownLeaks(ctx)
	if err != nil || len(got) != 1 || got[0].Posting != l.Posting || !got[0].PostedOn.Equal(day) || len(got[0].Fields) != 2 {
		t.Fatalf("KnownLeaks = %+v, %v", got, err)
	}

	c := CanarySet{Source: "perkeso/contributors", Partner: "Syarikat Analitik", AsOf: day, Rows: 50, File: "canaries/x.fp", SHA256: sum, PlantedBy: "dpo"}
	if err := s.AddCanarySet(ctx, c); !errors.Is(err, ErrNotFound) {
		t.Fatalf("canary set of an unknown source: %v, want ErrNotFound", err)
	}
	if err := s.AddOrg(ctx, Org{ID: "perkeso", Name: "Pertubuhan Keselamatan Sosial"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSource(ctx, Source{ID: "perkeso/contributors", Anchor: "ic", Fields: []string{"ic", "name"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCanarySet(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCanarySet(ctx, c); !errors.Is(err, ErrExists) {
		t.Fatalf("second canary set: %v, want ErrExists", err)
	}
	if err := s.AddCanarySet(ctx, CanarySet{Source: c.Source, Partner: "p", AsOf: day, Rows: 0, File: "f", SHA256: sum, PlantedBy: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty canary set: %v, want ErrInvalid", err)
	}
	cs, err := s.CanarySets(ctx, "perkeso/contributors")
	if err != nil || len(cs) != 1 || cs[0].Partner != c.Partner || cs[0].Rows != 50 {
		t.Fatalf("CanarySets = %+v, %v", cs, err)
	}
	if all, _ := s.CanarySets(ctx, ""); len(all) != 1 {
		t.Errorf("all canary sets: %d", len(all))
	}
}
