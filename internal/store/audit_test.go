package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if n, head, err := s.VerifyAudit(ctx); err != nil || n != 0 || head != "" {
		t.Fatalf("empty log: %d %q %v", n, head, err)
	}
	var last AuditEntry
	for i, a := range []string{"snapshot.load", "verify", "export"} {
		e, err := s.Audit(ctx, AuditEntry{Actor: "analyst", Origin: "cli@host", Action: a, Object: "socso", Detail: fmt.Sprint("n=", i)})
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || e.Prev != last.Hash || e.Hash == "" || e.At.IsZero() {
			t.Fatalf("entry %d: %+v (previous hash %s)", i, e, last.Hash)
		}
		last = e
	}
	if _, err := s.Audit(ctx, AuditEntry{Action: "export"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an entry without an actor: %v", err)
	}
	n, head, err := s.VerifyAudit(ctx)
	if err != nil || n != 3 || head != last.Hash {
		t.Fatalf("verify: %d %s %v; want 3 %s", n, head, err, last.Hash)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 2 || log[0].Action != "verify" || log[1] != last {
		t.Errorf("log after 1: %+v %v", log, err)
	}

	// semak's own SQL cannot change or remove an entry.
	for _, q := range []string{`UPDATE audit SET actor = 'someone' WHERE seq = 2`, `DELETE FROM audit WHERE seq = 3`} {
		if _, err := s.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}

	// Someone with the database file drops the triggers and edits: the
	// chain tells.
	tamper := func(qs ...string) error {
		for _, q := range append([]string{`DROP TRIGGER IF EXISTS audit_no_update`, `DROP TRIGGER IF EXISTS audit_no_delete`}, qs...) {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err := s.VerifyAudit(ctx)
		return err
	}
	if err := tamper(`UPDATE audit SET detail = 'n=99' WHERE seq = 2`); !errors.Is(err, ErrAuditTampered) || !strings.Contains(err.Error(), "entry 2 was changed") {
		t.Errorf("edited entry: %v", err)
	}
	if err := tamper(`UPDATE audit SET detail = 'n=1' WHERE seq = 2`, `DELETE FROM audit WHERE seq = 2`); !errors.Is(err, ErrAuditTampered) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("removed entry: %v", err)
	}
}

// Concurrent writers (two CLI processes, web requests) never fork the
// chain.
func TestAuditConcurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := open(t, dir), open(t, dir)
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b} {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					if _, err := s.Audit(ctx, AuditEntry{Actor: "x", Origin: "test", Action: "verify"}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if n, _, err := a.VerifyAudit(ctx); err != nil || n != 80 {
		t.Errorf("after 80 concurrent entries: %d, %v", n, err)
	}
}
