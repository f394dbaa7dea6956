package index

import (
	"math"
	"slices"
	"strconv"
)

// Filters — field:value, posted:, records: and their AND, OR and NOT —
// decide whether a posting matches but not how well, so Search does not
// hand them to bleve: it tests them against the segment columns of each
// match of the rest of the query, or of every posting when nothing else
// is left. A filter through bleve cost a searcher per clause, and a range
// a disjunction over every indexed precision of every value in it
// (records:>1m alone read 425k postings through 16 terms' lists). As in
// Lucene's filter clauses, a filter does not add to the score: ranking
// is by the words.

// A common word (commonWords) beside rarer words is a filter too: it must
// match but does not rank. Through bleve, every match of the rarer words
// advanced the common word's searchers, which read the frequency of each
// posting on the way: "data", in half of all postings, made most of "jual
// data bpjs"'s 70 ms. As a filter it is a set of documents per segment,
// read once from the postings and kept (segCols.word). Being common, its
// weight in the score was small anyway. A query of common words only
// still ranks by them.

// filter is a compiled filter: given a segment's columns, it returns the
// set of the segment's documents that pass. Words run through bleve's
// searchers document by document; filters run a column at a time, so a
// range is a loop over an array and AND, OR and NOT are loops over words
// of 64 documents.
type filter func(s *segCols) (bitset, error)

// word is a common word as a filter: in the title or the body.
type word struct{ Value string }

func (word) isQuery()         {}
func (w word) String() string { return "(common " + strconv.Quote(w.Value) + ")" }

// splitFilters splits q into the part bleve must search (All when none)
// and the filter the matches must pass (nil when none). Only a filter at
// the top, or a whole part of a top-level AND, is split off: a filter
// inside an OR with words stays with bleve, which then scores it as
// before.
func splitFilters(q Query) (rest, filters Query) {
	if isFilter(q) {
		return All{}, q
	}
	and, ok := q.(And)
	if !ok {
		return q, nil
	}
	var words, fs, common And
	var commonFilters []Query
	for _, part := range and {
		if isFilter(part) {
			fs = append(fs, part)
		} else if w, ok := commonWord(part); ok {
			common = append(common, part)
			commonFilters = append(commonFilters, word{w})
		} else {
			words = append(words, part)
		}
	}
	positive := false // a word or phrase that ranks, not only a NOT
	for _, w := range words {
		if _, not := w.(Not); !not {
			positive = true
		}
	}
	if positive {
		fs = append(fs, commonFilters...)
	} else {
		words = append(words, common...) // nothing rarer to rank by
	}
	rest = words
	if len(words) == 1 {
		rest = words[0]
	}
	switch len(fs) {
	case 0:
		return rest, nil
	case 1:
		return rest, fs[0]
	}
	return rest, fs
}

// isFilter reports whether q has no words: only fields, dates and counts.
func isFilter(q Query) bool {
	switch q := q.(type) {
	case Field, Posted, Records, word:
		return true
	case Not:
		return isFilter(q.Q)
	case And:
		return allFilters(q)
	case Or:
		return allFilters(q)
	}
	return false
}

func allFilters(qs []Query) bool {
	for _, p := range qs {
		if !isFilter(p) {
			return false
		}
	}
	return len(qs) > 0
}

// compileFilter compiles a query of filters only (isFilter); nil is no
// filter.
func compileFilter(q Query, victims map[string]string) filter {
	if q == nil {
		return nil
	}
	switch q := q.(type) {
	case word:
		return func(s *segCols) (bitset, error) {
			b, err := s.word(q.Value)
			return slices.Clone(b), err
		}
	case Field:
		return fieldFilter(q, victims)
	case Posted:
		lo, hi := int64(math.MinInt64+1), int64(math.MaxInt64)
		if !q.From.IsZero() {
			lo = q.From.UnixNano()
		}
		if !q.To.IsZero() {
			hi = q.To.UnixNano()
		}
		// noValue (no date) is below lo.
		return func(s *segCols) (bitset, error) { return between(s.posted, lo, hi), nil }
	case Records:
		lo, hi := int64(math.MinInt64+1), int64(math.MaxInt64)
		// Counts are below 2^53 (float64 in the index), so the bounds
		// move by one without overflow; larger ones are clamped.
		if q.Min != nil {
			lo = max(min(*q.Min, math.MaxInt64-1), math.MinInt64+1)
			if !q.MinInclusive {
				lo++
			}
		}
		if q.Max != nil {
			hi = max(min(*q.Max, math.MaxInt64-1), math.MinInt64+1)
			if q.MaxInclusive {
				hi++
			}
		}
		return func(s *segCols) (bitset, error) { return between(s.records, lo, hi), nil }
	case Not:
		inner := compileFilter(q.Q, victims)
		return func(s *segCols) (bitset, error) {
			b, err := inner(s)
			if err != nil {
				return nil, err
			}
			b.not(len(s.posted))
			return b, nil
		}
	case And:
		return combine(compileFilters(q, victims), bitset.and)
	case Or:
		return combine(compileFilters(q, victims), bitset.or)
	}
	panic("index: compileFilter of a query with words")
}

// combine is the filter that joins the sets of fs with op (AND or OR).
func combine(fs []filter, op func(b, o bitset)) filter {
	return func(s *segCols) (bitset, error) {
		b, err := fs[0](s)
		for _, f := range fs[1:] {
			if err != nil {
				return nil, err
			}
			var o bitset
			if o, err = f(s); err == nil {
				op(b, o)
			}
		}
		return b, err
	}
}

func compileFilters(qs []Query, victims map[string]string) []filter {
	fs := make([]filter, len(qs))
	for i, q := range qs {
		fs[i] = compileFilter(q, victims)
	}
	return fs
}

// between returns the documents whose value v has lo ≤ v < hi. It is
// one unsigned comparison a value and no branch (lo ≤ v < hi is
// uint64(v-lo) < uint64(hi-lo) in two's complement), a word of 64 bits at a
// time: a date range passing about half the postings mispredicted every
// other branch, a tenth of a broad filtered search at 1M postings.
func between(vals []int64, lo, hi int64) bitset {
	b := newBitset(len(vals))
	if hi <= lo {
		return b
	}
	width := uint64(hi - lo)
	for w := range b {
		vs := vals[64*w : min(64*w+64, len(vals))]
		var x uint64
		for i, v := range vs {
			var in uint64
			if uint64(v-lo) < width {
				in = 1
			}
			x |= in << i
		}
		b[w] = x
	}
	return b
}

// fieldTerm is the term of facetField that q matches: "field:value" as
// toDoc normalised it, or for the fields matched without regard to case
// (actor, victim) its lower-case twin.
func fieldTerm(q Field, victims map[string]string) string {
	if q.Field == "victim" {
		q.Value = victimName(victims, q.Value)
	}
	if lc, ok := foldedField[q.Field]; ok {
		return lc + ":" + normalize(lc, q.Value)
	}
	return q.Field + ":" + normalize(q.Field, q.Value)
}

// fieldFilter matches the postings holding q's facet term.
func fieldFilter(q Field, victims map[string]string) filter {
	want := fieldTerm(q, victims)
	return func(s *segCols) (bitset, error) {
		b := newBitset(len(s.posted))
		if o, ok := s.term(want); ok {
			for _, d := range s.termDocs(o) {
				b.set(d)
			}
		}
		return b, nil
	}
}

// commonWord returns the word of q when q is a single word of commonWords.
func commonWord(q Query) (string, bool) {
	w, ok := singleWord(q)
	return w, ok && commonWords[w]
}

// term returns the ordinal of a facet term in the segment.
func (c *segCols) term(t string) (int, bool) { return slices.BinarySearch(c.dict, t) }
