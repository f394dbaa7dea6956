package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/semak/semak/internal/store"
)

// orgAddOptions are the flags of `semak org add`.
type orgAddOptions struct {
	ID         string
	Name       string
	Aliases    []string
	Population int64
	Country    string
	Sector     string
}

func (o *orgAddOptions) Validate() error {
	if o.Name == "" {
		return errors.New("org add: --name is required")
	}
	if o.Population < 0 {
		return errors.New("org add: --population cannot be negative")
	}
	if o.Country != "" && len(o.Country) != 2 {
		return fmt.Errorf("org add: --country %q: want a two-letter code such as MY or ID", o.Country)
	}
	return nil
}

func newOrgCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Register organisations"}
	o := &orgAddOptions{}
	add := &cobra.Command{
		Use:   "add ORG",
		Short: "Register an organisation (its id, name, aliases, population, country, sector)",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.ID = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			err := e.store.AddOrg(cmd.Context(), store.Org{ID: o.ID, Name: o.Name, Aliases: o.Aliases, Population: o.Population,
				Country: strings.ToUpper(o.Country), Sector: o.Sector})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "organisation %s registered\n", o.ID)
			return nil
		}),
	}
	add.Flags().StringVar(&o.Name, "name", "", "full name")
	add.Flags().StringArrayVar(&o.Aliases, "alias", nil, "another name it is known by (repeatable)")
	add.Flags().Int64Var(&o.Population, "population", 0, "how many people its records cover (for claimed-size checks)")
	add.Flags().StringVar(&o.Country, "country", "", "country code, MY or ID")
	add.Flags().StringVar(&o.Sector, "sector", "", "sector, e.g. social security")
	cmd.AddCommand(add)
	return cmd
}
