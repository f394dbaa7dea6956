package matcher

import (
	"cmp"
	"context"
	"fmt"
	"hash"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/semak/semak/matcher/detect"
	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
	"github.com/semak/semak/matcher/stats"
	"github.com/semak/semak/matcher/verdict"
)

// SnapshotSet is what the matcher needs of a loaded snapshot; a
// *fingerprint.Snapshot meets it. Field indexes are positions in the
// source's Fields.
type SnapshotSet interface {
	Anchor(fp uint64) (fingerprint.NameFilter, bool)
	Bound(field int, fp uint64) bool
	Unbound(field int, fp uint64) bool
}

// Source is one registered source as the matcher sees it: its schema, its
// key (as an HMAC constructor: the key itself never reaches the matcher)
// and its snapshots, oldest first.
type Source struct {
	ID        string // "org/source"
	Org       string
	Anchor    string
	Fields    []string // anchor included
	OrgOnly   []string
	NewMAC    func() hash.Hash
	Snapshots []Snapshot
}

// Snapshot is one dated snapshot of a source.
type Snapshot struct {
	AsOf string // YYYY-MM-DD
	Set  SnapshotSet
}

// Org is the claimed organisation.
type Org struct {
	ID         string
	Name       string
	Population int64
	Country    string // "MY" | "ID"; the fabrication detectors' reference
}

// Rules are the thresholds of the verdict. Every one is documented in
// ARCHITECTURE.md and reported in the verdict's JSON.
type Rules struct {
	// MinUsable is the fewest unique usable records a verdict other than
	// INCONCLUSIVE needs. 30: below it a 95% interval on an attribution
	// rate is wider than ±0.15 even at the ends, too wide to call MIXED or
	// dating apart.
	MinUsable int64
	// FieldErrorRate is the chance that one field of a genuine record
	// disagrees with the database it came from by accident (a typo, a
	// stale copy): the ε of the dating likelihood. 0.02.
	FieldErrorRate float64
	// NameDice is the Dice similarity above which two name filters are the
	// same name.
	NameDice float64
	// OldLog10LR is how much better (log10 likelihood ratio) an older
	// snapshot must fit than the latest for OLD: 2, i.e. 100 to 1.
	OldLog10LR float64
	// KnownLeakShare: when the lower 95% bound of the share of genuine
	// records an earlier leak explains reaches it, the data is that leak
	// reposted: OLD, known_leak. 0.5 — most of the sample.
	KnownLeakShare float64
	// NoneBelow: an attribution rate whose upper bound is below it is
	// "none"; AllAbove: one whose upper bound reaches it is "all" (0.05
	// and 0.95). MIXED is an interval strictly between.
	NoneBelow, AllAbove float64
}

// DefaultRules are the thresholds semak uses.
var DefaultRules = Rules{MinUsable: 30, FieldErrorRate: 0.02, NameDice: fingerprint.NameMatch, OldLog10LR: 2, KnownLeakShare: 0.5, NoneBelow: 0.05, AllAbove: 0.95}

// Request is one verification.
type Request struct {
	Claim        Org
	ClaimedCount int64
	// Sources are all registered sources; those whose Org is the claim's
	// are the claimed organisation's, the others are compared against it.
	Sources []Source
	// Sample counts the sample; Records are its unique usable records.
	Sample  verdict.Sample
	Records []record.Record
	// KnownLeaks are earlier leaks, fingerprinted under the service key
	// LeakMAC; Canaries are canary sets planted in partner extracts, each
	// under its source's key.
	KnownLeaks []KnownLeak
	LeakMAC    func() hash.Hash
	Canaries   []CanarySet
	Now        time.Time
	Workers    int
	Rules      Rules
}

// evaluation is what one record looks like against one source: per
// snapshot, whether its anchor (or, without an anchor, any value) was found
// and which fields agree.
type evaluation struct {
	anchored bool     // the record has the source's anchor value
	present  uint64   // bit j: the record has a value for Fields[j]
	hit      []bool   // per snapshot
	agree    []uint64 // per snapshot, bit j: Fields[j] agrees
	// attr says, per snapshot, whether the record is attributed to the
	// source's organisation (see attribution), decided once here rather
	// than in every rate that needs it.
	attr []bool
	// orgOnly: the record has a value for a field only the organisation
	// holds.
	orgOnly bool
}

// Verify reaches a verdict. Only rates leave it: no record, value or
// fingerprint is in the result.
func Verify(ctx context.Context, req Request) (verdict.Verdict, error) {
	rules := req.Rules
	if rules == (Rules{}) {
		rules = DefaultRules
	}
	for _, s := range req.Sources {
		if len(s.Fields) > 64 {
			return verdict.Verdict{}, fmt.Errorf("source %s has %d fields; at most 64 are supported", s.ID, len(s.Fields))
		}
	}
	v := verdict.Verdict{
		Claim:        verdict.Claim{Org: req.Claim.ID, Name: req.Claim.Name, ClaimedCount: req.ClaimedCount, Population: req.Claim.Population},
		Sample:       req.Sample,
		Match:        stats.Wilson(0, 0),
		Basis:        []verdict.Basis{},
		Flags:        []string{},
		Reasons:      []string{},
		PerSnapshot:  []verdict.SnapshotRate{},
		OtherSources: []verdict.SourceRate{},
		KnownLeaks:   []verdict.LeakOverlap{},
		Detectors:    []verdict.Detection{},
		Canaries:     []verdict.CanaryHit{},
		Thresholds: verdict.Thresholds{MinUsable: rules.MinUsable, FieldErrorRate: rules.FieldErrorRate, NameDice: rules.NameDice,
			OldLog10LR: rules.OldLog10LR, KnownLeakShare: rules.KnownLeakShare, NoneBelow: rules.NoneBelow, AllAbove: rules.AllAbove},
	}
	v.Sample.Unique = int64(len(req.Records))
	if req.Sample.Usable > v.Sample.Unique {
		v.Flags = append(v.Flags, verdict.FlagDuplicates)
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d usable rows hold only %d distinct records", req.Sample.Usable, v.Sample.Unique))
	}
	if req.ClaimedCount > 0 && req.Claim.Population > 0 && req.ClaimedCount > req.Claim.Population {
		v.Flags = append(v.Flags, verdict.FlagClaimedSizeImplausible)
		v.Reasons = append(v.Reasons, fmt.Sprintf("the claim of %d records exceeds the %d people %s holds", req.ClaimedCount, req.Claim.Population, req.Claim.ID))
	}

	evals, err := evaluate(ctx, req, rules)
	if err != nil {
		return verdict.Verdict{}, err
	}
	d := decider{req: req, rules: rules, evals: evals, v: &v, norm: normalize.New(normalize.Options{Now: req.Now})}
	d.leaks, err = leakHits(ctx, req.KnownLeaks, req.LeakMAC, req.Records, NewValuer(d.norm))
	if err != nil {
		return verdict.Verdict{}, err
	}
	d.canaries = canaryHits(req, rules)
	d.decide()
	d.applyFabrication()
	d.applyCanaries()
	v.Statement = statement(&v, confidence(v.Verdict, d.bound, d.signals))
	v.Admiralty = verdict.Admiralty{SourceReliability: "F", InformationCredibility: verdict.Credibility(v.Verdict, v.Statement.Confidence)}
	return v, nil
}

// evaluate fingerprints every record under every source's key and looks it
// up in every snapshot. It runs over chunks of records in parallel; the
// cost grows with the sample and the number of snapshots, not with their
// size (each lookup is a binary search in a mapped file).
func evaluate(ctx context.Context, req Request, rules Rules) ([][]evaluation, error) {
	evals := make([][]evaluation, len(req.Sources))
	for i := range evals {
		evals[i] = make([]evaluation, len(req.Records))
	}
	workers := max(req.Workers, 1)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	const chunk = 1024
	for lo := 0; lo < len(req.Records); lo += chunk {
		hi := min(lo+chunk, len(req.Records))
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			valuer := NewValuer(normalize.New(normalize.Options{Now: req.Now}))
			for si, src := range req.Sources {
				h := fingerprint.NewHasher(src.NewMAC)
				m := attribution(&src)
				for r := lo; r < hi; r++ {
					evals[si][r] = evalRecord(h, valuer, &src, m, &req.Records[r], rules)
				}
			}
			return nil
		})
	}
	return evals, g.Wait()
}

func evalRecord(h *fingerprint.Hasher, valuer *Valuer, src *Source, m masks, rec *record.Record, rules Rules) evaluation {
	n := len(src.Snapshots)
	e := evaluation{hit: make([]bool, n), agree: make([]uint64, n), attr: make([]bool, n)}
	anchorVal := valuer.Value(rec, src.Anchor)
	e.anchored = anchorVal != ""
	var afp uint64
	if e.anchored {
		afp = h.Anchor(src.Anchor, anchorVal)
	}
	filters := make([]fingerprint.NameFilter, n)
	for i, s := range src.Snapshots {
		if e.anchored {
			filters[i], e.hit[i] = s.Set.Anchor(afp)
		}
	}
	for j, f := range src.Fields {
		if f == src.Anchor {
			continue
		}
		val := valuer.Value(rec, f)
		if val == "" {
			continue
		}
		e.present |= 1 << j
		switch {
		case e.anchored && f == string(record.Name):
			nf := h.Name(afp, val)
			for i := range src.Snapshots {
				if e.hit[i] && fingerprint.Dice(nf, filters[i]) >= rules.NameDice {
					e.agree[i] |= 1 << j
				}
			}
		case e.anchored:
			fp := h.Bound(f, anchorVal, val)
			for i, s := range src.Snapshots {
				if e.hit[i] && s.Set.Bound(j, fp) {
					e.agree[i] |= 1 << j
				}
			}
		default:
			fp := h.Unbound(f, val)
			for i, s := range src.Snapshots {
				if s.Set.Unbound(j, fp) {
					e.agree[i] |= 1 << j
					e.hit[i] = true
				}
			}
		}
	}
	e.orgOnly = e.present&m.orgOnly != 0
	for i := range e.attr {
		e.attr[i] = e.hit[i] && e.agree[i]&m.attr != 0
	}
	return e
}

// fieldMask returns the bits of names in fields.
func fieldMask(fields, names []string) uint64 {
	var m uint64
	for j, f := range fields {
		if slices.Contains(names, f) {
			m |= 1 << j
		}
	}
	return m
}

// masks are a source's field bits that attribution tests.
type masks struct {
	orgOnly uint64 // the fields only the organisation holds
	attr    uint64 // the fields one of which must agree to attribute a record
}

// attribution returns the masks of a source: a record is attributed to the
// source's organisation in a snapshot when its anchor (or values) were
// found and a field only that organisation holds agrees. A source that
// declares no organisation-only field needs some field besides the anchor
// to agree.
func attribution(src *Source) masks {
	m := masks{orgOnly: fieldMask(src.Fields, src.OrgOnly)}
	m.attr = m.orgOnly
	if len(src.OrgOnly) == 0 {
		m.attr = ^fieldMask(src.Fields, []string{src.Anchor})
	}
	return m
}

// attributable says whether a record's evaluation attributes it to the
// source's organisation in snapshot i.
func attributable(e *evaluation, i int) bool { return e.attr[i] }

type decider struct {
	// bound is the 95% bound that carries the verdict (the lower bound of
	// the rate that says "ours", "another's" or "nobody's"), and signals
	// counts the independent signals that agree with it; together they
	// pick the confidence word.
	bound   float64
	signals int

	req      Request
	rules    Rules
	evals    [][]evaluation
	leaks    [][]bool // per known leak, per record: explained by it
	canaries [][]bool // per canary set, per record: one of its canaries
	aside    []bool   // records set aside: canaries and newer registrations
	canaryN  int64
	v        *verdict.Verdict
	norm     *normalize.Normalizer
}

func (d *decider) claimed(si int) bool { return d.req.Sources[si].Org == d.req.Claim.ID }

func (d *decider) latest() string {
	latest := ""
	for si, s := range d.req.Sources {
		if d.claimed(si) && len(s.Snapshots) > 0 {
			latest = max(latest, s.Snapshots[len(s.Snapshots)-1].AsOf)
		}
	}
	return latest
}

func (d *decider) decide() {
	v, rules := d.v, d.rules
	n := int64(len(d.req.Records))
	hasClaimed := false
	for si := range d.req.Sources {
		if d.claimed(si) && len(d.req.Sources[si].Snapshots) > 0 {
			hasClaimed = true
		}
	}
	// Canary records are ours by construction: they are set aside from the
	// rates and decide the verdict at the end (applyCanaries).
	d.aside = make([]bool, n)
	for _, hits := range d.canaries {
		for r, h := range hits {
			if h && !d.aside[r] {
				d.aside[r] = true
				d.canaryN++
			}
		}
	}
	if !hasClaimed {
		d.inconclusive(verdict.NoMatch, fmt.Sprintf("%s has no loaded snapshot to compare against", d.req.Claim.ID),
			fmt.Sprintf("register a source of %s and load a snapshot of it", d.req.Claim.ID),
			fmt.Sprintf("daftarkan sumber %s dan muatkan petikannya", d.req.Claim.ID))
		d.leakEvidence(d.aside, n-d.canaryN)
		return
	}
	if n < rules.MinUsable {
		d.inconclusive(verdict.TooFewRows, fmt.Sprintf("only %d unique usable records; a verdict needs at least %d", n, rules.MinUsable),
			fmt.Sprintf("a sample of at least %d distinct usable records", rules.MinUsable),
			fmt.Sprintf("sampel sekurang-kurangnya %d rekod berbeza yang boleh digunakan", rules.MinUsable))
		d.leakEvidence(d.aside, n-d.canaryN)
		return
	}

	// Records found in no snapshot of any source but registered after the
	// latest snapshot are set aside: they are evidence of nothing but a
	// snapshot that is too old.
	latest := d.latest()
	newer := d.aside
	for r := range d.req.Records {
		if newer[r] || d.foundAnywhere(r) {
			continue
		}
		if reg := d.registered(&d.req.Records[r]); reg != "" && reg > latest {
			newer[r] = true
			v.Newer++
		}
	}
	neff := n - v.Newer - d.canaryN
	if v.Newer > 0 {
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d records are in no snapshot but were registered after the latest snapshot (%s): they are set aside, not counted against the claim", v.Newer, latest))
	}

	// Rates per source and per organisation.
	claimAttr, claimFound, orgOnlySeen := int64(0), int64(0), false
	otherAttr := map[string]int64{}
	for r := range d.req.Records {
		if newer[r] {
			continue
		}
		cA, cF := false, false
		for si := range d.req.Sources {
			src := &d.req.Sources[si]
			e := &d.evals[si][r]
			if e.orgOnly && d.claimed(si) {
				orgOnlySeen = true
			}
			attr := false
			for i := range src.Snapshots {
				if attributable(e, i) {
					attr = true
				}
				if d.claimed(si) && e.hit[i] {
					cF = true
				}
			}
			if attr {
				if d.claimed(si) {
					cA = true
				} else {
					otherAttr[src.ID]++
				}
			}
		}
		if cA {
			claimAttr++
		}
		if cF {
			claimFound++
		}
	}
	attrRate := stats.Wilson(claimAttr, neff)
	foundRate := stats.Wilson(claimFound, neff)
	for si, src := range d.req.Sources {
		if !d.claimed(si) && len(src.Snapshots) > 0 {
			v.OtherSources = append(v.OtherSources, verdict.SourceRate{Source: src.ID, Rate: stats.Wilson(otherAttr[src.ID], neff)})
		}
	}
	primary := d.perSnapshot(newer, neff)
	d.leakOverlaps(newer, neff)

	switch {
	case neff < rules.MinUsable:
		if v.Newer > 0 {
			d.inconclusive(verdict.NewerThanSnapshot, fmt.Sprintf("%d of %d records are newer than the latest snapshot (%s); %d remain, fewer than the %d a verdict needs", v.Newer, n, latest, neff, rules.MinUsable),
				"a fresh snapshot of "+d.req.Claim.ID+" taken after these registrations",
				"petikan baharu "+d.req.Claim.ID+" yang diambil selepas pendaftaran ini")
		} else {
			d.inconclusive(verdict.TooFewRows, fmt.Sprintf("only %d records remain", neff),
				fmt.Sprintf("a sample of at least %d distinct usable records", rules.MinUsable),
				fmt.Sprintf("sampel sekurang-kurangnya %d rekod berbeza yang boleh digunakan", rules.MinUsable))
		}
		return
	}
	for _, o := range v.OtherSources {
		if stats.Clearly(o.Rate, attrRate) {
			d.bound, d.signals = o.Low, 1
			if attrRate.High < rules.NoneBelow {
				d.signals++
			}
			v.Verdict = verdict.Fake
			v.Basis = append(v.Basis, verdict.OtherSource)
			v.Reasons = append(v.Reasons, fmt.Sprintf("%s matches %d of %d records on fields only it holds, against %d for %s: real people, not %s's data", o.Source, o.K, o.N, attrRate.K, d.req.Claim.ID, d.req.Claim.ID))
			d.addNewer()
			return
		}
	}
	if !orgOnlySeen && foundRate.High >= rules.NoneBelow {
		d.inconclusive("", fmt.Sprintf("%d of %d records match %s only on identifiers many organisations share (%s); the sample has no field only %s holds", claimFound, neff, d.req.Claim.ID, d.sharedFields(), d.req.Claim.ID),
			fmt.Sprintf("sample rows with a field only %s holds (%s)", d.req.Claim.ID, d.orgOnlyFields()),
			fmt.Sprintf("baris sampel dengan medan yang hanya dipegang oleh %s (%s)", d.req.Claim.ID, d.orgOnlyFields()))
		return
	}
	switch {
	case attrRate.High < rules.NoneBelow:
		d.bound, d.signals = 1-attrRate.High, 1
		if foundRate.High < rules.NoneBelow {
			d.signals++ // not even the identifiers are known
		}
		v.Verdict = verdict.Fake
		v.Basis = append(v.Basis, verdict.NoMatch)
		if claimFound > 0 && foundRate.Low > rules.NoneBelow {
			v.Reasons = append(v.Reasons, fmt.Sprintf("%d of %d records are people %s knows, but none agree on a field only %s holds", claimFound, neff, d.req.Claim.ID, d.req.Claim.ID))
		}
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d of %d records attributable to %s (95%% upper bound %.3f by the rule of three)", attrRate.K, neff, d.req.Claim.ID, attrRate.High))
	case attrRate.Low > rules.NoneBelow && attrRate.High < rules.AllAbove:
		v.Verdict = verdict.Mixed
		// How surely the share lies away from both ends: 0 at an end's
		// threshold, 0.9 when the interval is ten times further in.
		d.bound = 1 - max(rules.NoneBelow/attrRate.Low, (1-rules.AllAbove)/(1-attrRate.High))
		d.signals = 1
		v.GenuineVerdict = d.date(primary, newer)
		if v.Dating != nil {
			d.signals++
		}
		if d.knownLeak(primary, newer) {
			v.GenuineVerdict = verdict.Old
		}
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d of %d records (%.0f%%, 95%% interval %.0f–%.0f%%) are %s's; the rest match nothing", attrRate.K, neff, 100*attrRate.P, 100*attrRate.Low, 100*attrRate.High, d.req.Claim.ID))
	case attrRate.High >= rules.AllAbove && attrRate.Low > rules.NoneBelow:
		d.bound, d.signals = attrRate.Low, 1
		v.Verdict = d.date(primary, newer)
		if v.Dating != nil && (v.Verdict == verdict.Old || v.Dating.Snapshot == v.Dating.Latest) {
			d.signals++ // the dating agrees on which state of the database it is
		} else if foundRate.Low >= attrRate.Low {
			d.signals++ // the identifiers are known as well as the organisation-only fields
		}
		if d.knownLeak(primary, newer) {
			v.Verdict = verdict.Old
		}
	default:
		d.inconclusive("", fmt.Sprintf("%d of %d records attributable to %s: the interval %.2f–%.2f says neither none nor all", attrRate.K, neff, d.req.Claim.ID, attrRate.Low, attrRate.High),
			"a larger sample", "sampel yang lebih besar")
		return
	}
	d.addNewer()
}

// knownLeak applies the known-leak rule to the genuine records of the
// primary source: when the lower bound of the share an earlier leak
// explains reaches KnownLeakShare, the data is that leak reposted (OLD,
// known_leak) — even though the rows also match today's database. It says
// whether the rule applied.
func (d *decider) knownLeak(primary int, aside []bool) bool {
	src := &d.req.Sources[primary]
	best, bestRate := -1, stats.Wilson(0, 0)
	for li := range d.req.KnownLeaks {
		var k, n int64
		for r := range d.req.Records {
			if aside[r] {
				continue
			}
			e := &d.evals[primary][r]
			genuine := false
			for i := range src.Snapshots {
				if attributable(e, i) {
					genuine = true
					break
				}
			}
			if !genuine {
				continue
			}
			n++
			if d.leaks[li][r] {
				k++
			}
		}
		if rt := stats.Wilson(k, n); n > 0 && rt.Low > bestRate.Low {
			best, bestRate = li, rt
		}
	}
	if best < 0 || bestRate.Low < d.rules.KnownLeakShare {
		return false
	}
	l := d.req.KnownLeaks[best]
	d.v.Basis = slices.DeleteFunc(d.v.Basis, func(b verdict.Basis) bool { return b == verdict.CurrentSnapshot })
	d.v.Basis = append([]verdict.Basis{verdict.KnownLeak}, d.v.Basis...)
	d.v.Reasons = append(d.v.Reasons, fmt.Sprintf("%d of %d genuine records (95%% interval %.0f–%.0f%%) were already in %s: the data is that earlier leak reposted, though the rows also match today's database",
		bestRate.K, bestRate.N, 100*bestRate.Low, 100*bestRate.High, leakTitle(l)))
	d.signals++
	d.v.Cites = append(d.v.Cites, verdict.Citation{Kind: "known_leak", Posting: l.Posting, Date: l.Date})
	return true
}

// applyFabrication runs the fabrication detectors on the records that are
// not set aside and weighs them with the verdict the snapshots gave:
//
//   - FAKE, no_match, and the sample is dominated by fabricated records:
//     basis fabricated as well (the IDs are valid, but made up);
//   - MIXED: the detectors also run on the part that matched nothing, and
//     when that part is dominated by fabricated records, basis fabricated
//     marks it as the padding;
//   - NEW or OLD while the detectors call the sample fabricated: the signals
//     conflict, so INCONCLUSIVE, saying what would settle it. (On the
//     generated genuine world at n = 30…2,000 no detector ever fires.)
func (d *decider) applyFabrication() {
	v := d.v
	if v.Verdict == verdict.Inconclusive && len(v.Basis) > 0 && v.Basis[0] == verdict.TooFewRows {
		return
	}
	info := detect.Info{Now: d.req.Now, Country: d.req.Claim.Country}
	var rest, padding []record.Record
	for r := range d.req.Records {
		if d.aside != nil && d.aside[r] {
			continue
		}
		rest = append(rest, d.req.Records[r])
		if !d.attributedAnywhere(r) {
			padding = append(padding, d.req.Records[r])
		}
	}
	results := detect.Run(rest, info)
	v.Detectors = detections(results)
	dominated, share, reasons := detect.Fabricated(results)
	switch v.Verdict {
	case verdict.Fake:
		if dominated && slices.Contains(v.Basis, verdict.NoMatch) {
			v.Basis = append([]verdict.Basis{verdict.Fabricated}, v.Basis...)
			v.Reasons = append(v.Reasons, fmt.Sprintf("the records are made up, though their IDs are valid: about %.0f%% show a generator's signature (%s)", 100*share, strings.Join(reasons, "; ")))
			d.signals++
		}
	case verdict.Mixed:
		pres := detect.Run(padding, info)
		v.PaddingChecks = detections(pres)
		if pd, pshare, preasons := detect.Fabricated(pres); pd {
			v.Basis = append(v.Basis, verdict.Fabricated)
			v.Reasons = append(v.Reasons, fmt.Sprintf("the %d records that match nothing are fabricated: about %.0f%% show a generator's signature (%s)", len(padding), 100*pshare, strings.Join(preasons, "; ")))
			d.signals++
		}
	case verdict.New, verdict.Old:
		if dominated {
			basis := v.Basis
			v.Verdict, v.GenuineVerdict = verdict.Inconclusive, ""
			v.Basis = append([]verdict.Basis{verdict.Fabricated}, basis...)
			v.Reasons = append(v.Reasons, fmt.Sprintf("the records match the organisation's data, yet about %.0f%% show a generator's signature (%s): the signals conflict", 100*share, strings.Join(reasons, "; ")))
			v.Settle = "a DPO's review of a few records against the source system, or a fresh snapshot"
			v.SettleMS = "semakan DPO terhadap beberapa rekod dalam sistem sumber, atau petikan baharu"
		}
	}
}

// attributedAnywhere says whether record r is attributed to the claimed
// organisation in any snapshot of its sources.
func (d *decider) attributedAnywhere(r int) bool {
	for si := range d.req.Sources {
		if !d.claimed(si) {
			continue
		}
		for i := range d.req.Sources[si].Snapshots {
			if attributable(&d.evals[si][r], i) {
				return true
			}
		}
	}
	return false
}

func detections(rs []detect.Result) []verdict.Detection {
	out := make([]verdict.Detection, len(rs))
	for i, r := range rs {
		out[i] = verdict.Detection{Detector: r.Detector, Flagged: r.Flagged, Statistic: r.Statistic, P: r.P, Share: r.Share, N: r.N, MinN: r.MinN, Note: r.Note}
	}
	return out
}

// applyCanaries makes any canary hit decide the verdict: the data passed
// through the partner the canaries were planted for.
func (d *decider) applyCanaries() {
	v := d.v
	for ci, c := range d.req.Canaries {
		var k int64
		for _, h := range d.canaries[ci] {
			if h {
				k++
			}
		}
		if k > 0 {
			v.Canaries = append(v.Canaries, verdict.CanaryHit{Source: c.Source, Partner: c.Partner, AsOf: c.AsOf, Hits: k})
		}
	}
	if len(v.Canaries) == 0 {
		return
	}
	if v.Verdict == verdict.Inconclusive {
		v.Basis = slices.DeleteFunc(v.Basis, func(b verdict.Basis) bool { return b == verdict.TooFewRows })
		v.Settle, v.SettleMS = "", ""
	}
	v.Basis = slices.DeleteFunc(v.Basis, func(b verdict.Basis) bool { return b == verdict.CurrentSnapshot })
	v.Verdict, v.GenuineVerdict = verdict.Old, ""
	v.Basis = append([]verdict.Basis{verdict.Canary}, v.Basis...)
	for _, c := range v.Canaries {
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d records are canaries planted in the extract sent to %s on %s: the data leaked through that partner's extract, not %s's own systems",
			c.Hits, c.Partner, c.AsOf, d.req.Claim.ID))
		v.Cites = append(v.Cites, verdict.Citation{Kind: "canary", Partner: c.Partner, Date: c.AsOf})
	}
	// A canary is ours by construction and matched on its anchor and
	// another field: as sure as evidence gets.
	d.bound, d.signals = 1, 2
}

// leakOverlaps reports, for every known leak, how many of the records
// not set aside (aside may be nil: none) it holds, out of neff.
func (d *decider) leakOverlaps(aside []bool, neff int64) {
	v := d.v
	v.KnownLeaks = v.KnownLeaks[:0]
	for li, l := range d.req.KnownLeaks {
		var k int64
		for r, h := range d.leaks[li] {
			if h && (aside == nil || !aside[r]) {
				k++
			}
		}
		if k > 0 {
			rt := stats.Wilson(k, neff)
			v.KnownLeaks = append(v.KnownLeaks, verdict.LeakOverlap{Posting: l.Posting, Date: l.Date, Org: l.Org, Title: l.Title, Matched: k, N: neff, Overlap: rt.P, Low: rt.Low, High: rt.High})
		}
	}
	slices.SortStableFunc(v.KnownLeaks, func(a, b verdict.LeakOverlap) int { return cmp.Compare(b.Overlap, a.Overlap) })
}

// leakEvidence is leakOverlaps for a sample that gets no verdict (no
// snapshot, too few rows): the overlaps are still evidence, shown and
// said, though they decide nothing.
func (d *decider) leakEvidence(aside []bool, neff int64) {
	d.leakOverlaps(aside, neff)
	if len(d.v.KnownLeaks) > 0 {
		l := d.v.KnownLeaks[0]
		d.v.Reasons = append(d.v.Reasons, fmt.Sprintf("%d of %d records were already posted in known leak %s (%s)", l.Matched, l.N, l.Posting, l.Date))
	}
}

func (d *decider) addNewer() {
	if d.v.Newer > 0 {
		d.v.Basis = append(d.v.Basis, verdict.NewerThanSnapshot)
	}
}

func (d *decider) inconclusive(b verdict.Basis, reason, settle, settleMS string) {
	d.v.Verdict = verdict.Inconclusive
	if b != "" {
		d.v.Basis = append(d.v.Basis, b)
	}
	d.v.Reasons = append(d.v.Reasons, reason)
	d.v.Settle, d.v.SettleMS = settle, settleMS
}

func (d *decider) foundAnywhere(r int) bool {
	for si := range d.req.Sources {
		for _, h := range d.evals[si][r].hit {
			if h {
				return true
			}
		}
	}
	return false
}

// registered is a record's registration date, "" when it has none.
func (d *decider) registered(rec *record.Record) string {
	for _, f := range []string{"registered", "tarikh_daftar", "tanggal_daftar", "registration_date"} {
		if raw := rec.Get(record.Field(f)); raw != "" {
			if day, err := d.norm.Date(raw); err == nil {
				return day
			}
		}
	}
	return ""
}

func (d *decider) sharedFields() string {
	for _, s := range d.req.Sources {
		if s.Org == d.req.Claim.ID {
			return s.Anchor
		}
	}
	return "-"
}

func (d *decider) orgOnlyFields() string {
	var out []string
	for _, s := range d.req.Sources {
		if s.Org == d.req.Claim.ID {
			out = append(out, s.OrgOnly...)
		}
	}
	if len(out) == 0 {
		return "none declared"
	}
	return fmt.Sprint(out)
}

// perSnapshot fills the per-snapshot rates of the claimed organisation's
// primary source — the one most records are attributed to — and the match
// rate of its best snapshot, and returns the primary source's index.
func (d *decider) perSnapshot(newer []bool, neff int64) int {
	primary, best := -1, int64(-1)
	for si, src := range d.req.Sources {
		if !d.claimed(si) || len(src.Snapshots) == 0 {
			continue
		}
		var k int64
		for r := range d.req.Records {
			if newer[r] {
				continue
			}
			for i := range src.Snapshots {
				if attributable(&d.evals[si][r], i) {
					k++
					break
				}
			}
		}
		if k > best {
			primary, best = si, k
		}
	}
	src := &d.req.Sources[primary]
	bestRate := stats.Wilson(0, neff)
	for i, s := range src.Snapshots {
		var attr, anchor int64
		agree := make([]int64, len(src.Fields))
		present := make([]int64, len(src.Fields))
		for r := range d.req.Records {
			if newer[r] {
				continue
			}
			e := &d.evals[primary][r]
			if attributable(e, i) {
				attr++
			}
			if !e.hit[i] {
				continue
			}
			anchor++
			for j := range src.Fields {
				if e.present&(1<<j) != 0 {
					present[j]++
					if e.agree[i]&(1<<j) != 0 {
						agree[j]++
					}
				}
			}
		}
		sr := verdict.SnapshotRate{Source: src.ID, Snapshot: s.AsOf, Rate: stats.Wilson(attr, neff), Anchor: stats.Wilson(anchor, neff), Fields: map[string]stats.Rate{}}
		for j, f := range src.Fields {
			if present[j] > 0 {
				sr.Fields[f] = stats.Wilson(agree[j], present[j])
			}
		}
		d.v.PerSnapshot = append(d.v.PerSnapshot, sr)
		if sr.K >= bestRate.K {
			bestRate = sr.Rate
		}
	}
	d.v.Match = bestRate
	return primary
}

// date decides NEW or OLD for the genuine records of the primary source by
// the likelihood of each snapshot: a record found in a snapshot adds
// log(1-ε) for each of its fields that agrees and log(ε) for each that does
// not; a record absent from a snapshot adds log(ε) for every field it has.
// Records that fit every snapshot alike change nothing; the ones that
// discriminate are counted and reported.
func (d *decider) date(primary int, newer []bool) verdict.Kind {
	src := &d.req.Sources[primary]
	eps := d.rules.FieldErrorRate
	lAgree, lDis := math.Log(1-eps), math.Log(eps)
	ll := make([]float64, len(src.Snapshots))
	var discriminating int64
	contrib := make([]float64, len(src.Snapshots))
	for r := range d.req.Records {
		if newer[r] {
			continue
		}
		e := &d.evals[primary][r]
		attr := false
		for i := range src.Snapshots {
			if attributable(e, i) {
				attr = true
				break
			}
		}
		if !attr {
			continue
		}
		fields := float64(popcount(e.present))
		for i := range src.Snapshots {
			if !e.hit[i] {
				contrib[i] = fields * lDis
				continue
			}
			a := float64(popcount(e.agree[i] & e.present))
			contrib[i] = a*lAgree + (fields-a)*lDis
		}
		if slices.Min(contrib) != slices.Max(contrib) {
			discriminating++
		}
		for i := range contrib {
			ll[i] += contrib[i]
		}
	}
	last := len(src.Snapshots) - 1
	bestI, runner := last, -1
	for i := range ll {
		if ll[i] > ll[bestI] {
			bestI = i
		}
	}
	for i := range ll {
		if i != bestI && (runner < 0 || ll[i] > ll[runner]) {
			runner = i
		}
	}
	ln10 := math.Ln10
	dt := &verdict.Dating{Snapshot: src.Snapshots[bestI].AsOf, Latest: src.Snapshots[last].AsOf, Records: discriminating, FieldError: eps}
	if runner >= 0 {
		dt.RunnerUp = src.Snapshots[runner].AsOf
		dt.Log10LR = round3((ll[bestI] - ll[runner]) / ln10)
	}
	dt.Log10LRLatest = round3((ll[bestI] - ll[last]) / ln10)
	if discriminating > 0 {
		d.v.Dating = dt
	}
	if bestI != last && dt.Log10LRLatest >= d.rules.OldLog10LR {
		d.v.Basis = append(d.v.Basis, verdict.SnapshotDating)
		d.v.Reasons = append(d.v.Reasons, fmt.Sprintf("the data fits the %s snapshot better than the latest (%s) by a likelihood ratio of 10^%.1f over %d discriminating records", dt.Snapshot, dt.Latest, dt.Log10LRLatest, discriminating))
		return verdict.Old
	}
	d.v.Basis = append(d.v.Basis, verdict.CurrentSnapshot)
	d.v.Reasons = append(d.v.Reasons, fmt.Sprintf("the data fits the latest snapshot (%s)", src.Snapshots[last].AsOf))
	return verdict.New
}

func popcount(x uint64) int { return bits.OnesCount64(x) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
