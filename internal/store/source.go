package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Source is one database of an org, as registered for fingerprinting.
type Source struct {
	ID        string   // "org/source", e.g. "perkeso/contributors"
	Org       string   // org id
	Anchor    string   // field name, e.g. "ic"
	Fields    []string // every field of the source, anchor included, in order
	OrgOnly   []string // fields only this organisation holds (subset of Fields, anchor excluded)
	CreatedAt time.Time
}

func (src Source) validate() (Source, error) {
	org, err := checkSourceID(src.ID)
	if err != nil {
		return src, err
	}
	switch src.Org {
	case "":
		src.Org = org
	case org:
	default:
		return src, invalid("source %s: org %q differs from the org part of the id (%q): leave Org empty or make them equal", src.ID, src.Org, org)
	}
	if len(src.Fields) == 0 {
		return src, invalid("source %s: no fields: list every field of the source, the anchor included", src.ID)
	}
	if err := checkFields("source "+src.ID, src.Fields); err != nil {
		return src, err
	}
	if !slices.Contains(src.Fields, src.Anchor) {
		return src, invalid("source %s: anchor %q is not one of its fields %v: the anchor must be a field (e.g. \"ic\")", src.ID, src.Anchor, src.Fields)
	}
	if err := checkFields("source "+src.ID+" org-only", src.OrgOnly); err != nil {
		return src, err
	}
	for _, f := range src.OrgOnly {
		if f == src.Anchor {
			return src, invalid("source %s: the anchor %q cannot be org-only: org-only fields are those besides the anchor that only this org holds", src.ID, f)
		}
		if !slices.Contains(src.Fields, f) {
			return src, invalid("source %s: org-only field %q is not one of its fields %v", src.ID, f, src.Fields)
		}
	}
	// Store copies with non-nil lists, so that JSON holds [] and reads
	// give back what was written.
	src.Fields = slices.Clone(src.Fields)
	src.OrgOnly = append([]string{}, src.OrgOnly...)
	return src, nil
}

// AddSource registers src. Its org must exist (ErrNotFound otherwise); its
// id must be new (ErrExists). A zero CreatedAt is set to now; an empty Org
// is taken from the id.
func (s *Store) AddSource(ctx context.Context, src Source) error {
	src, err := src.validate()
	if err != nil {
		return err
	}
	if src.CreatedAt.IsZero() {
		src.CreatedAt = s.now()
	}
	fields, err := json.Marshal(src.Fields)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	orgOnly, err := json.Marshal(src.OrgOnly)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orgs WHERE id = ?`, src.Org).Scan(&n); err != nil {
			return fmt.Errorf("store: add source %s: %w", src.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("store: source %s: org %q: %w: register the org first", src.ID, src.Org, ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (id, org, anchor, fields, org_only, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			src.ID, src.Org, src.Anchor, string(fields), string(orgOnly), formatTime(src.CreatedAt))
		if isUnique(err) {
			return fmt.Errorf("store: source %s: %w", src.ID, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("store: add source %s: %w", src.ID, err)
		}
		return nil
	})
}

const sourceColumns = `id, org, anchor, fields, org_only, created_at`

func scanSource(sc interface{ Scan(...any) error }) (Source, error) {
	var src Source
	var fields, orgOnly, created string
	if err := sc.Scan(&src.ID, &src.Org, &src.Anchor, &fields, &orgOnly, &created); err != nil {
		return Source{}, err
	}
	if err := json.Unmarshal([]byte(fields), &src.Fields); err != nil {
		return Source{}, fmt.Errorf("store: source %s: bad fields in database: %w", src.ID, err)
	}
	if err := json.Unmarshal([]byte(orgOnly), &src.OrgOnly); err != nil {
		return Source{}, fmt.Errorf("store: source %s: bad org-only fields in database: %w", src.ID, err)
	}
	var err error
	if src.CreatedAt, err = parseTime(created); err != nil {
		return Source{}, err
	}
	return src, nil
}

// Source returns the source with this exact id ("org/source").
func (s *Store) Source(ctx context.Context, id string) (Source, error) {
	if _, err := checkSourceID(id); err != nil {
		return Source{}, err
	}
	return s.source(ctx, s.db, id)
}

func (s *Store) source(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (Source, error) {
	src, err := scanSource(q.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, fmt.Errorf("store: source %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("store: source %s: %w", id, err)
	}
	return src, nil
}

// Sources lists all sources sorted by id.
func (s *Store) Sources(ctx context.Context) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list sources: %w", err)
	}
	defer rows.Close()
	srcs := []Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list sources: %w", err)
		}
		srcs = append(srcs, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sources: %w", err)
	}
	return srcs, nil
}
