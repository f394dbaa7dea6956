package index

import (
	"fmt"
	"math"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A query of one word (besides filters) is the commonest an analyst types
// ("socso", "database records:>1m"), and for a common word the slowest:
// bleve's searchers made a match object for each of the word's postings
// in title and body, 100 ns each, and a filter then dropped most of them
// ("database" is in 721k of 1M postings). searchTerm walks the two
// postings lists itself, side by side in document order, and scores each
// posting exactly as bleve scores translate's query for the word, a
// disjunction of a term query on the title (boosted) and one on the body:
//
//	idf(f)      = 1 + ln(docs / (postings of the word in f + 1))
//	queryNorm   = 1 / sqrt(Σ_f (boost(f) · idf(f))²)
//	score(f)    = sqrt(freq) · norm · idf(f) · (boost(f) · idf(f) · queryNorm)
//	score       = (score(title) + score(body)) · fields matched / 2
//
// over the shard's live documents. A phrase of two words indexed as a pair
// ("juta rekod") is one term of the pair fields and is searched the same
// way. TestCollectorSameAsBleve holds both to bleve's scores, order and
// ties included; a bleve upgrade that scores otherwise fails it.

// termFields are the two fields translate searches one term in, title
// first (boosted by titleBoost), then body.
type termFields [2]string

var (
	wordFields = termFields{"title", "body"}
	pairFields = termFields{titlePairs, bodyPairs}
)

// fieldBoost is the boost of the field at that place in a termFields.
var fieldBoost = [2]float64{titleBoost, 1}

// singleTerm returns the one term, and the fields, that translate turns
// q into a title-or-body search of: a word (not a phrase) that analyses
// to exactly one word, or a phrase of two words indexed as a pair
// (pairs.go), which translate searches as that one term.
func singleTerm(q Query) (string, termFields, bool) {
	if w, ok := singleWord(q); ok {
		return w, wordFields, true
	}
	t, ok := q.(Text)
	if !ok || !t.Phrase {
		return "", termFields{}, false
	}
	ws := phraseWords()(t.Value)
	if ps := phrasePairs(ws); len(ws) == 2 && len(ps) == 1 {
		return ps[0], pairFields, true
	}
	return "", termFields{}, false
}

// singleWord returns the one analysed word of q when q is a word (not a
// phrase) that analyses to exactly one.
func singleWord(q Query) (string, bool) {
	t, ok := q.(Text)
	if !ok || t.Phrase {
		return "", false
	}
	ws := phraseWords()(t.Value)
	if len(ws) != 1 {
		return "", false
	}
	return ws[0], true
}

// searchTerm gives col every posting of one shard holding term in either
// of fields, scored as bleve would.
func searchTerm(idx bleve.Index, cache *colCache, term string, fields termFields, col *collector) error {
	return withSnapshot(idx, cache, func(snap *scorch.IndexSnapshot, cols *snapCols) error {
		return scoreTerm(snap, cols, term, fields, col)
	})
}

func scoreTerm(snap *scorch.IndexSnapshot, cols *snapCols, word string, fields termFields, col *collector) error {
	if err := col.start(cols); err != nil {
		return err
	}
	docs, err := snap.DocCount()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	term := []byte(word)
	// The postings of the word per segment and field, without deleted
	// documents, and the word's count per field for its idf.
	lists := make([][2]segment.PostingsList, len(cols.snaps))
	var counts [2]uint64
	for s, ss := range cols.snaps {
		for f, field := range fields {
			dict, err := ss.Segment().Dictionary(field)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			if dict == nil {
				continue
			}
			pl, err := dict.PostingsList(term, ss.Deleted(), nil)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			lists[s][f] = pl
			counts[f] += pl.Count()
		}
	}
	var idf, weight [2]float64
	sumSquares := 0.0
	for f, boost := range fieldBoost {
		idf[f] = 1.0 + math.Log(float64(docs)/float64(counts[f]+1.0))
		w := boost * idf[f]
		sumSquares += w * w
	}
	queryNorm := 1.0 / math.Sqrt(sumSquares)
	for f, boost := range fieldBoost {
		weight[f] = boost * idf[f] * queryNorm
	}
	score := func(f int, p segment.Posting) float64 {
		return math.Sqrt(float64(p.Frequency())) * p.Norm() * idf[f] * weight[f]
	}

	for s := range cols.snaps {
		var its [2]segment.PostingsIterator
		var cur [2]segment.Posting
		for f := range fields {
			if lists[s][f] != nil {
				its[f] = lists[s][f].Iterator(true, true, false, nil)
				if cur[f], err = its[f].Next(); err != nil {
					return fmt.Errorf("search: %w", err)
				}
			}
		}
		var match bitset // the filter's documents; nil: all
		if col.match != nil {
			match = col.match[s]
		}
		for cur[0] != nil || cur[1] != nil {
			// The lowest document either list is at, and its score.
			var d uint64 = math.MaxUint64
			for f := range cur {
				if cur[f] != nil {
					d = min(d, cur[f].Number())
				}
			}
			if match != nil && !match.has(uint32(d)) {
				// Skip to the filter's next document: zap advances
				// through the postings in between without handing out
				// each (a third of the cost, measured, for a filter
				// passing 1 in 5).
				next, ok := match.next(uint32(d) + 1)
				if !ok {
					break
				}
				for f := range cur {
					if cur[f] != nil && cur[f].Number() < uint64(next) {
						if cur[f], err = its[f].Advance(uint64(next)); err != nil {
							return fmt.Errorf("search: %w", err)
						}
					}
				}
				continue
			}
			sum, matched := 0.0, 0
			for f := range cur {
				if cur[f] != nil && cur[f].Number() == d {
					sum += score(f, cur[f])
					matched++
					if cur[f], err = its[f].Next(); err != nil {
						return fmt.Errorf("search: %w", err)
					}
				}
			}
			col.add(s, uint32(d), sum*(float64(matched)/float64(len(fields))))
		}
	}
	return nil
}
