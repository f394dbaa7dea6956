package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/semak/semak/internal/store"
)

// audited are the commands the audit log records (service brief: snapshot
// loads, verifications, exports, and what changes what semak trusts), with
// what of their arguments an entry keeps: a file's base name, an id —
// never a cookie, a sample's content or a secret.
var audited = map[string]func(args []string) string{
	"semak org add":          firstArg,
	"semak source add":       firstArg,
	"semak snapshot load":    func(a []string) string { return firstArg(a) + " " + baseOf(a, 1) },
	"semak verify":           func(a []string) string { return baseOf(a, 0) },
	"semak leak add":         func(a []string) string { return baseOf(a, 0) },
	"semak canary plant":     firstArg,
	"semak posting add":      func(a []string) string { return baseOf(a, 0) },
	"semak export":           noArgs,
	"semak crawl":            noArgs,
	"semak crawl cookie set": firstArg, // the site; the cookie is never kept
	"semak index rebuild":    noArgs,
}

func firstArg(a []string) string { return baseOf(a, -1) }
func noArgs([]string) string     { return "" }

// baseOf returns args[i]'s base name (i < 0: args[0] as it is).
func baseOf(a []string, i int) string {
	switch {
	case len(a) == 0:
		return ""
	case i < 0:
		return a[0]
	case i < len(a):
		return filepath.Base(a[i])
	}
	return ""
}

// redactedFlags never reach the audit log by value.
var redactedFlags = map[string]bool{"redis": true}

// auditDetail lists the flags set on the command line, values clipped.
func auditDetail(fs *pflag.FlagSet) string {
	var parts []string
	fs.Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		if redactedFlags[f.Name] {
			v = "[redacted]"
		}
		if len(v) > 200 {
			v = v[:200] + "…"
		}
		parts = append(parts, "--"+f.Name+"="+v)
	})
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// auditRun records an audited command before it runs — it does not run
// when the entry cannot be written — and records its failure after.
func auditRun(cmd *cobra.Command, args []string, e *env, run func() error) error {
	object, ok := audited[cmd.CommandPath()]
	if !ok {
		return run()
	}
	ctx := cmd.Context()
	action := strings.TrimPrefix(cmd.CommandPath(), "semak ")
	entry := store.AuditEntry{Actor: whoami(), Origin: origin(), Action: action, Object: object(args), Detail: auditDetail(cmd.Flags())}
	if _, err := e.store.Audit(ctx, entry); err != nil {
		return fmt.Errorf("%s: not run: the audit log cannot be written: %w", action, err)
	}
	err := run()
	if err != nil {
		entry.Action += " failed"
		entry.Detail = failure(err)
		if _, aerr := e.store.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
			err = errors.Join(err, fmt.Errorf("the audit log cannot be written: %w", aerr))
		}
	}
	return err
}

// failure names an error's kind for the log, not its text (which may
// quote a file's name or a query).
func failure(err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "not found"
	case errors.Is(err, store.ErrInvalid):
		return "invalid"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "error"
}

func origin() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "unknown-host"
	}
	return "cli@" + h
}
