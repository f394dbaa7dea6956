package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newAuditCmd(g *globalOptions) *cobra.Command {
	var after int64
	var limit int
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "audit [--after SEQ] [--limit N] [--json]",
		Short: "Show the audit log: who loaded, verified, exported or changed what, when, from where",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, func([]string) error {
			if limit < 0 || after < 0 {
				return errors.New("audit: --after and --limit cannot be negative")
			}
			return nil
		}, func(cmd *cobra.Command, args []string, e *env) error {
			log, err := e.store.AuditLog(cmd.Context(), after, limit)
			if err != nil {
				return err
			}
			if jsonOut {
				return writeJSON(cmd.OutOrStdout(), log)
			}
			w := &errWriter{w: cmd.OutOrStdout()}
			if len(log) == 0 {
				fmt.Fprintln(w, "the audit log is empty")
			}
			for _, a := range log {
				fmt.Fprintf(w, "%6d  %s  %-12s %-18s %-24s %s %s\n", a.Seq, a.At.UTC().Format(time.RFC3339), a.Actor, a.Origin, a.Action, a.Object, a.Detail)
			}
			return w.err
		}),
	}
	cmd.Flags().Int64Var(&after, "after", 0, "only entries after this sequence number")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most N entries (default all)")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain; print the entry count and the head hash to keep elsewhere",
		Args:  cobra.NoArgs,
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			n, head, err := e.store.VerifyAudit(cmd.Context())
			if err != nil {
				return fmt.Errorf("audit verify: %w (entries up to %d chain correctly)", err, n)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit log intact: %d entries, head %s\n", n, head)
			return nil
		}),
	}
	cmd.AddCommand(verify)
	return cmd
}
