package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Snapshot records one loaded fingerprint file of a source.
type Snapshot struct {
	Source   string
	AsOf     time.Time // a date (UTC midnight)
	Rows     int64
	Distinct map[string]int64 // per field distinct count
	File     string           // path of the fingerprint file relative to the data dir
	SHA256   string           // of the fingerprint file
	// ExportSHA256 is the SHA-256 of the export the snapshot was made
	// from, as the DPO can compute it: which file this is. Empty for
	// snapshots loaded before it was kept.
	ExportSHA256 string
	LoadedBy     string
	LoadedAt     time.Time
}

// asOfDate turns t into the UTC midnight of its calendar date. t must be a
// midnight in its own location: time.Date(2024, 1, 31, 0, 0, 0, 0, myt) is
// 31 January, not 30 January 16:00 UTC. Anything else is refused rather
// than silently moved to another day.
func asOfDate(t time.Time) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, invalid("snapshot date is missing: give the date the export was taken")
	}
	y, m, d := t.Date()
	if h, mi, s := t.Clock(); h != 0 || mi != 0 || s != 0 || t.Nanosecond() != 0 {
		return time.Time{}, invalid("snapshot date %s has a time of day: give a date (midnight), e.g. 2024-01-31", t.Format(time.RFC3339Nano))
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

func (snap Snapshot) validate(src Source) (Snapshot, error) {
	var err error
	if snap.AsOf, err = asOfDate(snap.AsOf); err != nil {
		return snap, err
	}
	what := fmt.Sprintf("snapshot %s@%s", snap.Source, snap.AsOf.Format(time.DateOnly))
	if snap.Rows < 0 {
		return snap, invalid("%s: row count %d is negative", what, snap.Rows)
	}
	for _, f := range slices.Sorted(maps.Keys(snap.Distinct)) {
		n := snap.Distinct[f]
		if !slices.Contains(src.Fields, f) {
			return snap, invalid("%s: distinct count for %q, which is not a field of the source %v", what, f, src.Fields)
		}
		if n < 0 || n > snap.Rows {
			return snap, invalid("%s: distinct count %d for %q is outside 0..%d (the row count)", what, n, f, snap.Rows)
		}
	}
	snap.Distinct = maps.Clone(snap.Distinct)
	if snap.Distinct == nil {
		snap.Distinct = map[string]int64{}
	}
	if snap.File == "" || !filepath.IsLocal(snap.File) || strings.ContainsRune(snap.File, 0) {
		return snap, invalid("%s: file %q must be a path inside the data directory, relative to it, without \"..\" (e.g. \"snapshots/perkeso/contributors/2024-01-31.fp\")", what, snap.File)
	}
	if !hexRE.MatchString(snap.SHA256) {
		return snap, invalid("%s: sha256 %q must be 64 lower-case hex digits", what, snap.SHA256)
	}
	if snap.LoadedBy, err = cleanText(what+": loaded by", snap.LoadedBy, true); err != nil {
		return snap, err
	}
	return snap, nil
}

// AddSnapshot records snap. Its source must exist (ErrNotFound); a snapshot
// of the same source and date must not (ErrExists). AsOf must be a midnight
// (in any location; the date is kept, as UTC midnight); Distinct may only
// name fields of the source, with counts in 0..Rows; File must be relative
// to the data directory; SHA256 is lower-case hex; LoadedBy is required. A
// zero LoadedAt is set to now. A non-empty ExportSHA256 must not be that of
// another snapshot of the source (ErrExists): one export under two dates
// would make two snapshots that date nothing apart. The check is in the
// write transaction, so two loads of one export at once cannot both pass.
func (s *Store) AddSnapshot(ctx context.Context, snap Snapshot) error {
	if _, err := checkSourceID(snap.Source); err != nil {
		return err
	}
	if snap.LoadedAt.IsZero() {
		snap.LoadedAt = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		src, err := s.source(ctx, tx, snap.Source)
		if err != nil {
			return err
		}
		if snap, err = snap.validate(src); err != nil {
			return err
		}
		if snap.ExportSHA256 != "" {
			var asOf string
			err := tx.QueryRowContext(ctx, `SELECT as_of FROM snapshots WHERE source = ? AND export_sha256 = ?`,
				snap.Source, snap.ExportSHA256).Scan(&asOf)
			switch {
			case err == nil:
				day, _ := parseTime(asOf)
				return fmt.Errorf("store: snapshot %s@%s: %w: the export (sha256 %s) is already loaded as %s as of %s",
					snap.Source, snap.AsOf.Format(time.DateOnly), ErrExists, snap.ExportSHA256, snap.Source, day.Format(time.DateOnly))
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("store: add snapshot %s@%s: %w", snap.Source, snap.AsOf.Format(time.DateOnly), err)
			}
		}
		distinct, err := json.Marshal(snap.Distinct)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO snapshots (source, as_of, row_count, distinct_counts, file, sha256, loaded_by, loaded_at, export_sha256)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, snap.Source, formatTime(snap.AsOf), snap.Rows, string(distinct), snap.File, snap.SHA256, snap.LoadedBy, formatTime(snap.LoadedAt), snap.ExportSHA256)
		if isUnique(err) {
			return fmt.Errorf("store: snapshot %s@%s: %w: delete it first to reload that date", snap.Source, snap.AsOf.Format(time.DateOnly), ErrExists)
		}
		if err != nil {
			return fmt.Errorf("store: add snapshot %s@%s: %w", snap.Source, snap.AsOf.Format(time.DateOnly), err)
		}
		return nil
	})
}

// Snapshots lists the snapshots of source ordered by date, or, for source
// "", all snapshots ordered by source then date. An unknown source is
// ErrNotFound; a known one with no snapshots gives an empty list.
func (s *Store) Snapshots(ctx context.Context, source string) ([]Snapshot, error) {
	const cols = `SELECT source, as_of, row_count, distinct_counts, file, sha256, loaded_by, loaded_at, export_sha256 FROM snapshots`
	var rows *sql.Rows
	if source == "" {
		var err error
		if rows, err = s.db.QueryContext(ctx, cols+` ORDER BY source, as_of`); err != nil {
			return nil, fmt.Errorf("store: list snapshots: %w", err)
		}
	} else {
		if _, err := s.Source(ctx, source); err != nil {
			return nil, err
		}
		var err error
		if rows, err = s.db.QueryContext(ctx, cols+` WHERE source = ? ORDER BY as_of`, source); err != nil {
			return nil, fmt.Errorf("store: list snapshots of %s: %w", source, err)
		}
	}
	defer rows.Close()
	snaps := []Snapshot{}
	for rows.Next() {
		var sn Snapshot
		var asOf, distinct, loaded string
		if err := rows.Scan(&sn.Source, &asOf, &sn.Rows, &distinct, &sn.File, &sn.SHA256, &sn.LoadedBy, &loaded, &sn.ExportSHA256); err != nil {
			return nil, fmt.Errorf("store: list snapshots: %w", err)
		}
		var err error
		if sn.AsOf, err = parseTime(asOf); err != nil {
			return nil, err
		}
		if sn.LoadedAt, err = parseTime(loaded); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(distinct), &sn.Distinct); err != nil {
			return nil, fmt.Errorf("store: snapshot %s@%s: bad distinct counts in database: %w", sn.Source, asOf, err)
		}
		snaps = append(snaps, sn)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", err)
	}
	return snaps, nil
}

// DeleteSnapshot removes the record of the snapshot of source on asOf (same
// date rules as AddSnapshot), or returns ErrNotFound. It does not touch the
// fingerprint file: the caller removes Snapshot.File.
func (s *Store) DeleteSnapshot(ctx context.Context, source string, asOf time.Time) error {
	if _, err := checkSourceID(source); err != nil {
		return err
	}
	day, err := asOfDate(asOf)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE source = ? AND as_of = ?`, source, formatTime(day))
		if err != nil {
			return fmt.Errorf("store: delete snapshot %s@%s: %w", source, day.Format(time.DateOnly), err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: delete snapshot %s@%s: %w", source, day.Format(time.DateOnly), err)
		} else if n == 0 {
			return fmt.Errorf("store: snapshot %s@%s: %w", source, day.Format(time.DateOnly), ErrNotFound)
		}
		return nil
	})
}
