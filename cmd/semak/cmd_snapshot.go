package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
)

// snapshotLoadOptions are the flags of `semak snapshot load`.
type snapshotLoadOptions struct {
	Source string
	AsOf   string
	Map    []string
	File   string
	JSON   bool

	asOf      time.Time
	overrides []intake.Override
}

func (o *snapshotLoadOptions) Validate() error {
	if !strings.Contains(o.Source, "/") {
		return fmt.Errorf("snapshot load: %q: name the source ORG/SOURCE", o.Source)
	}
	t, err := time.Parse(time.DateOnly, o.AsOf)
	if err != nil {
		return fmt.Errorf("snapshot load: --as-of %q: want a date YYYY-MM-DD", o.AsOf)
	}
	o.asOf = t
	if o.overrides, err = parseOverrides(o.Map); err != nil {
		return err
	}
	return nil
}

func newSnapshotCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "snapshot", Short: "Load and list keyed snapshots of a source"}
	cmd.AddCommand(newSnapshotLoadCmd(g), newSnapshotListCmd(g))
	return cmd
}

// errStop ends the first pass over an export once its columns are known.
var errStop = errors.New("stop")

func newSnapshotLoadCmd(g *globalOptions) *cobra.Command {
	o := &snapshotLoadOptions{}
	cmd := &cobra.Command{
		Use:   "load ORG/SOURCE --as-of YYYY-MM-DD FILE",
		Short: "Turn a DPO's export into keyed fingerprints (no plaintext is kept)",
		Args:  cobra.ExactArgs(2),
		RunE: withEnv(g, func(args []string) error {
			o.Source, o.File = args[0], args[1]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			return loadSnapshot(cmd, e, o)
		}),
	}
	cmd.Flags().StringVar(&o.AsOf, "as-of", "", "the date the export was taken, YYYY-MM-DD")
	cmd.Flags().StringArrayVar(&o.Map, "map", nil, "map a column to a field, COLUMN=FIELD (repeatable)")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON (and no progress bar)")
	return cmd
}

// loadSummary is what `snapshot load` prints.
type loadSummary struct {
	Source              string           `json:"source"`
	AsOf                string           `json:"as_of"`
	Rows                int64            `json:"rows"`
	Rejected            map[string]int64 `json:"rejected"`
	Distinct            map[string]int64 `json:"distinct"`
	Fingerprints        int64            `json:"fingerprints"`
	BytesPerFingerprint float64          `json:"bytes_per_fingerprint"`
	File                string           `json:"file"`
	SHA256              string           `json:"sha256"`
	ExportSHA256        string           `json:"export_sha256"`
}

func loadSnapshot(cmd *cobra.Command, e *env, o *snapshotLoadOptions) error {
	ctx := cmd.Context()
	src, err := e.store.Source(ctx, o.Source)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("snapshot load: no source %s: register it with `semak source add %s --anchor FIELD --fields ...`", o.Source, o.Source)
	}
	if err != nil {
		return err
	}
	snaps, err := e.store.Snapshots(ctx, src.ID)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if s.AsOf.Equal(o.asOf) {
			return fmt.Errorf("snapshot load: %s as of %s is already loaded", src.ID, o.AsOf)
		}
	}
	key, err := e.keys.Get(src.ID)
	if err != nil {
		return fmt.Errorf("snapshot load: the key of %s: %w", src.ID, err)
	}
	org, err := e.store.Org(ctx, src.Org)
	if err != nil {
		return err
	}
	msrc := matcher.Source{ID: src.ID, Org: src.Org, Anchor: src.Anchor, Fields: src.Fields, OrgOnly: src.OrgOnly, NewMAC: key.NewHMAC}
	iopts := intake.Options{Map: o.overrides, Region: org.Country, NoUnique: true}

	// First pass: the columns, checked against the schema before anything
	// is written.
	first := iopts
	first.NoDigest = true // the second pass takes it
	rep, err := intake.ReadFile(ctx, o.File, first, func(record.Record) error { return errStop })
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	var fields []string
	for _, p := range rep.Parts {
		for _, c := range p.Columns {
			if c.How != intake.HowSkipped {
				fields = append(fields, string(c.Field))
			}
		}
	}
	if err := matcher.CheckColumns(msrc, fields); err != nil {
		return fmt.Errorf("snapshot load %s: %w", o.File, err)
	}

	rel := filepath.Join(snapshotsDir, filepath.FromSlash(src.ID), o.AsOf+".fp")
	path := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if _, err := fingerprint.CleanPartials(filepath.Dir(path)); err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		// A file the store does not know: a load killed between the
		// file's rename and its registration. It was never visible.
		fmt.Fprintf(cmd.ErrOrStderr(), "semak: removing %s, left by an interrupted load\n", rel)
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	now := time.Now()
	if bar := progressBar(cmd.ErrOrStderr(), o.JSON, "fingerprinting "+filepath.Base(o.File)); bar != nil {
		iopts.Progress = func(read, size int64) {
			bar.ChangeMax64(size)
			_ = bar.Set64(read)
		}
		defer func() { _ = bar.Finish() }()
	}
	hdr, sum, err := fingerprintInto(ctx, matcher.LoadRequest{Source: msrc, AsOf: o.AsOf, Path: path, Now: now}, func(add func(record.Record) error) error {
		rep, err = intake.ReadFile(ctx, o.File, iopts, add)
		return err
	})
	if err != nil {
		return err
	}
	snap := store.Snapshot{Source: src.ID, AsOf: o.asOf, Rows: hdr.Rows, Distinct: hdr.Distinct, File: rel, SHA256: sum,
		ExportSHA256: rep.SHA256, LoadedBy: whoami(), LoadedAt: now}
	if err := e.store.AddSnapshot(ctx, snap); err != nil {
		_ = os.Remove(path)
		return err
	}
	fp, err := fingerprint.Open(path)
	if err != nil {
		return err
	}
	st := fp.Stats()
	_ = fp.Close()
	out := loadSummary{Source: src.ID, AsOf: o.AsOf, Rows: hdr.Rows, Rejected: map[string]int64{}, Distinct: hdr.Distinct,
		Fingerprints: st.Fingerprints, BytesPerFingerprint: st.BytesPerFingerprint, File: rel, SHA256: sum, ExportSHA256: rep.SHA256}
	for r, n := range rep.Rejected {
		out.Rejected[string(r)] = n
	}
	if o.JSON {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	var rejected int64
	for _, n := range out.Rejected {
		rejected += n
	}
	fmt.Fprintf(cmd.OutOrStdout(), "snapshot %s as of %s: %d records fingerprinted (%d rows rejected), %d fingerprints at %.1f bytes each\nfile %s (sha256 %s)\nfrom export %s (sha256 %s)\n",
		src.ID, o.AsOf, out.Rows, rejected, out.Fingerprints, out.BytesPerFingerprint, rel, sum, o.File, rep.SHA256)
	return nil
}

// progressBar returns a bar on w when w is a terminal and JSON is off.
func progressBar(w io.Writer, jsonOut bool, what string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if jsonOut || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
}

// fingerprintInto runs one load (a snapshot, a known leak, a canary set):
// req's Loader fed by read, committed at req.Path. It returns the file's
// header and SHA-256, the digest computed while the file was written. On
// error nothing is left at req.Path.
func fingerprintInto(ctx context.Context, req matcher.LoadRequest, read func(add func(record.Record) error) error) (fingerprint.Header, string, error) {
	req.Workers = runtime.GOMAXPROCS(0)
	l, err := matcher.NewLoader(ctx, req)
	if err != nil {
		return fingerprint.Header{}, "", err
	}
	if err := read(l.Add); err != nil {
		_ = l.Abort()
		return fingerprint.Header{}, "", err
	}
	hdr, err := l.Commit()
	if err != nil {
		return fingerprint.Header{}, "", err
	}
	return hdr, l.FileSHA256(), nil
}

// whoami names who loaded a snapshot: $SEMAK_USER, else the OS user.
func whoami() string {
	if u := os.Getenv("SEMAK_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newSnapshotListCmd(g *globalOptions) *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "list [ORG/SOURCE]",
		Short: "List loaded snapshots",
		Args:  cobra.MaximumNArgs(1),
		RunE: withEnv(g, nil, func(cmd *cobra.Command, args []string, e *env) error {
			source := ""
			if len(args) == 1 {
				source = args[0]
			}
			snaps, err := e.store.Snapshots(cmd.Context(), source)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("snapshot list: no source %s", source)
			}
			if err != nil {
				return err
			}
			type item struct {
				Source   string           `json:"source"`
				AsOf     string           `json:"as_of"`
				Rows     int64            `json:"rows"`
				Distinct map[string]int64 `json:"distinct"`
				File     string           `json:"file"`
				SHA256   string           `json:"sha256"`
				LoadedBy string           `json:"loaded_by"`
				LoadedAt string           `json:"loaded_at"`
				Export   string           `json:"export_sha256,omitempty"` // absent for loads before it was kept
			}
			items := make([]item, 0, len(snaps))
			for _, s := range snaps {
				items = append(items, item{s.Source, s.AsOf.Format(time.DateOnly), s.Rows, s.Distinct, s.File, s.SHA256, s.LoadedBy, s.LoadedAt.UTC().Format(time.RFC3339), s.ExportSHA256})
			}
			if jsonOut {
				return writeJSON(cmd.OutOrStdout(), items)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SOURCE\tAS OF\tROWS\tLOADED BY\tLOADED AT\tFILE")
			for _, it := range items {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", it.Source, it.AsOf, it.Rows, it.LoadedBy, it.LoadedAt, it.File)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}
