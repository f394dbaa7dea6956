package matcher

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/semak/semak/matcher/fingerprint"
	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// CheckColumns says whether an export whose columns map to fields fits the
// source's schema: the anchor is there, every column is a field of the
// source, and every field of the source is there. The error says which
// and what to do; nothing is loaded when it fails.
func CheckColumns(src Source, fields []string) error {
	var extra, missing []string
	for _, f := range fields {
		if !slices.Contains(src.Fields, f) {
			extra = append(extra, f)
		}
	}
	for _, f := range src.Fields {
		if !slices.Contains(fields, f) {
			missing = append(missing, f)
		}
	}
	switch {
	case !slices.Contains(fields, src.Anchor):
		return fmt.Errorf("the export has no column for %s, the anchor of %s (its columns map to %s): map one with --map COLUMN=%s",
			src.Anchor, src.ID, strings.Join(fields, ", "), src.Anchor)
	case len(extra) > 0:
		return fmt.Errorf("the export has columns for %s, which %s does not hold (its fields: %s): drop them with --map COLUMN=- or map them to a field of the source",
			strings.Join(extra, ", "), src.ID, strings.Join(src.Fields, ", "))
	case len(missing) > 0:
		return fmt.Errorf("the export has no column for %s of %s: map them with --map COLUMN=FIELD",
			strings.Join(missing, ", "), src.ID)
	}
	return nil
}

// LoadRequest is one snapshot load.
type LoadRequest struct {
	Source  Source // schema and key; Snapshots is not used
	AsOf    string // YYYY-MM-DD
	Path    string // where the fingerprint file goes; it must not exist
	Workers int
	Now     time.Time
}

// Loader fingerprints the records of a source's export into a snapshot
// file. Records go in through Add (the intake's yield); HMACs are computed
// by Workers goroutines; one goroutine hands the rows to the Writer in the
// export's order, so the snapshot does not depend on the workers'
// timing (of two rows with the same anchor, the first in the export keeps
// its name filter); the file appears at Path only on Commit.
//
// Order is kept as in the intake's pipeline: each batch goes to the writer
// (order) as well as to a worker (in), and the writer waits for the batch
// to be done. order's capacity bounds the batches in flight, so a slow
// worker holds the others back instead of letting finished batches pile
// up.
type Loader struct {
	req    LoadRequest
	w      *fingerprint.Writer
	g      *errgroup.Group
	ctx    context.Context
	in     chan *recBatch // to the workers
	order  chan *recBatch // to the writer, in the export's order
	free   chan *recBatch // batches the writer is done with, for Add to reuse
	cur    *recBatch
	closed bool
}

const loadBatch = 1024

// recBatch is up to loadBatch records and, once a worker is done with
// it, their fingerprint rows. Batches are reused: a load allocates a few
// of them, not one per 1024 records.
type recBatch struct {
	recs []record.Record
	rows []fingerprint.Row
	done chan struct{} // a worker sends one value when rows are ready
}

// NewLoader starts a load. Call Commit to finish it or Abort to drop it.
func NewLoader(ctx context.Context, req LoadRequest) (*Loader, error) {
	w, err := fingerprint.Create(req.Path, fingerprint.Header{
		Source: req.Source.ID, AsOf: req.AsOf, Anchor: req.Source.Anchor, Fields: req.Source.Fields,
		Created: req.Now.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	workers := max(req.Workers, 1)
	l := &Loader{req: req, w: w, g: g, ctx: gctx,
		in: make(chan *recBatch, workers), order: make(chan *recBatch, 2*workers+2),
		free: make(chan *recBatch, 3*workers+3)}
	for range workers {
		g.Go(l.hash)
	}
	g.Go(l.write)
	return l, nil
}

// write hands the workers' rows to the Writer in batch order.
func (l *Loader) write() error {
	for b := range l.order {
		select {
		case <-b.done:
		case <-l.ctx.Done():
			return l.ctx.Err()
		}
		if err := l.w.AddRows(b.rows); err != nil {
			return err
		}
		select {
		case l.free <- b:
		default:
		}
	}
	return nil
}

// Add takes one record of the export.
func (l *Loader) Add(rec record.Record) error {
	if l.cur == nil {
		select {
		case l.cur = <-l.free:
			l.cur.recs = l.cur.recs[:0]
		default:
			l.cur = &recBatch{recs: make([]record.Record, 0, loadBatch), done: make(chan struct{}, 1)}
		}
	}
	l.cur.recs = append(l.cur.recs, rec)
	if len(l.cur.recs) < loadBatch {
		return nil
	}
	return l.flush()
}

func (l *Loader) flush() error {
	if l.cur == nil || len(l.cur.recs) == 0 {
		return nil
	}
	for _, ch := range []chan *recBatch{l.order, l.in} {
		select {
		case ch <- l.cur:
		case <-l.ctx.Done():
			l.closeIn()
			if err := l.g.Wait(); err != nil {
				return err
			}
			return l.ctx.Err()
		}
	}
	l.cur = nil
	return nil
}

// hash is one worker: it turns batches of records into fingerprint rows.
func (l *Loader) hash() error {
	src := &l.req.Source
	h := fingerprint.NewHasher(src.NewMAC)
	valuer := NewValuer(normalize.New(normalize.Options{Now: l.req.Now}))
	nf := len(src.Fields)
	reps := fingerprint.NewRepeats(h, nf)
	// The record slot of each field that Repeats may cache, -1 for the
	// anchor and for attributes (whose values are normalised on demand,
	// too dear to compute twice).
	slots := make([]int, nf)
	for j, f := range src.Fields {
		slots[j] = record.Slot(record.Field(f))
		if f == src.Anchor {
			slots[j] = -1
		}
	}
	var vals []string
	for b := range l.in {
		if cap(b.rows) < len(b.recs) {
			// Rows for a full batch, their Bound and Unbound in one slab.
			b.rows = make([]fingerprint.Row, loadBatch)
			slab := make([]uint64, 2*nf*loadBatch)
			for i := range b.rows {
				s := slab[2*nf*i : 2*nf*(i+1) : 2*nf*(i+1)]
				b.rows[i].Bound, b.rows[i].Unbound = s[:nf:nf], s[nf:]
			}
		}
		b.rows = b.rows[:len(b.recs)]
		for i := range b.recs {
			r := &b.rows[i]
			r.Anchor, r.Name = fingerprint.None, fingerprint.NameFilter{}
			clear(r.Bound)
			clear(r.Unbound)
			if src.Anchor == WholeRow {
				vals = leakRow(h, valuer, src, &b.recs[i], r, vals)
				continue
			}
			if i+1 < len(b.recs) {
				next := &b.recs[i+1]
				for j, slot := range slots {
					if slot >= 0 {
						reps.Prefetch(j, next.Values[slot])
					}
				}
			}
			fingerprintRow(h, reps, valuer, src, &b.recs[i], r)
		}
		b.done <- struct{}{} // buffered: never blocks
	}
	return nil
}

// Commit writes the last records, waits for the workers and puts the
// snapshot file in place. It returns the file's header (rows, distinct
// counts).
func (l *Loader) Commit() (fingerprint.Header, error) {
	if err := l.flush(); err != nil {
		_ = l.Abort()
		return fingerprint.Header{}, err
	}
	l.closeIn()
	if err := l.g.Wait(); err != nil {
		_ = l.w.Abort()
		return fingerprint.Header{}, err
	}
	if err := l.w.Commit(); err != nil {
		return fingerprint.Header{}, err
	}
	return l.w.Header(), nil
}

// FileSHA256 is the hex SHA-256 of the file a successful Commit wrote.
func (l *Loader) FileSHA256() string { return l.w.FileSHA256() }

// Abort drops the load: no file appears at Path.
func (l *Loader) Abort() error {
	l.closeIn()
	_ = l.g.Wait()
	return l.w.Abort()
}

func (l *Loader) closeIn() {
	if !l.closed {
		l.closed = true
		close(l.in)
		close(l.order)
	}
}

// fingerprintRow fills r (whose Bound and Unbound have one slot per field)
// with the fingerprints of rec under the source's key: the anchor, the name
// filter, and per field the value bound to the anchor and the value alone
// (through reps when it is not nil: the same fingerprints, repeated
// values' from its cache). Evaluation looks values up the same way
// (evalRecord).
func fingerprintRow(h *fingerprint.Hasher, reps *fingerprint.Repeats, valuer *Valuer, src *Source, rec *record.Record, r *fingerprint.Row) {
	av := valuer.Value(rec, src.Anchor)
	if av != "" {
		r.Anchor = h.Anchor(src.Anchor, av)
	}
	for j, f := range src.Fields {
		if f == src.Anchor {
			continue
		}
		val := valuer.Value(rec, f)
		if val == "" {
			continue
		}
		if reps != nil {
			r.Unbound[j] = reps.Unbound(j, f, val)
		} else {
			r.Unbound[j] = h.Unbound(f, val)
		}
		if av == "" {
			continue
		}
		r.Bound[j] = h.Bound(f, av, val)
		if f == string(record.Name) {
			r.Name = h.Name(r.Anchor, val)
		}
	}
}
