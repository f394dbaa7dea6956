// Command semak verifies dark-web breach claims: it reads a leak sample,
// matches it against keyed snapshots of an organisation's databases and
// says whether the data is new, old, fake, mixed or inconclusive.
//
// This package is only wiring: flags into Options structs, then a call into
// the library. Only main picks exit codes.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes. Scripts depend on them.
const (
	exitOK    = 0
	exitError = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code: 0 on success, 2
// with the message on stderr on any error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "semak:", err)
		return exitError
	}
	return exitOK
}
