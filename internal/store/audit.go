package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what, on what, when,
// from where. Detail must hold no personal data (counts, flags, ids).
type AuditEntry struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Origin string    `json:"origin"`
	Action string    `json:"action"`
	Object string    `json:"object,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Prev   string    `json:"prev"`
	Hash   string    `json:"hash"`
}

// auditHash chains an entry to the one before it: SHA-256 over the JSON
// array of its fields and the previous hash, so no field can be changed,
// and no entry removed or reordered, without breaking every hash after it.
func auditHash(e AuditEntry) string {
	b, _ := json.Marshal([]any{e.Seq, formatTime(e.At), e.Actor, e.Origin, e.Action, e.Object, e.Detail, e.Prev})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Audit appends an entry to the audit log and returns it as written, with
// its sequence number, time and hash.
func (s *Store) Audit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.Action == "" || e.Actor == "" {
		return AuditEntry{}, invalid("audit entry: action and actor are required")
	}
	e.At = s.now().UTC()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var last sql.NullInt64
		var prev sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: audit: %w", err)
		}
		e.Seq, e.Prev = last.Int64+1, prev.String
		e.Hash = auditHash(e)
		_, err = tx.ExecContext(ctx, `INSERT INTO audit (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, formatTime(e.At), e.Actor, e.Origin, e.Action, e.Object, e.Detail, e.Prev, e.Hash)
		if err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return AuditEntry{}, err
	}
	return e, nil
}

// AuditLog returns the audit entries with seq > after, oldest first, at
// most limit (all when limit <= 0).
func (s *Store) AuditLog(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	q := `SELECT ` + auditColumns + ` FROM audit WHERE seq > ? ORDER BY seq`
	args := []any{after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// auditColumns are the audit table's columns in scanAudit's order.
const auditColumns = `seq, at, actor, origin, action, object, detail, prev, hash`

// errAuditTime is a stored time that does not parse.
var errAuditTime = errors.New("a damaged time")

// scanAudit reads the row of auditColumns rows is at.
func scanAudit(rows *sql.Rows) (AuditEntry, error) {
	var e AuditEntry
	var at string
	if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Origin, &e.Action, &e.Object, &e.Detail, &e.Prev, &e.Hash); err != nil {
		return e, err
	}
	var err error
	if e.At, err = parseTime(at); err != nil {
		return e, fmt.Errorf("entry %d has %w (%w)", e.Seq, errAuditTime, err)
	}
	return e, nil
}

// ErrAuditTampered says the audit log's chain is broken: an entry was
// changed, removed or reordered outside semak.
var ErrAuditTampered = errors.New("the audit log has been tampered with")

// VerifyAudit walks the whole chain and returns how many entries it holds
// and the hash of the last (write it down elsewhere: a log rewritten from
// the start is told by a head that no longer matches). A broken link is
// ErrAuditTampered, naming the first entry that does not fit.
func (s *Store) VerifyAudit(ctx context.Context) (n int64, head string, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
	if err != nil {
		return 0, "", fmt.Errorf("store: audit verify: %w", err)
	}
	defer rows.Close()
	prev := ""
	for rows.Next() {
		e, err := scanAudit(rows)
		if errors.Is(err, errAuditTime) {
			return n, prev, fmt.Errorf("%w: entry %d has a damaged time", ErrAuditTampered, e.Seq)
		}
		if err != nil {
			return n, prev, fmt.Errorf("store: audit verify: %w", err)
		}
		switch {
		case e.Seq != n+1:
			return n, prev, fmt.Errorf("%w: entry %d follows entry %d (an entry is missing)", ErrAuditTampered, e.Seq, n)
		case e.Prev != prev:
			return n, prev, fmt.Errorf("%w: entry %d does not chain to entry %d", ErrAuditTampered, e.Seq, n)
		case auditHash(e) != e.Hash:
			return n, prev, fmt.Errorf("%w: entry %d was changed after it was written", ErrAuditTampered, e.Seq)
		}
		n, prev = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, prev, fmt.Errorf("store: audit verify: %w", err)
	}
	return n, prev, nil
}
