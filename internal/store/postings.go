package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StoredPosting is a leak posting as the store keeps it: a few columns to
// list by, and the posting's JSON (the crawler/posting contract) with its
// sample rows already removed by the caller. The store does not parse it:
// it holds metadata, and the posting's vocabulary lives with the crawler.
type StoredPosting struct {
	ID       string
	Site     string
	Title    string
	PostedAt time.Time // zero when unknown
	JSON     []byte
	AddedAt  time.Time
}

// PutPosting adds p, or replaces the posting with the same id (a recrawl or
// a re-import of an edited posting). It reports whether it was new.
func (s *Store) PutPosting(ctx context.Context, p StoredPosting) (added bool, err error) {
	if p.ID == "" || len(p.ID) > 200 {
		return false, invalid("posting id %q: give an id of 1 to 200 characters", p.ID)
	}
	if len(p.JSON) == 0 || len(p.JSON) > 16<<20 {
		return false, invalid("posting %s: its JSON is empty or over 16 MiB", p.ID)
	}
	now := s.now()
	posted := ""
	if !p.PostedAt.IsZero() {
		posted = formatTime(p.PostedAt)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM postings WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("store: posting %s: %w", p.ID, err)
		}
		added = n == 0
		_, err := tx.ExecContext(ctx, `INSERT INTO postings (id, site, title, posted_at, body, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET site = excluded.site, title = excluded.title, posted_at = excluded.posted_at, body = excluded.body, updated_at = excluded.updated_at`,
			p.ID, p.Site, p.Title, posted, string(p.JSON), formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("store: put posting %s: %w", p.ID, err)
		}
		return nil
	})
	return added, err
}

// Posting returns one posting, ErrNotFound when absent.
func (s *Store) Posting(ctx context.Context, id string) (StoredPosting, error) {
	var p StoredPosting
	var posted, added, body string
	err := s.db.QueryRowContext(ctx, `SELECT id, site, title, posted_at, body, added_at FROM postings WHERE id = ?`, id).Scan(&p.ID, &p.Site, &p.Title, &posted, &body, &added)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: posting %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: posting %s: %w", id, err)
	}
	return p, p.fill(posted, added, body)
}

func (p *StoredPosting) fill(posted, added, body string) error {
	var err error
	if posted != "" {
		if p.PostedAt, err = parseTime(posted); err != nil {
			return err
		}
	}
	if p.AddedAt, err = parseTime(added); err != nil {
		return err
	}
	p.JSON = []byte(body)
	return nil
}

// EachPosting calls fn for every posting in id order, streaming: the index
// is rebuilt from it, whatever the number of postings. An error from fn
// stops it.
func (s *Store) EachPosting(ctx context.Context, fn func(StoredPosting) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, site, title, posted_at, body, added_at FROM postings ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: list postings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p StoredPosting
		var posted, added, body string
		if err := rows.Scan(&p.ID, &p.Site, &p.Title, &posted, &body, &added); err != nil {
			return fmt.Errorf("store: list postings: %w", err)
		}
		if err := p.fill(posted, added, body); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountPostings returns how many postings the store holds.
func (s *Store) CountPostings(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM postings`).Scan(&n)
	return n, err
}
