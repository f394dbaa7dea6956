package intake

import (
	"context"
	"errors"
	"hash/maphash"
	"io"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/semak/semak/matcher/normalize"
	"github.com/semak/semak/matcher/record"
)

// Reading a part runs as a pipeline, because normalising costs several times
// what parsing does and a sample should use every core:
//
//	producer (one goroutine: the format reader, column lookup)
//	  ─▶ batches of rows ─▶ workers (normalise, Options.Workers of them)
//	  ─▶ collector (in order: counts, unique, preview, yield)
//
// Order is kept by handing each batch to the collector in the order it was
// made and letting the collector wait for the batch to be done. Only the
// collector touches the report and the column counters, so nothing is
// shared between workers but read-only decisions.

// batchRows is how many rows travel together; it bounds what is in flight
// to batchRows × (2 × workers + 2) rows.
const batchRows = 512

// pending is a row on its way through the pipeline.
type pending struct {
	line   int64
	table  string
	values []string
	cols   []*Column
	reject Reason // set by the producer for a row its reader rejected
}

// colCount is what one batch found in one column.
type colCount struct {
	valid, invalid int64
	reasons        map[string]int64
}

type batch struct {
	rows    []pending
	arena   []string        // backs the rows' values: one allocation a batch, not one a row
	recs    []record.Record // usable records, in row order
	hashes  []uint64        // of recs, for the unique count
	rejects []Reason        // per row: "" when usable
	counts  map[*Column]*colCount
	done    chan struct{}
}

// runPipeline feeds the window's rows, then the rest of the reader's rows,
// through normalisation to the collector. fatal is an error the window
// already met; it is returned after the rows before it are counted.
func (rd *reader) runPipeline(ctx context.Context, st *partState, window []kept, rr rowReader, fatal error) error {
	workers := max(rd.opts.Workers, 1)
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers+2)

	// Producer.
	g.Go(func() error {
		defer close(work)
		defer close(order)
		cur := &batch{rows: make([]pending, 0, batchRows), done: make(chan struct{})}
		send := func() error {
			if len(cur.rows) == 0 {
				return nil
			}
			select {
			case order <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case work <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			cur = &batch{rows: make([]pending, 0, batchRows), done: make(chan struct{})}
			return nil
		}
		add := func(r row, rerr error) error {
			p := pending{line: r.line}
			var re *rowError
			if errors.As(rerr, &re) {
				p.line, p.reject = re.line, re.reason
			} else {
				p.table, p.values, p.cols = r.table, r.values, rd.columns(st, r)
			}
			cur.rows = append(cur.rows, p)
			if len(cur.rows) == batchRows {
				return send()
			}
			return nil
		}
		for _, k := range window {
			if err := add(k.r, k.err); err != nil {
				return err
			}
		}
		if fatal != nil {
			if err := send(); err != nil {
				return err
			}
			return positioned(st.file, 0, -1, fatal)
		}
		for {
			r, err := rr.next()
			if errors.Is(err, io.EOF) {
				return send()
			}
			var re *rowError
			if err != nil && !errors.As(err, &re) {
				if serr := send(); serr != nil {
					return serr
				}
				return positioned(st.file, 0, -1, err)
			}
			if err == nil {
				// Readers reuse their values slice; the strings themselves
				// are not reused, so copying the slice is enough.
				if cap(cur.arena)-len(cur.arena) < len(r.values) {
					cur.arena = make([]string, 0, max(batchRows*len(r.values), len(r.values)))
				}
				n := len(cur.arena)
				cur.arena = append(cur.arena, r.values...)
				r.values = cur.arena[n:len(cur.arena):len(cur.arena)]
			}
			if err := add(r, err); err != nil {
				return err
			}
		}
	})

	// Workers.
	for range workers {
		g.Go(func() error {
			for b := range work {
				normaliseBatch(st, rd.seed, b)
				close(b.done)
			}
			return nil
		})
	}

	// Collector, on this goroutine's behalf inside the group.
	g.Go(func() error {
		for b := range order {
			select {
			case <-b.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := rd.collect(st, b); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

// normaliseBatch turns a batch's rows into records. It reads the column
// decisions and writes only to the batch.
func normaliseBatch(st *partState, seed maphash.Seed, b *batch) {
	var hbuf []byte
	b.rejects = make([]Reason, len(b.rows))
	b.recs = make([]record.Record, 0, len(b.rows))
	b.hashes = make([]uint64, 0, len(b.rows))
	b.counts = map[*Column]*colCount{}
	count := func(c *Column) *colCount {
		cc := b.counts[c]
		if cc == nil {
			cc = &colCount{}
			b.counts[c] = cc
		}
		return cc
	}
	for i := range b.rows {
		p := &b.rows[i]
		if p.reject != "" {
			b.rejects[i] = p.reject
			continue
		}
		if st.check && !validUTF8(p.values) {
			b.rejects[i] = ReasonInvalidUTF8
			continue
		}
		rec := record.Record{Part: partName(st.p, p.table), Line: p.line}
		blank, usable := true, false
		for j, v := range p.values {
			if j >= len(p.cols) {
				break
			}
			c := p.cols[j]
			if c.How == HowSkipped {
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			blank = false
			nv, err := st.norm.Field(string(c.Field), v)
			cc := count(c)
			if err != nil {
				cc.invalid++
				if cc.reasons == nil {
					cc.reasons = map[string]int64{}
				}
				var inv *normalize.Invalid
				if errors.As(err, &inv) {
					cc.reasons[inv.Reason]++
				} else {
					cc.reasons["invalid"]++
				}
				continue
			}
			cc.valid++
			if slot := record.Slot(c.Field); slot >= 0 {
				if rec.Values[slot] == "" {
					rec.Values[slot] = nv
					usable = true
				}
				continue
			}
			rec.Attrs = append(rec.Attrs, record.Attr{Name: string(c.Field), Value: nv})
		}
		switch {
		case blank:
			b.rejects[i] = ReasonEmpty
		case !usable:
			b.rejects[i] = ReasonNoUsable
		default:
			var h uint64
			h, hbuf = recordHash(seed, &rec, hbuf)
			b.recs = append(b.recs, rec)
			b.hashes = append(b.hashes, h)
		}
	}
}

// collect counts a finished batch into the report and yields its records,
// in order.
func (rd *reader) collect(st *partState, b *batch) error {
	for c, cc := range b.counts {
		c.Valid += cc.valid
		c.Invalid += cc.invalid
		for r, n := range cc.reasons {
			if c.Reasons == nil {
				c.Reasons = map[string]int64{}
			}
			c.Reasons[r] += n
		}
	}
	next := 0
	for i, reason := range b.rejects {
		rd.rep.Rows++
		st.p.Rows++
		if reason != "" {
			rd.reject(reason, b.rows[i].line)
			continue
		}
		rec := b.recs[next]
		rd.countUnique(b.hashes[next])
		next++
		rd.rep.Usable++
		if rd.nPrev < rd.opts.Preview {
			rd.nPrev++
			rd.rep.Preview = append(rd.rep.Preview, rec)
		}
		if rd.yield != nil {
			if err := rd.yield(rec); err != nil {
				return yieldError{err}
			}
		}
	}
	return nil
}
