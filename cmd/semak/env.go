package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/semak/semak/internal/keyring"
	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher/intake"
	"github.com/spf13/cobra"
)

// The layout of the data directory:
//
//	DIR/semak.db                          metadata (SQLite)
//	DIR/keyring/                          one key per source (0700, files 0600)
//	DIR/snapshots/ORG/SOURCE/DATE.fp      fingerprint files, one per snapshot
const (
	keyringDir   = "keyring"
	snapshotsDir = "snapshots"
)

// passphraseEnv seals the keyring when set at `semak init`, and opens it
// afterwards.
const passphraseEnv = "SEMAK_KEYRING_PASSPHRASE"

// env is an opened data directory.
type env struct {
	dir   string
	store *store.Store
	keys  *keyring.Keyring
}

// openEnv opens the data directory made by `semak init`.
func openEnv(ctx context.Context, g *globalOptions) (*env, error) {
	if _, err := os.Stat(filepath.Join(g.Data, "semak.db")); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no semak data in %s: run `semak init` first (or give --data DIR)", g.Data)
	}
	return initEnv(ctx, g)
}

// initEnv opens the data directory, creating what is missing.
func initEnv(ctx context.Context, g *globalOptions) (*env, error) {
	st, err := store.Open(ctx, g.Data)
	if err != nil {
		return nil, err
	}
	keys, err := keyring.Open(filepath.Join(g.Data, keyringDir), []byte(os.Getenv(passphraseEnv)))
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return &env{dir: g.Data, store: st, keys: keys}, nil
}

func (e *env) Close() error { return e.store.Close() }

// closeEnv closes e when a command is done, keeping the command's own error
// first: `defer closeEnv(e, &err)`.
func closeEnv(e *env, err *error) {
	if cerr := e.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// parseOverrides reads the --map flags every command that reads a file
// takes.
func parseOverrides(maps []string) ([]intake.Override, error) {
	var out []intake.Override
	for _, m := range maps {
		ov, err := intake.ParseOverride(m)
		if err != nil {
			return nil, err
		}
		out = append(out, ov)
	}
	return out, nil
}

// withEnv is the RunE of a command that works on the data directory: check
// the arguments and flags (check may be nil), open the directory, run,
// close it (the run's own error first). Commands the audit log records
// (audit.go) are logged before they run.
func withEnv(g *globalOptions, check func(args []string) error, run func(cmd *cobra.Command, args []string, e *env) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) (err error) {
		if check != nil {
			if err := check(args); err != nil {
				return err
			}
		}
		e, err := openEnv(cmd.Context(), g)
		if err != nil {
			return err
		}
		defer closeEnv(e, &err)
		return auditRun(cmd, args, e, func() error { return run(cmd, args, e) })
	}
}
