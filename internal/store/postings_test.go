package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPostings(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2023, 12, 1, 10, 0, 0, 0, time.UTC)
	added, err := s.PutPosting(ctx, StoredPosting{ID: "p-1", Site: "bf", Title: "Socso 2023", PostedAt: at, JSON: []byte(`{"id":"p-1"}`)})
	if err != nil || !added {
		t.Fatalf("first put: %v %v", added, err)
	}
	added, err = s.PutPosting(ctx, StoredPosting{ID: "p-1", Site: "bf", Title: "Socso 2023 (edited)", PostedAt: at, JSON: []byte(`{"id":"p-1","title":"x"}`)})
	if err != nil || added {
		t.Fatalf("second put: %v %v", added, err)
	}
	p, err := s.Posting(ctx, "p-1")
	if err != nil || p.Title != "Socso 2023 (edited)" || !p.PostedAt.Equal(at) || string(p.JSON) != `{"id":"p-1","title":"x"}` {
		t.Fatalf("Posting = %+v, %v", p, err)
	}
	if _, err := s.Posting(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing posting: %v", err)
	}
	if _, err := s.PutPosting(ctx, StoredPosting{ID: "", JSON: []byte("{}")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty id: %v", err)
	}
	if _, err := s.PutPosting(ctx, StoredPosting{ID: "p-2", Site: "x", Title: "y", JSON: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := s.EachPosting(ctx, func(p StoredPosting) error { ids = append(ids, p.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != "p-1" || ids[1] != "p-2" {
		t.Errorf("EachPosting ids %v", ids)
	}
	if n, _ := s.CountPostings(ctx); n != 2 {
		t.Errorf("count %d", n)
	}
	stop := errors.New("stop")
	if err := s.EachPosting(ctx, func(StoredPosting) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachPosting stop: %v", err)
	}
}
