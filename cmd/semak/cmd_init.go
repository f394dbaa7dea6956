package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func newInitCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the data directory: the metadata store and the keyring (sealed when " + passphraseEnv + " is set)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			e, err := initEnv(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer closeEnv(e, &err)
			sealed := "no (set " + passphraseEnv + " before init to seal it)"
			if os.Getenv(passphraseEnv) != "" {
				sealed = "yes"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "semak data in %s\nkeyring sealed: %s\n", g.Data, sealed)
			return nil
		},
	}
}
