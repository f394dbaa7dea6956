package main

import (
	"os"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every subcommand takes.
type globalOptions struct {
	// Data is the directory of the embedded store, from --data, else
	// $SEMAK_DATA, else ./semak-data.
	Data string
}

func defaultDataDir() string {
	if d := os.Getenv("SEMAK_DATA"); d != "" {
		return d
	}
	return "semak-data"
}

func newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "semak",
		Short:         "semak checks dark-web breach claims against keyed snapshots of your data",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.Data, "data", defaultDataDir(), "directory of the embedded store (default $SEMAK_DATA, else ./semak-data)")
	root.AddCommand(newInitCmd(g), newOrgCmd(g), newSourceCmd(g), newSnapshotCmd(g), newVerifyCmd(g), newLeakCmd(g), newCanaryCmd(g), newPostingCmd(g), newSearchCmd(g), newIndexCmd(g), newExportCmd(g), newCrawlCmd(g), newSampleCmd(g), newAuditCmd(g))
	return root
}
