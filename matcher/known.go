package matcher

import (
	"context"
	"hash"
	"slices"
	"strings"

	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// Known leaks are earlier leaks' rows, fingerprinted under one service key
// (not a source's key: a leak may be anybody's data). A leak file is a
// fingerprint file whose "anchor" is the whole-row fingerprint — every
// normalised field of the row in the leak's field order, so the earlier
// leak's own typos and stale values identify it — and whose other sections
// are the unbound fingerprints of each field.

// WholeRow is the pseudo field that stands first in a leak file's fields:
// its "anchor" section holds whole-row fingerprints.
const WholeRow = "_row"

// KnownLeak is an earlier leak as the matcher needs it.
type KnownLeak struct {
	Posting string // the posting the rows came from
	Date    string // its date, YYYY-MM-DD
	Org     string // the organisation it claimed, "" if none
	Title   string
	Fields  []string    // the fields whole rows are hashed over, in order
	Set     SnapshotSet // Anchor: whole rows; Unbound(j+1): Fields[j]
}

// LeakCorpus is what the matcher needs of the corpus of known leaks. The
// store's registered leaks meet it today; the leak index (crawled postings
// with their samples, fingerprinted on arrival) will meet it too, and the
// two meet the matcher only in cmd/.
type LeakCorpus interface {
	KnownLeaks(ctx context.Context) ([]KnownLeak, error)
}

// Leaks is a LeakCorpus of a fixed list.
type Leaks []KnownLeak

// KnownLeaks returns the list.
func (l Leaks) KnownLeaks(context.Context) ([]KnownLeak, error) { return l, nil }

// LeakSource is the Source a leak file is built and read as: the whole-row
// pseudo field as anchor, then the leak's fields.
func LeakSource(posting string, fields []string, newMAC func() hash.Hash) Source {
	return Source{ID: "leak/" + posting, Anchor: WholeRow, Fields: append([]string{WholeRow}, fields...), NewMAC: newMAC}
}

// leakRow fills r with a leak row's fingerprints: the whole row as anchor,
// each field unbound.
func leakRow(h *fingerprint.Hasher, valuer *Valuer, src *Source, rec *record.Record, r *fingerprint.Row, vals []string) []string {
	vals = vals[:0]
	for _, f := range src.Fields[1:] {
		vals = append(vals, valuer.Value(rec, f))
	}
	r.Anchor = h.Whole(vals)
	for j, v := range vals {
		if v != "" {
			r.Unbound[j+1] = h.Unbound(src.Fields[j+1], v)
		}
	}
	return vals
}

// identifying fields: a repost that dropped or added a column is still the
// leak's row when it matches on one of these and on every other field it
// shares with the leak (at least three in all). A row of the same person
// with a value the leak does not hold — a phone changed since — is not the
// leak's row: today's data of people an old leak also covered must not
// look like a repost.
var identifyingFields = []string{string(record.IC), string(record.NIK), string(record.Email), string(record.Phone)}

// leakHits says, per record, whether each known leak explains it: the whole
// row is in the leak, or, column sets differing, every shared field is
// (with an identifying one among at least three).
func leakHits(ctx context.Context, leaks []KnownLeak, newMAC func() hash.Hash, recs []record.Record, valuer *Valuer) ([][]bool, error) {
	out := make([][]bool, len(leaks))
	if len(leaks) == 0 || newMAC == nil {
		return out, nil
	}
	h := fingerprint.NewHasher(newMAC)
	unbound := map[string]uint64{} // field + value → fingerprint, shared by all leaks
	var vals []string
	for li, l := range leaks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[li] = make([]bool, len(recs))
		for r := range recs {
			vals = vals[:0]
			for _, f := range l.Fields {
				vals = append(vals, valuer.Value(&recs[r], f))
			}
			if _, ok := l.Set.Anchor(h.Whole(vals)); ok {
				out[li][r] = true
				continue
			}
			ident, agree, disagree := false, 0, 0
			for j, f := range l.Fields {
				if vals[j] == "" {
					continue
				}
				k := f + "\x00" + vals[j]
				fp, ok := unbound[k]
				if !ok {
					fp = h.Unbound(f, vals[j])
					unbound[k] = fp
				}
				if !l.Set.Unbound(j+1, fp) {
					disagree++
					continue
				}
				agree++
				if slices.Contains(identifyingFields, f) {
					ident = true
				}
			}
			out[li][r] = ident && disagree == 0 && agree >= 3
		}
	}
	return out, nil
}

// CanarySet is a set of canary records planted in an extract sent to a
// partner, fingerprinted under its source's key like a snapshot.
type CanarySet struct {
	Source  string // "org/source"
	Partner string
	AsOf    string // the extract's date
	Set     SnapshotSet
}

// canaryHits says, per canary set, which records are its canaries: the
// anchor is one of its records and at least one other field agrees (a
// random MyKad may be a real person's, so the anchor alone is not enough).
func canaryHits(req Request, rules Rules) [][]bool {
	out := make([][]bool, len(req.Canaries))
	for ci, c := range req.Canaries {
		out[ci] = make([]bool, len(req.Records))
		i := slices.IndexFunc(req.Sources, func(s Source) bool { return s.ID == c.Source })
		if i < 0 {
			continue
		}
		src := req.Sources[i]
		src.Snapshots = []Snapshot{{AsOf: c.AsOf, Set: c.Set}}
		h := fingerprint.NewHasher(src.NewMAC)
		valuer := NewValuer(normalize.New(normalize.Options{Now: req.Now}))
		m := attribution(&src)
		anchorBit := fieldMask(src.Fields, []string{src.Anchor})
		for r := range req.Records {
			e := evalRecord(h, valuer, &src, m, &req.Records[r], rules)
			others := e.agree[0] &^ anchorBit
			out[ci][r] = e.hit[0] && (others != 0) && (e.anchored || popcount(others) >= 2)
		}
	}
	return out
}

// leakTitle is a leak's name in a sentence.
func leakTitle(l KnownLeak) string {
	var b strings.Builder
	b.WriteString("posting " + l.Posting)
	if l.Date != "" {
		b.WriteString(" of " + l.Date)
	}
	if l.Title != "" {
		b.WriteString(" (" + l.Title + ")")
	}
	return b.String()
}
