package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher"
	"github.com/semak/semak/matcher/canary"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

const canariesDir = "canaries"

// canaryPlantOptions are the flags of `semak canary plant`.
type canaryPlantOptions struct {
	Source  string
	Partner string
	AsOf    string
	Count   int
	Out     string
	Formats []string

	asOf    time.Time
	formats map[string]string
}

func (o *canaryPlantOptions) Validate() error {
	if !strings.Contains(o.Source, "/") {
		return fmt.Errorf("canary plant: %q: name the source ORG/SOURCE", o.Source)
	}
	if strings.TrimSpace(o.Partner) == "" {
		return errors.New("canary plant: --partner NAME is required (who the extract goes to)")
	}
	t, err := time.Parse(time.DateOnly, o.AsOf)
	if err != nil {
		return fmt.Errorf("canary plant: --as-of %q: want the extract's date, YYYY-MM-DD", o.AsOf)
	}
	o.asOf = t
	if o.Count < 1 || o.Count > 10000 {
		return fmt.Errorf("canary plant: --count %d: want 1 to 10000", o.Count)
	}
	if o.Out == "" {
		return errors.New("canary plant: --out FILE is required (the CSV to add to the extract)")
	}
	o.formats = map[string]string{}
	for _, f := range o.Formats {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || v == "" {
			return fmt.Errorf("canary plant: --format %q: want FIELD=PATTERN", f)
		}
		o.formats[k] = v
	}
	return nil
}

func newCanaryCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "canary", Short: "Plant canary records in extracts sent to partners"}
	o := &canaryPlantOptions{}
	plant := &cobra.Command{
		Use:   "plant ORG/SOURCE --partner NAME --as-of YYYY-MM-DD --count N --out FILE",
		Short: "Make N realistic records that belong to nobody, keep their fingerprints, and write them once to FILE for the extract",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.Source = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			return plantCanaries(cmd, e, o)
		}),
	}
	plant.Flags().StringVar(&o.Partner, "partner", "", "the partner the extract is sent to")
	plant.Flags().StringVar(&o.AsOf, "as-of", "", "the extract's date, YYYY-MM-DD")
	plant.Flags().IntVar(&o.Count, "count", 0, "how many canary records")
	plant.Flags().StringVar(&o.Out, "out", "", "the CSV file to write them to (must not exist)")
	plant.Flags().StringArrayVar(&o.Formats, "format", nil, "pattern for a field the generator does not know, FIELD=PATTERN ('#' digit, 'A' letter)")
	cmd.AddCommand(plant)
	return cmd
}

func plantCanaries(cmd *cobra.Command, e *env, o *canaryPlantOptions) (err error) {
	ctx := cmd.Context()
	if _, err := os.Lstat(o.Out); err == nil {
		return fmt.Errorf("canary plant: %s exists; the file must not exist: canaries are written once", o.Out)
	}
	src, err := e.store.Source(ctx, o.Source)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("canary plant: no source %s", o.Source)
	}
	if err != nil {
		return err
	}
	key, err := e.keys.Get(src.ID)
	if err != nil {
		return err
	}
	snaps, closeSnaps, err := openSnapshots(ctx, e, src.ID)
	if err != nil {
		return err
	}
	defer closeSnaps()
	norm := normalize.New(normalize.Options{Now: o.asOf})
	h := fingerprint.NewHasher(key.NewHMAC)
	fieldAt := map[string]int{}
	for j, f := range src.Fields {
		fieldAt[f] = j
	}
	// A canary must collide with nobody the source holds.
	taken := func(field, value string) bool {
		var v string
		switch field {
		case "ic":
			m, err := norm.MyKad(value)
			if err != nil {
				return true
			}
			for _, s := range snaps {
				if _, ok := s.Anchor(h.Anchor(src.Anchor, m.Number)); ok && src.Anchor == "ic" {
					return true
				}
			}
			return false
		case "phone":
			v, _ = norm.Phone(value)
		case "email":
			v, _ = norm.Email(value)
		}
		j, ok := fieldAt[field]
		if !ok || v == "" {
			return false
		}
		fp := h.Unbound(field, v)
		for _, s := range snaps {
			if s.Unbound(j, fp) {
				return true
			}
		}
		return false
	}
	var seed [16]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return err
	}
	recs, err := canary.Make(canary.Options{Fields: src.Fields, AsOf: o.asOf, Count: o.Count, Formats: o.formats, Taken: taken,
		Rand: mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))})
	if err != nil {
		return err
	}

	// The records are written once, to FILE, then read back through the
	// intake exactly as a leak sample would be, and fingerprinted.
	f, err := os.OpenFile(o.Out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("canary plant: %w (the file must not exist: canaries are written once)", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(o.Out)
		}
	}()
	w := csv.NewWriter(f)
	_ = w.Write(src.Fields)
	for _, r := range recs {
		row := make([]string, len(src.Fields))
		for j, fl := range src.Fields {
			row[j] = r[fl]
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	rel := filepath.Join(canariesDir, filepath.FromSlash(src.ID), fileName(o.Partner)+"-"+o.AsOf+".fp")
	path := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	msrc := matcher.Source{ID: src.ID, Org: src.Org, Anchor: src.Anchor, Fields: src.Fields, OrgOnly: src.OrgOnly, NewMAC: key.NewHMAC}
	hdr, sum, err := fingerprintInto(ctx, matcher.LoadRequest{Source: msrc, AsOf: o.AsOf, Path: path, Now: time.Now()}, func(add func(record.Record) error) error {
		_, err := intake.ReadFile(ctx, o.Out, intake.Options{Map: identityMap(src.Fields), NoUnique: true}, add)
		return err
	})
	if err != nil {
		return err
	}
	if err := e.store.AddCanarySet(ctx, store.CanarySet{Source: src.ID, Partner: o.Partner, AsOf: o.asOf, Rows: hdr.Rows, File: rel, SHA256: sum, PlantedBy: whoami()}); err != nil {
		_ = os.Remove(path)
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d canary records for %s's extract of %s (%s) written to %s; add them to the extract. Only their fingerprints are kept: this is the only time they are shown.\n",
		hdr.Rows, o.Partner, src.ID, o.AsOf, o.Out)
	return nil
}

// identityMap maps each column to the field of the same name, so a file
// semak wrote with the source's field names is read exactly so.
func identityMap(fields []string) []intake.Override {
	out := make([]intake.Override, len(fields))
	for i, f := range fields {
		out[i] = intake.Override{Column: f, Field: f}
	}
	return out
}

// openSnapshots opens the snapshot files of one source.
func openSnapshots(ctx context.Context, e *env, source string) ([]*fingerprint.Snapshot, func(), error) {
	var out []*fingerprint.Snapshot
	closeAll := func() {
		for _, s := range out {
			_ = s.Close()
		}
	}
	snaps, err := e.store.Snapshots(ctx, source)
	if err != nil {
		return nil, closeAll, err
	}
	for _, sn := range snaps {
		f, err := fingerprint.Open(filepath.Join(e.dir, sn.File))
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		out = append(out, f)
	}
	return out, closeAll, nil
}
