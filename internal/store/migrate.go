package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations is the schema history: migrations[i] takes a database from
// version i to version i+1. Append only; never edit an entry once released.
var migrations = []string{
	// 1: orgs, their names, sources, snapshots.
	`
CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	aliases    TEXT NOT NULL,          -- JSON array, in the order given
	population INTEGER NOT NULL CHECK (population >= 0),
	country    TEXT NOT NULL,
	sector     TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- Every folded id, name and alias of every org. The primary key is what
-- forbids two orgs from answering to the same name.
CREATE TABLE org_names (
	folded TEXT PRIMARY KEY,
	org    TEXT NOT NULL REFERENCES orgs(id),
	text   TEXT NOT NULL,              -- as given, for error messages
	kind   TEXT NOT NULL CHECK (kind IN ('id', 'name', 'alias'))
) STRICT;
CREATE INDEX org_names_org ON org_names(org);

CREATE TABLE sources (
	id         TEXT PRIMARY KEY,       -- "org/source"
	org        TEXT NOT NULL REFERENCES orgs(id),
	anchor     TEXT NOT NULL,
	fields     TEXT NOT NULL,          -- JSON array, anchor included
	org_only   TEXT NOT NULL,          -- JSON array
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX sources_org ON sources(org);

CREATE TABLE snapshots (
	source          TEXT NOT NULL REFERENCES sources(id),
	as_of           TEXT NOT NULL,     -- RFC 3339, UTC midnight
	row_count       INTEGER NOT NULL CHECK (row_count >= 0),
	distinct_counts TEXT NOT NULL,     -- JSON object field -> count
	file            TEXT NOT NULL,     -- relative to the data directory
	sha256          TEXT NOT NULL,
	loaded_by       TEXT NOT NULL,
	loaded_at       TEXT NOT NULL,
	PRIMARY KEY (source, as_of)
) STRICT;
`,
	// 2: known leaks (earlier postings' rows, fingerprinted under the
	// service key) and canary sets (records planted in partner extracts).
	`
CREATE TABLE known_leaks (
	posting    TEXT PRIMARY KEY,       -- the posting the rows came from
	posted_on  TEXT NOT NULL,          -- RFC 3339, UTC midnight
	org        TEXT NOT NULL,          -- claimed organisation id, '' if none
	title      TEXT NOT NULL,
	row_count  INTEGER NOT NULL CHECK (row_count >= 0),
	fields     TEXT NOT NULL,          -- JSON array: the fields whole rows are hashed over
	file       TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	added_by   TEXT NOT NULL,
	added_at   TEXT NOT NULL
) STRICT;

CREATE TABLE canary_sets (
	source     TEXT NOT NULL REFERENCES sources(id),
	partner    TEXT NOT NULL,
	as_of      TEXT NOT NULL,          -- RFC 3339, UTC midnight: the extract's date
	row_count  INTEGER NOT NULL CHECK (row_count > 0),
	file       TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	planted_by TEXT NOT NULL,
	planted_at TEXT NOT NULL,
	PRIMARY KEY (source, partner, as_of)
) STRICT;
`,
	// 3: leak postings, the source of truth the search index is rebuilt
	// from. The posting is kept as its JSON, with sample rows removed
	// (they are fingerprinted as known leaks on arrival, never stored).
	`
CREATE TABLE postings (
	id         TEXT PRIMARY KEY,
	site       TEXT NOT NULL,
	title      TEXT NOT NULL,
	posted_at  TEXT NOT NULL,          -- RFC 3339 UTC, '' if unknown
	body       TEXT NOT NULL,          -- the posting's JSON
	added_at   TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX postings_posted_at ON postings(posted_at);
`,
	// 4: the audit log: append-only (the triggers refuse UPDATE and
	// DELETE), each entry chained to the one before by hash (audit.go).
	`
CREATE TABLE audit (
	seq     INTEGER PRIMARY KEY,       -- 1, 2, 3 …, no gaps
	at      TEXT NOT NULL,             -- RFC 3339 UTC
	actor   TEXT NOT NULL,             -- who: OS user for the CLI, the user for the web
	origin  TEXT NOT NULL,             -- from where: "cli@host" or the client address
	action  TEXT NOT NULL,             -- what: export, verify, snapshot.load …
	object  TEXT NOT NULL,             -- on what: an org, a source, a query
	detail  TEXT NOT NULL,             -- more, never personal data
	prev    TEXT NOT NULL,             -- hash of entry seq-1 ('' for the first)
	hash    TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
	// 5: the SHA-256 of the export each snapshot was loaded from, its
	// provenance ('' for snapshots loaded before it was kept).
	`
ALTER TABLE snapshots ADD COLUMN export_sha256 TEXT NOT NULL DEFAULT '';
`,
}

// version returns the schema version of the database (0 when new).
func version(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int
	err = q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

func (s *Store) tooNew(v int) error {
	return fmt.Errorf("store: %s has schema version %d, but this semak knows versions up to %d: it was written by a newer semak; use that version or newer",
		s.path, v, len(migrations))
}

// migrate brings the schema to len(migrations), one transaction per step.
// Concurrent Opens are safe: each step re-reads the version under the write
// lock, so a step applied by another process is not applied again.
func (s *Store) migrate(ctx context.Context) error {
	// Fast path without the write lock: most opens find nothing to do.
	v, err := version(ctx, s.db)
	if err != nil {
		return fmt.Errorf("store: read schema version of %s: %w", s.path, err)
	}
	if v > len(migrations) {
		return s.tooNew(v)
	}
	for v < len(migrations) {
		err := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
	version    INTEGER PRIMARY KEY,
	applied_at TEXT NOT NULL
) STRICT`); err != nil {
				return err
			}
			if v, err = version(ctx, tx); err != nil {
				return err
			}
			if v >= len(migrations) {
				return nil
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
				v+1, formatTime(s.now())); err != nil {
				return err
			}
			v++
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", s.path, err)
		}
	}
	if v > len(migrations) {
		return s.tooNew(v)
	}
	return nil
}
