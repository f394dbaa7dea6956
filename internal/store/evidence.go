package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// KnownLeak records an earlier leak whose rows were fingerprinted under the
// service key: the posting it came from, when, and the fingerprint file.
type KnownLeak struct {
	Posting  string
	PostedOn time.Time // a date (UTC midnight)
	Org      string    // the organisation it claimed, "" if none
	Title    string
	Rows     int64
	Fields   []string // the fields whole rows are hashed over, in order
	File     string   // relative to the data directory
	SHA256   string
	AddedBy  string
	AddedAt  time.Time
}

// CanarySet records canary records planted in an extract sent to a partner:
// only their fingerprints are kept (File), never the records.
type CanarySet struct {
	Source    string
	Partner   string
	AsOf      time.Time // the extract's date (UTC midnight)
	Rows      int64
	File      string
	SHA256    string
	PlantedBy string
	PlantedAt time.Time
}

func checkFile(what, file, sum string) error {
	if file == "" || !filepath.IsLocal(file) {
		return invalid("%s: file %q must be a path inside the data directory, relative to it", what, file)
	}
	if !hexRE.MatchString(sum) {
		return invalid("%s: sha256 %q must be 64 lower-case hex digits", what, sum)
	}
	return nil
}

// AddKnownLeak records l; a leak of the same posting must not exist
// (ErrExists).
func (s *Store) AddKnownLeak(ctx context.Context, l KnownLeak) error {
	what := "known leak " + l.Posting
	var err error
	if l.Posting, err = cleanText("known leak: posting", l.Posting, true); err != nil {
		return err
	}
	if l.Title, err = cleanText(what+": title", l.Title, false); err != nil {
		return err
	}
	if l.AddedBy, err = cleanText(what+": added by", l.AddedBy, true); err != nil {
		return err
	}
	if l.PostedOn, err = asOfDate(l.PostedOn); err != nil {
		return err
	}
	if l.Rows < 0 || len(l.Fields) == 0 {
		return invalid("%s: needs rows ≥ 0 and at least one field", what)
	}
	if err := checkFile(what, l.File, l.SHA256); err != nil {
		return err
	}
	if l.AddedAt.IsZero() {
		l.AddedAt = s.now()
	}
	fields, err := json.Marshal(l.Fields)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO known_leaks (posting, posted_on, org, title, row_count, fields, file, sha256, added_by, added_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Posting, formatTime(l.PostedOn), l.Org, l.Title, l.Rows, string(fields), l.File, l.SHA256, l.AddedBy, formatTime(l.AddedAt))
		if isUnique(err) {
			return fmt.Errorf("store: %s: %w", what, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("store: add %s: %w", what, err)
		}
		return nil
	})
}

// KnownLeaks lists the known leaks by posting date.
func (s *Store) KnownLeaks(ctx context.Context) ([]KnownLeak, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT posting, posted_on, org, title, row_count, fields, file, sha256, added_by, added_at FROM known_leaks ORDER BY posted_on, posting`)
	if err != nil {
		return nil, fmt.Errorf("store: list known leaks: %w", err)
	}
	defer rows.Close()
	out := []KnownLeak{}
	for rows.Next() {
		var l KnownLeak
		var posted, fields, added string
		if err := rows.Scan(&l.Posting, &posted, &l.Org, &l.Title, &l.Rows, &fields, &l.File, &l.SHA256, &l.AddedBy, &added); err != nil {
			return nil, fmt.Errorf("store: list known leaks: %w", err)
		}
		if l.PostedOn, err = parseTime(posted); err != nil {
			return nil, err
		}
		if l.AddedAt, err = parseTime(added); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(fields), &l.Fields); err != nil {
			return nil, fmt.Errorf("store: known leak %s: bad fields in database: %w", l.Posting, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddCanarySet records c. Its source must exist (ErrNotFound); a set for the
// same source, partner and date must not (ErrExists).
func (s *Store) AddCanarySet(ctx context.Context, c CanarySet) error {
	if _, err := checkSourceID(c.Source); err != nil {
		return err
	}
	var err error
	if c.Partner, err = cleanText("canary set: partner", c.Partner, true); err != nil {
		return err
	}
	what := fmt.Sprintf("canary set %s for %s", c.Source, c.Partner)
	if c.PlantedBy, err = cleanText(what+": planted by", c.PlantedBy, true); err != nil {
		return err
	}
	if c.AsOf, err = asOfDate(c.AsOf); err != nil {
		return err
	}
	if c.Rows <= 0 {
		return invalid("%s: needs at least one record", what)
	}
	if err := checkFile(what, c.File, c.SHA256); err != nil {
		return err
	}
	if c.PlantedAt.IsZero() {
		c.PlantedAt = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.source(ctx, tx, c.Source); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO canary_sets (source, partner, as_of, row_count, file, sha256, planted_by, planted_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Source, c.Partner, formatTime(c.AsOf), c.Rows, c.File, c.SHA256, c.PlantedBy, formatTime(c.PlantedAt))
		if isUnique(err) {
			return fmt.Errorf("store: %s as of %s: %w", what, c.AsOf.Format(time.DateOnly), ErrExists)
		}
		if err != nil {
			return fmt.Errorf("store: add %s: %w", what, err)
		}
		return nil
	})
}

// CanarySets lists the canary sets of source ("" for all), by source,
// date and partner.
func (s *Store) CanarySets(ctx context.Context, source string) ([]CanarySet, error) {
	q := `SELECT source, partner, as_of, row_count, file, sha256, planted_by, planted_at FROM canary_sets`
	args := []any{}
	if source != "" {
		q += ` WHERE source = ?`
		args = append(args, source)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY source, as_of, partner`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list canary sets: %w", err)
	}
	defer rows.Close()
	out := []CanarySet{}
	for rows.Next() {
		var c CanarySet
		var asOf, planted string
		if err := rows.Scan(&c.Source, &c.Partner, &asOf, &c.Rows, &c.File, &c.SHA256, &c.PlantedBy, &planted); err != nil {
			return nil, fmt.Errorf("store: list canary sets: %w", err)
		}
		if c.AsOf, err = parseTime(asOf); err != nil {
			return nil, err
		}
		if c.PlantedAt, err = parseTime(planted); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
