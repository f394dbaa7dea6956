package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/semak/semak/internal/store"
)

// sourceAddOptions are the flags of `semak source add`.
type sourceAddOptions struct {
	ID      string
	Anchor  string
	Fields  []string
	OrgOnly []string
}

func (o *sourceAddOptions) Validate() error {
	org, _, ok := strings.Cut(o.ID, "/")
	if !ok || org == "" {
		return fmt.Errorf("source add: %q: name the source ORG/SOURCE, e.g. perkeso/contributors", o.ID)
	}
	if o.Anchor == "" || len(o.Fields) == 0 {
		return errors.New("source add: --anchor and --fields are required")
	}
	if len(o.Fields) > 64 {
		return fmt.Errorf("source add: %d fields; at most 64", len(o.Fields))
	}
	return nil
}

func newSourceCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "source", Short: "Register an organisation's databases"}
	o := &sourceAddOptions{}
	add := &cobra.Command{
		Use:   "add ORG/SOURCE",
		Short: "Register a source: its anchor field, every field, and the fields only this organisation holds; makes its key",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.ID = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			org, _, _ := strings.Cut(o.ID, "/")
			src := store.Source{ID: o.ID, Org: org, Anchor: o.Anchor, Fields: o.Fields, OrgOnly: o.OrgOnly}
			// The key first: a source without a key could never be loaded,
			// a key without a source is removed again.
			if _, err := e.keys.Create(o.ID); err != nil {
				return fmt.Errorf("source add %s: %w", o.ID, err)
			}
			if err := e.store.AddSource(cmd.Context(), src); err != nil {
				_ = e.keys.Delete(o.ID)
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "source %s registered (anchor %s, %d fields, organisation-only: %s); its key is in the keyring\n",
				o.ID, o.Anchor, len(o.Fields), orNone(o.OrgOnly))
			return nil
		}),
	}
	add.Flags().StringVar(&o.Anchor, "anchor", "", "the field that identifies a person, e.g. ic")
	add.Flags().StringSliceVar(&o.Fields, "fields", nil, "every field of the source, the anchor included, comma-separated")
	add.Flags().StringSliceVar(&o.OrgOnly, "org-only", nil, "fields only this organisation holds, e.g. its member number")
	cmd.AddCommand(add)
	return cmd
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}
