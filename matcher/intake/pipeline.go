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
// shared between workers but read-only decisions. A batch the collector is
// done with goes back to the producer to be filled again, so a part costs
// a handful of batches' memory, not one allocation of each per 512 rows.

// batchRows is how many rows travel together; it bounds what is in flight
// to batchRows × (2 × workers + 2) rows.
const batchRows = 512

// pending is a row on its way through the pipeline.
type pending struct {
	line   int64
	table  string
	values []string
	cols   *colSet
	reject Reason // set by the producer for a row its reader rejected
	ascii  bool   // the reader saw only ASCII in the row: valid UTF-8
}

// colSet is the column decisions for one list of column names, with what
// normalising a cell needs from each worked out once: shared, read-only, by
// every row that has those names.
type colSet struct {
	cols  []*Column
	field []string // string(Field)
	slot  []int    // record.Slot(Field): the canonical slot, or -1 for an attribute
	skip  []bool   // How == HowSkipped
}

func newColSet(cols []*Column) *colSet {
	cs := &colSet{cols: cols, field: make([]string, len(cols)), slot: make([]int, len(cols)), skip: make([]bool, len(cols))}
	for i, c := range cols {
		cs.field[i] = string(c.Field)
		cs.slot[i] = record.Slot(c.Field)
		cs.skip[i] = c.How == HowSkipped
	}
	return cs
}

// colCount is what one batch found in one column.
type colCount struct {
	valid, invalid int64
	reasons        map[string]int64
}

// setCounts is what one batch found in the columns of one colSet, aligned
// with its cols.
type setCounts struct {
	cs     *colSet
	counts []colCount
}

type batch struct {
	rows    []pending
	arena   []string        // backs the rows' values: one allocation a batch, not one a row
	recs    []record.Record // usable records, in row order
	hashes  []uint64        // of recs, for the unique count
	rejects []Reason        // per row: "" when usable
	counts  []setCounts     // nearly always one
	byCS    map[*colSet]int // index into counts, once a batch has many
	hbuf    []byte          // scratch space for recordHash
	strs    normalize.Strings
	done    chan struct{}
}

// reset empties b for reuse, dropping its references to the last rows'
// values and records so they do not outlive their use. The strings the
// normalisers made stay where they are: the records handed out hold them.
func (b *batch) reset() {
	clear(b.rows)
	b.rows = b.rows[:0]
	clear(b.arena)
	b.arena = b.arena[:0]
	clear(b.recs)
	b.recs = b.recs[:0]
	b.hashes = b.hashes[:0]
	b.rejects = b.rejects[:0]
	clear(b.counts)
	b.counts = b.counts[:0]
	b.byCS = nil
	b.done = make(chan struct{})
}

// countsFor returns the batch's counters for the columns of cs.
func (b *batch) countsFor(cs *colSet) []colCount {
	if b.byCS != nil {
		if i, ok := b.byCS[cs]; ok {
			return b.counts[i].counts
		}
	} else {
		for i := range b.counts {
			if b.counts[i].cs == cs {
				return b.counts[i].counts
			}
		}
	}
	b.counts = append(b.counts, setCounts{cs: cs, counts: make([]colCount, len(cs.cols))})
	if len(b.counts) > 8 {
		if b.byCS == nil {
			b.byCS = make(map[*colSet]int, len(b.counts))
			for i := range b.counts {
				b.byCS[b.counts[i].cs] = i
			}
		} else {
			b.byCS[cs] = len(b.counts) - 1
		}
	}
	return b.counts[len(b.counts)-1].counts
}

// runPipeline feeds the window's rows, then the rest of the reader's rows,
// through normalisation to the collector. fatal is an error the window
// already met; it is returned after the rows before it are counted.
func (rd *reader) runPipeline(ctx context.Context, st *partState, window []kept, rr rowReader, fatal error) error {
	workers := max(rd.opts.Workers, 1)
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers+2)
	// free holds batches the collector is done with. It can hold every
	// batch that can exist at once, so putting one back never blocks.
	free := make(chan *batch, 3*workers+4)
	newBatch := func() *batch {
		select {
		case b := <-free:
			return b
		default:
			return &batch{rows: make([]pending, 0, batchRows), done: make(chan struct{})}
		}
	}

	// Producer.
	g.Go(func() error {
		defer close(work)
		defer close(order)
		cur := newBatch()
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
			cur = newBatch()
			return nil
		}
		add := func(r row, rerr error) error {
			p := pending{line: r.line}
			if re := asRowError(rerr); re != nil {
				p.line, p.reject = re.line, re.reason
			} else {
				p.table, p.values, p.cols, p.ascii = r.table, r.values, rd.columns(st, r), r.ascii
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
			if err != nil {
				if errors.Is(err, io.EOF) {
					return send()
				}
				if asRowError(err) == nil {
					if serr := send(); serr != nil {
						return serr
					}
					return positioned(st.file, 0, -1, err)
				}
			} else {
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
				normaliseBatch(st, rd.seed, rd.opts.NoUnique, b)
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
			b.reset()
			select {
			case free <- b:
			default:
			}
		}
		return nil
	})
	return g.Wait()
}

// asRowError returns err as a *rowError, or nil. A nil err costs nothing
// (errors.As needs its target on the heap, which the caller would pay for
// on every row).
func asRowError(err error) *rowError {
	if err == nil {
		return nil
	}
	var re *rowError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// normaliseBatch turns a batch's rows into records. It reads the column
// decisions and writes only to the batch.
func normaliseBatch(st *partState, seed maphash.Seed, noUnique bool, b *batch) {
	n := len(b.rows)
	if cap(b.rejects) < n {
		b.rejects = make([]Reason, n)
	}
	b.rejects = b.rejects[:n]
	clear(b.rejects)
	if cap(b.recs) < n {
		b.recs = make([]record.Record, 0, n)
	}
	if cap(b.hashes) < n {
		b.hashes = make([]uint64, 0, n)
	}
	var cs *colSet
	var counts []colCount
	for i := range b.rows {
		p := &b.rows[i]
		if p.reject != "" {
			b.rejects[i] = p.reject
			continue
		}
		if st.check && !p.ascii && !validUTF8(p.values) {
			b.rejects[i] = ReasonInvalidUTF8
			continue
		}
		if p.cols != cs && p.cols != nil {
			cs = p.cols
			counts = b.countsFor(cs)
		}
		b.recs = append(b.recs, record.Record{Part: partName(st.p, p.table), Line: p.line})
		rec := &b.recs[len(b.recs)-1]
		blank, usable := true, false
		ncols := 0
		if p.cols != nil {
			ncols = len(p.cols.cols)
		}
		for j, v := range p.values {
			if j >= ncols {
				break
			}
			if cs.skip[j] {
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			blank = false
			nv, err := st.norm.FieldIn(&b.strs, cs.field[j], v)
			cc := &counts[j]
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
			if slot := cs.slot[j]; slot >= 0 {
				if rec.Values[slot] == "" {
					rec.Values[slot] = nv
					usable = true
				}
				continue
			}
			rec.Attrs = append(rec.Attrs, record.Attr{Name: cs.field[j], Value: nv})
		}
		switch {
		case blank:
			b.rejects[i] = ReasonEmpty
		case !usable:
			b.rejects[i] = ReasonNoUsable
		default:
			var h uint64
			if !noUnique {
				h, b.hbuf = recordHash(seed, rec, b.hbuf)
			}
			b.hashes = append(b.hashes, h)
			continue
		}
		b.recs[len(b.recs)-1] = record.Record{}
		b.recs = b.recs[:len(b.recs)-1]
	}
}

// collect counts a finished batch into the report and yields its records,
// in order.
func (rd *reader) collect(st *partState, b *batch) error {
	for _, sc := range b.counts {
		for j, c := range sc.cs.cols {
			cc := &sc.counts[j]
			c.Valid += cc.valid
			c.Invalid += cc.invalid
			for r, n := range cc.reasons {
				if c.Reasons == nil {
					c.Reasons = map[string]int64{}
				}
				c.Reasons[r] += n
			}
		}
	}
	if !rd.opts.NoUnique {
		rd.seen.touch(b.hashes)
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
