package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/index"
	"github.com/semak/semak/internal/export"
)

// exportOptions are the flags of `semak export`.
type exportOptions struct {
	Query   string
	Format  string
	Limit   int
	OverCap bool

	format export.Format
}

func (o *exportOptions) Validate() error {
	f, err := export.ParseFormat(o.Format)
	if err != nil {
		return fmt.Errorf("export: --format: %w", err)
	}
	o.format = f
	switch {
	case o.Limit < 0:
		return errors.New("export: --limit cannot be negative")
	case o.Limit == 0:
		o.Limit = export.DefaultCap
	case o.Limit > export.DefaultCap && !o.OverCap:
		return fmt.Errorf("export: --limit %d is over the %d cap: add --over-cap to export more (it is logged)", o.Limit, export.DefaultCap)
	}
	return nil
}

func newExportCmd(g *globalOptions) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export --query QUERY --format json|csv|stix|misp [--limit N]",
		Short: "Export postings and their verdicts (never sample rows), streamed and capped",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, func(args []string) error {
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			return runExport(cmd, e, o)
		}),
	}
	cmd.Flags().StringVar(&o.Query, "query", "", "the search query that selects the postings (empty: all)")
	cmd.Flags().StringVar(&o.Format, "format", "json", "json, csv, stix (a STIX 2.1 bundle) or misp (MISP event JSON)")
	cmd.Flags().IntVar(&o.Limit, "limit", 0, fmt.Sprintf("export at most N postings (default and cap %d)", export.DefaultCap))
	cmd.Flags().BoolVar(&o.OverCap, "over-cap", false, "allow --limit above the cap (logged)")
	return cmd
}

func runExport(cmd *cobra.Command, e *env, o *exportOptions) error {
	ctx := cmd.Context()
	if o.Limit > export.DefaultCap {
		fmt.Fprintf(cmd.ErrOrStderr(), "semak: export over the cap: up to %d postings, by %s at %s, query %q (recorded in the audit log)\n", o.Limit, whoami(), time.Now().UTC().Format(time.RFC3339), o.Query)
	}
	ix, err := openIndex(ctx, e)
	if err != nil {
		return err
	}
	defer func() { _ = ix.Close() }()
	w, err := export.NewWriter(cmd.OutOrStdout(), export.Options{Format: o.format, Cap: o.Limit, Query: o.Query, Producer: "semak"})
	if err != nil {
		return err
	}
	after := ""
walk:
	for {
		res, err := ix.SearchString(ctx, o.Query, index.SearchRequest{Sort: index.SortDate, After: after, Limit: index.MaxLimit})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, h := range res.Hits {
			p, err := storedPosting(ctx, e, h.ID)
			if err != nil {
				return err
			}
			if err := w.Write(p); errors.Is(err, export.ErrCapReached) {
				fmt.Fprintf(cmd.ErrOrStderr(), "semak: export stopped at the cap of %d postings; %d match the query (narrow it, or raise --limit with --over-cap)\n", o.Limit, res.Total)
				break walk
			} else if err != nil {
				return err
			}
		}
		if res.Next == "" {
			break
		}
		after = res.Next
	}
	return w.Close()
}
