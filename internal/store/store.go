package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

var (
	// ErrNotFound: no org, source or snapshot by that name.
	ErrNotFound = errors.New("not found")
	// ErrExists: the id (or, for an org, a name or alias) is already taken.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a value that breaks the rules; the wrapping message says
	// which rule and what is allowed.
	ErrInvalid = errors.New("invalid")
)

// FileName is the database file inside the data directory.
const FileName = "semak.db"

// busyTimeout is how long a writer waits for another writer before failing.
const busyTimeout = 5 * time.Second

// Store is the metadata store. It is safe for concurrent use, and several
// processes may open the same directory.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time // pinned in tests
}

// Open opens the store in dir, creating dir (mode 0700) and dir/semak.db if
// absent and bringing the schema up to date. It refuses a database written
// by a newer semak.
func Open(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("store: %w: no data directory given", ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// Create the file ourselves so that it, and the -wal and -shm files
	// SQLite gives the same mode, are private to the owner.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store: create %s: %w", abs, err)
	}

	// A file: URI with an escaped path, so that no character of the path
	// ('?', '#', '%') is read as part of the query.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + q.Encode()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	s := &Store{db: db, path: abs, now: time.Now}
	if err := s.checkRetry(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkRetry runs check until it is not refused with SQLITE_BUSY, for up
// to busyTimeout. The first connection to a new database switches it to
// WAL, and SQLite answers that switch with SQLITE_BUSY at once, without
// calling the busy handler, while another process is doing the same: two
// commands started together on a fresh data directory would otherwise
// fail with "database is locked".
func (s *Store) checkRetry(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := s.check(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// isBusy reports SQLITE_BUSY, with or without an extended code.
func isBusy(err error) bool {
	var e *sqlite.Error
	const sqliteBusy = 5
	return errors.As(err, &e) && e.Code()&0xff == sqliteBusy
}

// check confirms the connection settings took effect: a store that silently
// ran without foreign keys or WAL would not be the store documented.
func (s *Store) check(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if mode != "wal" || fk != 1 {
		return fmt.Errorf("store: open %s: journal_mode=%s foreign_keys=%d, want wal and 1 (is the file on a file system without shared memory, such as some network mounts?)", s.path, mode, fk)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// write runs fn in a BEGIN IMMEDIATE transaction (the DSN sets _txlock), so
// it holds the write lock from its first statement and its reads cannot be
// invalidated by another writer.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// isUnique reports a UNIQUE or PRIMARY KEY violation. The write
// functions check for clashes first, to say what clashed; this is the
// backstop.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	const (
		constraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
		constraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	)
	return e.Code() == constraintPrimaryKey || e.Code() == constraintUnique
}

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad time %q in database: %w", s, err)
	}
	return t.UTC(), nil
}
