package main

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/internal/store"
	"github.com/semak/semak/matcher"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/intake"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/report"
	"github.com/semak/semak/matcher/stats"
	"github.com/semak/semak/matcher/verdict"
)

// verifyOptions are the flags of `semak verify`.
type verifyOptions struct {
	Claim        string
	ClaimedCount int64
	JSON         bool
	Map          []string
	File         string
	Report       string
	Posting      string

	overrides []intake.Override
}

func (o *verifyOptions) Validate() error {
	if o.Claim == "" {
		return errors.New("verify: --claim ORG is required (the organisation the sample is said to come from)")
	}
	if o.ClaimedCount < 0 {
		return errors.New("verify: --claimed-count cannot be negative")
	}
	if o.Report != "" {
		if _, err := report.Format(o.Report); err != nil {
			return err
		}
	}
	var err error
	if o.overrides, err = parseOverrides(o.Map); err != nil {
		return err
	}
	return nil
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify --claim ORG [--claimed-count N] [--posting ID] [--json] FILE",
		Short: "Say whether a leak sample is NEW, OLD, FAKE, MIXED or INCONCLUSIVE, with the evidence",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(g, func(args []string) error {
			o.File = args[0]
			return o.Validate()
		}, func(cmd *cobra.Command, args []string, e *env) error {
			if o.Posting != "" {
				if _, err := e.store.Posting(cmd.Context(), o.Posting); errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("verify: no posting %q in the store: import it with `semak posting add`, or check --posting", o.Posting)
				} else if err != nil {
					return err
				}
			}
			v, rep, err := runVerify(cmd, e, o)
			if err != nil {
				return err
			}
			if o.Posting != "" {
				if err := recordVerdict(cmd, e, o.Posting, v); err != nil {
					return err
				}
			}
			if o.Report != "" {
				if err := writeReport(o, v, rep); err != nil {
					return err
				}
			}
			if o.JSON {
				return writeJSON(cmd.OutOrStdout(), v)
			}
			return writeVerdictText(cmd.OutOrStdout(), &v)
		}),
	}
	cmd.Flags().StringVar(&o.Claim, "claim", "", "the organisation the sample is claimed to come from (id, name or alias)")
	cmd.Flags().Int64Var(&o.ClaimedCount, "claimed-count", 0, "how many records the seller claims to hold")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the verdict as one JSON object")
	cmd.Flags().StringArrayVar(&o.Map, "map", nil, "map a sample column to a field, COLUMN=FIELD (repeatable)")
	cmd.Flags().StringVar(&o.Report, "report", "", "also write the evidence pack to FILE.html or FILE.md")
	cmd.Flags().StringVar(&o.Posting, "posting", "", "record the verdict on this posting (store and search index: verdict:… facet, exports)")
	return cmd
}

// recordVerdict writes the verdict, its confidence and admiralty rating
// back into the posting whose sample was verified, in the store and the
// search index.
func recordVerdict(cmd *cobra.Command, e *env, id string, v verdict.Verdict) (err error) {
	ctx := cmd.Context()
	p, err := storedPosting(ctx, e, id)
	if err != nil {
		return err
	}
	bases := make([]string, len(v.Basis))
	for i, b := range v.Basis {
		bases[i] = string(b)
	}
	p.Verdict = &posting.Verdict{
		Verdict:    string(v.Verdict),
		Basis:      strings.Join(bases, ","),
		CheckedAt:  time.Now().UTC(),
		Confidence: v.Statement.Confidence,
		Admiralty:  v.Admiralty.SourceReliability + v.Admiralty.InformationCredibility,
		Claim:      v.Claim.Org,
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := putPosting(ctx, e, &p); err != nil {
		return err
	}
	ix, err := openIndex(ctx, e)
	if err != nil {
		return err
	}
	defer closeIndex(ix, &err)
	return ix.Add(ctx, p)
}

func runVerify(cmd *cobra.Command, e *env, o *verifyOptions) (verdict.Verdict, *intake.Report, error) {
	ctx := cmd.Context()
	org, err := e.store.Org(ctx, o.Claim)
	if errors.Is(err, store.ErrNotFound) {
		return verdict.Verdict{}, nil, fmt.Errorf("verify: no organisation is called %q: register it with `semak org add`, or check `--claim`", o.Claim)
	}
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	sources, closeAll, err := openSources(cmd, e)
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	defer closeAll()
	ev, closeEvidence, err := openEvidence(cmd, e)
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	defer closeEvidence()

	var recs []record.Record
	rep, err := intake.ReadFile(ctx, o.File, intake.Options{Map: o.overrides, Region: org.Country}, func(r record.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	uniq := matcher.Dedupe(recs)
	v, err := matcher.Verify(ctx, matcher.Request{
		Claim:        matcher.Org{ID: org.ID, Name: org.Name, Population: org.Population, Country: org.Country},
		ClaimedCount: o.ClaimedCount,
		Sources:      sources,
		Sample:       verdict.Sample{SHA256: rep.SHA256, Rows: rep.Rows, Usable: rep.Usable, Unique: int64(len(uniq))},
		Records:      uniq,
		KnownLeaks:   ev.leaks,
		LeakMAC:      ev.leakMAC,
		Canaries:     ev.canaries,
		Now:          time.Now(),
		Workers:      runtime.GOMAXPROCS(0),
	})
	return v, rep, err
}

// writeReport writes the evidence pack, created with mode 0600: it is about
// personal data even though it holds none.
func writeReport(o *verifyOptions, v verdict.Verdict, rep *intake.Report) error {
	format, err := report.Format(o.Report)
	if err != nil {
		return err
	}
	p := report.Pack{Verdict: v, File: filepath.Base(o.File), Size: rep.Size, CheckedAt: time.Now()}
	for _, d := range v.Detectors {
		p.Detectors = append(p.Detectors, report.Detector{Name: d.Detector, Statistic: d.Statistic, Note: d.Note, Flagged: d.Flagged, Share: d.Share, N: d.N, MinN: d.MinN})
	}
	for _, r := range rep.Preview {
		row := map[string]string{}
		for _, a := range r.Masked() {
			row[a.Name] = a.Value
		}
		p.Preview = append(p.Preview, row)
	}
	f, err := os.OpenFile(o.Report, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := report.Write(f, format, p); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// openSources opens every registered source with its key and snapshots.
func openSources(cmd *cobra.Command, e *env) ([]matcher.Source, func(), error) {
	ctx := cmd.Context()
	var opened []*fingerprint.Snapshot
	closeAll := func() {
		for _, s := range opened {
			_ = s.Close()
		}
	}
	srcs, err := e.store.Sources(ctx)
	if err != nil {
		return nil, closeAll, err
	}
	var out []matcher.Source
	for _, s := range srcs {
		key, err := e.keys.Get(s.ID)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("the key of %s: %w", s.ID, err)
		}
		ms := matcher.Source{ID: s.ID, Org: s.Org, Anchor: s.Anchor, Fields: s.Fields, OrgOnly: s.OrgOnly, NewMAC: key.NewHMAC}
		snaps, err := e.store.Snapshots(ctx, s.ID)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		for _, sn := range snaps {
			f, err := fingerprint.Open(filepath.Join(e.dir, sn.File))
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("snapshot %s as of %s: %w", s.ID, sn.AsOf.Format(time.DateOnly), err)
			}
			opened = append(opened, f)
			ms.Snapshots = append(ms.Snapshots, matcher.Snapshot{AsOf: sn.AsOf.Format(time.DateOnly), Set: f})
		}
		out = append(out, ms)
	}
	return out, closeAll, nil
}

func pctRate(r stats.Rate) string {
	return fmt.Sprintf("%d/%d = %.1f%% [95%% %.1f–%.1f%%]", r.K, r.N, 100*r.P, 100*r.Low, 100*r.High)
}

func writeVerdictText(out io.Writer, v *verdict.Verdict) error {
	w := &errWriter{w: out}
	head := string(v.Verdict)
	if v.GenuineVerdict != "" {
		head += " (genuine part: " + string(v.GenuineVerdict) + ")"
	}
	fmt.Fprintf(w, "verdict     %s — %s\n", head, v.Statement.Confidence)
	basis := make([]string, len(v.Basis))
	for i, b := range v.Basis {
		basis[i] = string(b)
	}
	fmt.Fprintf(w, "basis       %s\n", orNone(basis))
	fmt.Fprintf(w, "claim       %s (%s)", v.Claim.Org, v.Claim.Name)
	if v.Claim.ClaimedCount > 0 {
		fmt.Fprintf(w, ", claimed %d records", v.Claim.ClaimedCount)
	}
	if v.Claim.Population > 0 {
		fmt.Fprintf(w, ", population %d", v.Claim.Population)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sample      %d rows, %d usable, %d unique (sha256 %s)\n", v.Sample.Rows, v.Sample.Usable, v.Sample.Unique, v.Sample.SHA256)
	fmt.Fprintf(w, "match       %s\n", pctRate(v.Match))
	if len(v.PerSnapshot) > 0 {
		fmt.Fprintln(w, "per snapshot (attributed = anchor and an organisation-only field agree)")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SOURCE\tSNAPSHOT\tATTRIBUTED\tANCHOR FOUND\tFIELDS AGREEING (of anchor-matched)")
		for _, s := range v.PerSnapshot {
			names := make([]string, 0, len(s.Fields))
			for f := range s.Fields {
				names = append(names, f)
			}
			sort.Strings(names)
			var fs []string
			for _, f := range names {
				fs = append(fs, fmt.Sprintf("%s %.0f%%", f, 100*s.Fields[f].P))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d/%d\t%s\n", s.Source, s.Snapshot, pctRate(s.Rate), s.Anchor.K, s.Anchor.N, strings.Join(fs, ", "))
		}
		_ = tw.Flush()
	}
	if v.Dating != nil {
		fmt.Fprintf(w, "dating      fits %s best (runner-up %s, log10 LR %.1f; against the latest %s: %.1f) over %d discriminating records, field error rate %.2f\n",
			v.Dating.Snapshot, v.Dating.RunnerUp, v.Dating.Log10LR, v.Dating.Latest, v.Dating.Log10LRLatest, v.Dating.Records, v.Dating.FieldError)
	}
	for _, o := range v.OtherSources {
		fmt.Fprintf(w, "other       %s: %s\n", o.Source, pctRate(o.Rate))
	}
	for _, l := range v.KnownLeaks {
		fmt.Fprintf(w, "known leak  posting %s of %s: %d/%d = %.1f%% [95%% %.1f–%.1f%%]\n", l.Posting, l.Date, l.Matched, l.N, 100*l.Overlap, 100*l.Low, 100*l.High)
	}
	for _, c := range v.Canaries {
		fmt.Fprintf(w, "canary      %d canaries of the extract sent to %s on %s (%s)\n", c.Hits, c.Partner, c.AsOf, c.Source)
	}
	if v.Newer > 0 {
		fmt.Fprintf(w, "newer       %d records newer than the latest snapshot, set aside\n", v.Newer)
	}
	fmt.Fprintf(w, "flags       %s\n", orNone(v.Flags))
	for _, r := range v.Reasons {
		fmt.Fprintf(w, "because     %s\n", r)
	}
	if v.Settle != "" {
		fmt.Fprintf(w, "to settle   %s\n", v.Settle)
	}
	fmt.Fprintf(w, "\nstatement (en)\n  %s\n\nkenyataan (ms)\n  %s\n", v.Statement.EN, v.Statement.MS)
	return w.err
}

// evidence is what verify checks beside the snapshots: known leaks (under
// the service key) and canary sets (under their sources' keys).
type evidence struct {
	leaks    []matcher.KnownLeak
	leakMAC  func() hash.Hash
	canaries []matcher.CanarySet
}

func openEvidence(cmd *cobra.Command, e *env) (evidence, func(), error) {
	ctx := cmd.Context()
	var ev evidence
	var opened []*fingerprint.Snapshot
	closeAll := func() {
		for _, s := range opened {
			_ = s.Close()
		}
	}
	open := func(rel string) (*fingerprint.Snapshot, error) {
		f, err := fingerprint.Open(filepath.Join(e.dir, rel))
		if err == nil {
			opened = append(opened, f)
		}
		return f, err
	}
	leaks, err := e.store.KnownLeaks(ctx)
	if err != nil {
		return ev, closeAll, err
	}
	if len(leaks) > 0 {
		key, err := e.keys.Get(serviceKeyID)
		if err != nil {
			return ev, closeAll, fmt.Errorf("the known-leak service key: %w", err)
		}
		ev.leakMAC = key.NewHMAC
	}
	for _, l := range leaks {
		f, err := open(l.File)
		if err != nil {
			closeAll()
			return ev, func() {}, fmt.Errorf("known leak %s: %w", l.Posting, err)
		}
		ev.leaks = append(ev.leaks, matcher.KnownLeak{Posting: l.Posting, Date: l.PostedOn.Format(time.DateOnly), Org: l.Org, Title: l.Title, Fields: l.Fields, Set: f})
	}
	sets, err := e.store.CanarySets(ctx, "")
	if err != nil {
		closeAll()
		return ev, func() {}, err
	}
	for _, c := range sets {
		f, err := open(c.File)
		if err != nil {
			closeAll()
			return ev, func() {}, fmt.Errorf("canary set %s for %s: %w", c.Source, c.Partner, err)
		}
		ev.canaries = append(ev.canaries, matcher.CanarySet{Source: c.Source, Partner: c.Partner, AsOf: c.AsOf.Format(time.DateOnly), Set: f})
	}
	return ev, closeAll, nil
}
