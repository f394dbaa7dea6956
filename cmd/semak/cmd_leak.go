package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/internal/keyring"
	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
)

// serviceKeyID is the keyring entry of the key known leaks are
// fingerprinted under: a leak may be anybody's data, so no source's key.
const serviceKeyID = "semak/known-leaks"

const leaksDir = "leaks"

// leakAddOptions are the flags of `semak leak add`.
type leakAddOptions struct {
	Posting string
	Date    string
	Org     string
	Title   string
	Map     []string
	File    string

	date      time.Time
	overrides []intake.Override
}

func (o *leakAddOptions) Validate() error {
	if strings.TrimSpace(o.Posting) == "" {
		return errors.New("leak add: --posting ID is required (the posting the rows came from)")
	}
	t, err := time.Parse(time.DateOnly, o.Date)
	if err != nil {
		return fmt.Errorf("leak add: --date %q: want the posting's date, YYYY-MM-DD", o.Date)
	}
	o.date = t
	if o.overrides, err = parseOverrides(o.Map); err != nil {
		return err
	}
	return nil
}

func newLeakCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "leak", Short: "Register earlier leaks, so reposts of them are recognised"}
	o := &leakAddOptions{}
	add := &cobra.Command{
		Use:   "add --posting ID --date YYYY-MM-DD [--org ORG] [--title T] FILE",
		Short: "Fingerprint an earlier leak's rows (whole and per field) under the service key, with the posting they came from",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.File = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			return addLeak(cmd, e, o)
		}),
	}
	add.Flags().StringVar(&o.Posting, "posting", "", "the id of the posting the rows came from")
	add.Flags().StringVar(&o.Date, "date", "", "the posting's date, YYYY-MM-DD")
	add.Flags().StringVar(&o.Org, "org", "", "the organisation the posting claimed")
	add.Flags().StringVar(&o.Title, "title", "", "the posting's title")
	add.Flags().StringArrayVar(&o.Map, "map", nil, "map a column to a field, COLUMN=FIELD (repeatable)")
	cmd.AddCommand(add)
	return cmd
}

// serviceKey returns the known-leak service key, creating it on first use.
func serviceKey(e *env) (keyring.Key, error) {
	if !e.keys.Has(serviceKeyID) {
		return e.keys.Create(serviceKeyID)
	}
	return e.keys.Get(serviceKeyID)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes a file name from user text: the safe characters, and a
// hash so two texts never share a file.
func fileName(s string) string {
	sum := sha256.Sum256([]byte(s))
	base := strings.Trim(unsafeName.ReplaceAllString(s, "_"), "._")
	if len(base) > 40 {
		base = base[:40]
	}
	return base + "-" + hex.EncodeToString(sum[:4])
}

func addLeak(cmd *cobra.Command, e *env, o *leakAddOptions) error {
	if o.Org != "" {
		org, err := e.store.Org(cmd.Context(), o.Org)
		if err != nil {
			return fmt.Errorf("leak add: --org %s: %w", o.Org, err)
		}
		o.Org = org.ID
	}
	read := func(opts intake.Options, yield func(record.Record) error) (*intake.Report, error) {
		return intake.ReadFile(cmd.Context(), o.File, opts, yield)
	}
	rows, fields, rejected, err := registerLeak(cmd, e, leakMeta{posting: o.Posting, date: o.date, org: o.Org, title: o.Title}, intake.Options{Map: o.overrides}, read)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "known leak %s (%s): %d rows fingerprinted whole and per field (%s), %d unusable rows skipped\n",
		o.Posting, o.Date, rows, strings.Join(fields, ","), rejected)
	return nil
}

// errLeakRegistered: the posting's rows are already known. `posting add`
// meets it when a posting is imported again.
var errLeakRegistered = errors.New("is already registered")

// leakMeta is what a known leak is registered with.
type leakMeta struct {
	posting, org, title string
	date                time.Time
}

// registerLeak fingerprints a leak's rows under the service key (read
// twice: its columns, then its rows) and records it. `leak add` reads a
// file; `posting add` reads a posting's inline samples.
func registerLeak(cmd *cobra.Command, e *env, m leakMeta, opts intake.Options, read func(intake.Options, func(record.Record) error) (*intake.Report, error)) (rows int64, fields []string, rejected int64, err error) {
	ctx := cmd.Context()
	known, err := e.store.KnownLeaks(ctx)
	if err != nil {
		return 0, nil, 0, err
	}
	for _, k := range known {
		if k.Posting == m.posting {
			return 0, nil, 0, fmt.Errorf("leak add: posting %s: %w", m.posting, errLeakRegistered)
		}
	}
	key, err := serviceKey(e)
	if err != nil {
		return 0, nil, 0, err
	}
	rep, err := read(opts, func(record.Record) error { return errStop })
	if err != nil && !errors.Is(err, errStop) {
		return 0, nil, 0, err
	}
	for _, p := range rep.Parts {
		for _, c := range p.Columns {
			if c.How != intake.HowSkipped {
				fields = append(fields, string(c.Field))
			}
		}
	}
	rel := filepath.Join(leaksDir, fileName(m.posting)+".fp")
	path := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, nil, 0, err
	}
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "semak: removing %s, left by an interrupted leak add\n", rel)
		if err := os.Remove(path); err != nil {
			return 0, nil, 0, err
		}
	}
	now := time.Now()
	req := matcher.LoadRequest{Source: matcher.LeakSource(m.posting, fields, key.NewHMAC), AsOf: m.date.Format(time.DateOnly), Path: path, Now: now}
	hdr, sum, err := fingerprintInto(ctx, req, func(add func(record.Record) error) error {
		rep, err = read(opts, add)
		return err
	})
	if err != nil {
		return 0, nil, 0, err
	}
	err = e.store.AddKnownLeak(ctx, store.KnownLeak{Posting: m.posting, PostedOn: m.date, Org: m.org, Title: m.title, Rows: hdr.Rows,
		Fields: fields, File: rel, SHA256: sum, AddedBy: whoami(), AddedAt: now})
	if err != nil {
		_ = os.Remove(path)
		return 0, nil, 0, err
	}
	return hdr.Rows, fields, rep.Rows - rep.Usable, nil
}
