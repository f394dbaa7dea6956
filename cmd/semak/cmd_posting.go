package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/index"
	"github.com/semak/semak/internal/export"
	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
)

const indexDir = "index"

func newPostingCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "posting", Short: "Import leak postings (the posting JSON contract, NDJSON)"}
	add := &cobra.Command{
		Use:   "add FILE.ndjson",
		Short: "Import postings: store them, index them, and fingerprint their inline samples as known leaks",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			return addPostings(cmd, e, args[0])
		}),
	}
	cmd.AddCommand(add)
	return cmd
}

// openIndex opens the search index, rebuilt from the store when it is new,
// its mapping changed, or the registered organisations' names did.
func openIndex(ctx context.Context, e *env) (*index.Index, error) {
	victims, err := victimTable(ctx, e)
	if err != nil {
		return nil, err
	}
	return index.Open(ctx, filepath.Join(e.dir, indexDir), index.Options{Source: storedPostings(e), Victims: victims})
}

// closeIndex closes ix and, if *err is nil, sets it to the close error:
// the index flushes what was written on close, so a write command must not
// report success when that fails.
func closeIndex(ix *index.Index, err *error) {
	if cerr := ix.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// victimTable folds every registered organisation's id, name and aliases
// onto its name, for the victim facet and filter.
func victimTable(ctx context.Context, e *env) (map[string]string, error) {
	orgs, err := e.store.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	t := map[string]string{}
	for _, o := range orgs {
		for _, n := range append([]string{o.ID, o.Name}, o.Aliases...) {
			t[index.FoldVictim(n)] = o.Name
		}
	}
	return t, nil
}

// storedPostings streams the store's postings: the index is rebuilt from
// them, the store being the source of truth.
func storedPostings(e *env) index.Source {
	return func(ctx context.Context, yield func(posting.Posting) error) error {
		return e.store.EachPosting(ctx, func(sp store.StoredPosting) error {
			p, err := decodeStored(sp)
			if err != nil {
				return err
			}
			return yield(p)
		})
	}
}

// storedPosting reads one posting from the store (store.ErrNotFound when
// absent).
func storedPosting(ctx context.Context, e *env, id string) (posting.Posting, error) {
	sp, err := e.store.Posting(ctx, id)
	if err != nil {
		return posting.Posting{}, err
	}
	return decodeStored(sp)
}

func decodeStored(sp store.StoredPosting) (posting.Posting, error) {
	var p posting.Posting
	if err := json.Unmarshal(sp.JSON, &p); err != nil {
		return p, fmt.Errorf("posting %s in the store: %w", sp.ID, err)
	}
	return p, nil
}

// putPosting stores p (its sample rows already removed), replacing the
// posting with its id; added says it was new. A posting that comes without
// a verdict (a re-import, a re-crawl) keeps the one semak recorded for it
// (verify --posting), and p gets it too, for the index.
func putPosting(ctx context.Context, e *env, p *posting.Posting) (added bool, err error) {
	if p.Verdict == nil {
		if old, err := storedPosting(ctx, e, p.ID); err == nil {
			p.Verdict = old.Verdict
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	return e.store.PutPosting(ctx, store.StoredPosting{ID: p.ID, Site: p.Site, Title: p.Title, PostedAt: p.PostedAt, JSON: body})
}

func addPostings(cmd *cobra.Command, e *env, file string) (err error) {
	ctx := cmd.Context()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	ix, err := openIndex(ctx, e)
	if err != nil {
		return err
	}
	defer closeIndex(ix, &err)
	r := posting.NewReader(f)
	var added, updated, samples int
	var bad []string
	var batch []posting.Posting
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *posting.LineError
		if errors.As(err, &le) {
			bad = append(bad, le.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if err := p.Validate(); err != nil {
			bad = append(bad, fmt.Sprintf("posting %s: %v", p.ID, err))
			continue
		}
		n, err := fingerprintSamples(cmd, e, &p)
		if err != nil {
			return err
		}
		samples += n
		isNew, err := putPosting(ctx, e, &p)
		if err != nil {
			return err
		}
		if isNew {
			added++
		} else {
			updated++
		}
		batch = append(batch, p)
		if len(batch) == 1000 {
			if err := ix.Add(ctx, batch...); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := ix.Add(ctx, batch...); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d postings added, %d updated, %d inline samples fingerprinted as known leaks\n", added, updated, samples)
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(cmd.ErrOrStderr(), "semak:", b)
		}
		return fmt.Errorf("%d postings of %s were rejected (above); the others were imported", len(bad), file)
	}
	return nil
}

// fingerprintSamples registers each inline sample of p as a known leak of
// p's posting, then drops the sample's rows from p: they are personal data,
// kept only as fingerprints. A paste's body often is the sample itself, so
// the body is kept redacted (identifiers masked, record-shaped lines
// replaced) — the store and the index never hold a row in plaintext. It
// returns how many samples it registered.
func fingerprintSamples(cmd *cobra.Command, e *env, p *posting.Posting) (int, error) {
	defer func() { p.Body = export.Redact(p.Body) }()
	n := 0
	for i := range p.Samples {
		s := &p.Samples[i]
		if strings.TrimSpace(s.Text) == "" {
			continue
		}
		text := s.Text
		s.Text = ""
		id := fmt.Sprintf("%s#%d", p.ID, i+1)
		date := p.PostedAt
		if date.IsZero() {
			date = p.CrawledAt
		}
		if date.IsZero() {
			date = time.Now()
		}
		date = time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
		org := ""
		for _, v := range p.Victims {
			if o, err := e.store.Org(cmd.Context(), v); err == nil {
				org = o.ID
				break
			}
		}
		read := func(opts intake.Options, yield func(record.Record) error) (*intake.Report, error) {
			return intake.ReadStream(cmd.Context(), "sample "+id, strings.NewReader(text), opts, yield)
		}
		_, _, _, err := registerLeak(cmd, e, leakMeta{posting: id, date: date, org: org, title: p.Title}, intake.Options{}, read)
		switch {
		case err == nil:
			n++
		case errors.Is(err, errLeakRegistered):
			// A re-import of the same posting: its samples are known.
		default:
			var ie *intake.Error
			if !errors.As(err, &ie) {
				return n, err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "semak: posting %s: sample %d is not readable (%v); the posting is kept without it\n", p.ID, i+1, err)
		}
	}
	return n, nil
}

func newIndexCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "index", Short: "Maintain the search index"}
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the search index from the store (built aside and swapped in)",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			ix, err := openIndex(cmd.Context(), e)
			if err != nil {
				return err
			}
			defer func() { _ = ix.Close() }() // read-mostly; a close error after the work is done changes nothing
			if err := ix.Rebuild(cmd.Context(), storedPostings(e)); err != nil {
				return err
			}
			n, err := ix.Count()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "index rebuilt: %d postings\n", n)
			return nil
		}),
	}
	cmd.AddCommand(rebuild)
	return cmd
}
