package index

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Words and phrases, alone or in an OR, are the commonest queries an
// analyst types ("socso", "database records:>1m", `perkeso OR socso OR
// "pertubuhan keselamatan sosial"`), and bleve's searchers were slow at
// them: a match object for each posting of each term, 100 ns each, a
// filter then dropping most of them ("database" is in 721k of 1M
// postings), and a phrase's term positions copied into maps for every
// document holding its words (3 µs a match). searchPlan walks the
// postings lists itself, document by document, skipping to the filter's
// documents, and scores each match exactly as bleve scores the query
// translate makes, a tree of:
//
//   - a word: a disjunction of a term query on the title (boosted) and
//     one on the body; a two-word phrase indexed as a pair (pairs.go) is
//     one term of the pair fields and is searched the same way;
//   - a phrase of rarer words: a disjunction of two phrase queries, each
//     a conjunction of the words' terms in one field at neighbouring
//     positions;
//   - an OR of up to disjunctionMax of these.
//
// With bleve's TF-IDF, over the shard's live documents:
//
//	idf(t)      = 1 + ln(docs / (postings of t + 1))
//	queryNorm   = 1 / sqrt(Σ_t (boost(t) · idf(t))²)
//	score(t)    = sqrt(freq) · norm · idf(t) · (boost(t) · idf(t) · queryNorm)
//	phrase      = Σ score(t) of its terms
//	disjunction = Σ score of the matching parts · matching parts / parts
//
// Sums run over a node's parts in bleve's order, by ascending count of
// postings (sorted as bleve sorts them), so that the floating-point result is bleve's
// to the bit. TestCollectorSameAsBleve holds every shape to bleve's scores,
// order and ties included; a bleve upgrade that scores otherwise fails it.
// Everything else (AND of words, a phrase of three words with a common
// one, words with hyphens) goes to bleve.

// disjunctionMax is the most parts an OR may have for searchPlan: above
// it (DisjunctionHeapTakeover) bleve sums a match's parts in heap order.
const disjunctionMax = 10

type nodeKind uint8

const (
	termNode   nodeKind = iota // one term of one field
	orNode                     // a disjunction of its parts
	phraseNode                 // terms of one field at neighbouring positions
)

// done is the document of a node with no more matches.
const done = math.MaxUint64

// A node is one searcher of the tree: its query, then its state during
// the walk of one segment.
type node struct {
	kind  nodeKind
	field string  // termNode
	term  []byte  // termNode
	boost float64 // termNode
	locs  bool    // termNode inside a phrase: read positions
	kids  []*node // orNode, phraseNode: in the query's order
	order []*node // kids in bleve's order: by count, ascending, as sort.Sort leaves them

	count  uint64                 // postings (termNode), Σ of the kids' (others), as bleve's Count
	lists  []segment.PostingsList // termNode: per segment
	idf    float64                // termNode
	weight float64                // termNode: boost · idf · queryNorm

	it  segment.PostingsIterator
	cur segment.Posting
	doc uint64 // the current document, or done
}

var (
	wordFields = [2]string{"title", "body"}
	pairFields = [2]string{titlePairs, bodyPairs}
)

// fieldBoost is the boost of the field at that place in wordFields and
// pairFields.
var fieldBoost = [2]float64{titleBoost, 1}

// planOf returns the tree of q's searchers when searchPlan can run it,
// false when bleve must. Each search needs its own: nodes hold the walk's
// state.
func planOf(q Query) (*node, bool) {
	switch q := q.(type) {
	case word:
		return planOf(Text{Value: q.Value})
	case Text:
		ws := phraseWords()(q.Value)
		var pairs []string
		if q.Phrase {
			pairs = phrasePairs(ws)
		}
		either := func(part func(f int) *node) *node {
			return &node{kind: orNode, kids: []*node{part(0), part(1)}}
		}
		switch {
		case len(ws) == 1: // translate's match query of one term
			return either(func(f int) *node {
				return &node{kind: termNode, field: wordFields[f], term: []byte(ws[0]), boost: fieldBoost[f]}
			}), true
		case q.Phrase && len(ws) == 2 && len(pairs) == 1:
			return either(func(f int) *node {
				return &node{kind: termNode, field: pairFields[f], term: []byte(pairs[0]), boost: fieldBoost[f]}
			}), true
		case q.Phrase && len(ws) > 1 && len(pairs) == 0:
			return either(func(f int) *node {
				p := &node{kind: phraseNode}
				for _, w := range ws {
					p.kids = append(p.kids, &node{kind: termNode, field: wordFields[f], term: []byte(w), boost: fieldBoost[f], locs: true})
				}
				return p
			}), true
		}
	case Or:
		if len(q) > disjunctionMax {
			return nil, false
		}
		n := &node{kind: orNode}
		for _, part := range q {
			k, ok := planOf(part)
			if !ok {
				return nil, false
			}
			n.kids = append(n.kids, k)
		}
		return n, true
	}
	return nil, false
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

// searchPlan gives col every match of plan in one shard, scored as bleve
// would.
func searchPlan(idx bleve.Index, cache *colCache, plan *node, col *collector) error {
	return withSnapshot(idx, cache, func(snap *scorch.IndexSnapshot, cols *snapCols) error {
		return walkPlan(snap, cols, plan, col)
	})
}

func walkPlan(snap *scorch.IndexSnapshot, cols *snapCols, root *node, col *collector) error {
	if err := col.start(cols); err != nil {
		return err
	}
	docs, err := snap.DocCount()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := root.open(cols.snaps, docs); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	root.norm(1 / math.Sqrt(root.sumOfSquares()))

	for s := range cols.snaps {
		if err := root.start(s); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		var match bitset // the filter's documents; nil: all
		if col.match != nil {
			match = col.match[s]
		}
		var target uint64
		for {
			if err := root.advance(target); err != nil {
				return fmt.Errorf("search: %w", err)
			}
			d := root.doc
			if d == done {
				break
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
				target = uint64(next)
				continue
			}
			col.add(s, uint32(d), root.score())
			target = d + 1
		}
	}
	return nil
}

// open finds the postings of every term, per segment, without deleted
// documents, counts them, and sets the term's idf over the shard's docs.
func (n *node) open(snaps []*scorch.SegmentSnapshot, docs uint64) error {
	if n.kind != termNode {
		n.count = 0
		for _, k := range n.kids {
			if err := k.open(snaps, docs); err != nil {
				return err
			}
			n.count += k.count
		}
		// bleve's own order: sort.Sort by count from the query's order,
		// which is stable only up to 12 parts (insertion sort); a phrase
		// of 13 words or more would otherwise sum its terms in another
		// order than bleve's, and a score could differ in its last bit.
		n.order = slices.Clone(n.kids)
		sort.Sort(byCount(n.order))
		return nil
	}
	n.lists = make([]segment.PostingsList, len(snaps))
	for s, ss := range snaps {
		dict, err := ss.Segment().Dictionary(n.field)
		if err != nil {
			return err
		}
		if dict == nil {
			continue
		}
		pl, err := dict.PostingsList(n.term, ss.Deleted(), nil)
		if err != nil {
			return err
		}
		n.lists[s] = pl
		n.count += pl.Count()
	}
	n.idf = 1.0 + math.Log(float64(docs)/float64(n.count+1.0))
	return nil
}

// byCount orders nodes as bleve's OrderedSearcherList does.
type byCount []*node

func (o byCount) Len() int           { return len(o) }
func (o byCount) Less(i, j int) bool { return o[i].count < o[j].count }
func (o byCount) Swap(i, j int)      { o[i], o[j] = o[j], o[i] }

// sumOfSquares is bleve's Weight: (boost · idf)² of a term, the sum of
// the parts' in order for the others.
func (n *node) sumOfSquares() float64 {
	if n.kind == termNode {
		w := n.boost * n.idf
		return w * w
	}
	var sum float64
	for _, k := range n.order {
		sum += k.sumOfSquares()
	}
	return sum
}

// norm hands the root's query norm down to every term, as bleve's
// SetQueryNorm does.
func (n *node) norm(queryNorm float64) {
	if n.kind == termNode {
		n.weight = n.boost * n.idf * queryNorm
		return
	}
	for _, k := range n.kids {
		k.norm(queryNorm)
	}
}

// start puts every node before the first document of segment s.
func (n *node) start(s int) error {
	if n.kind != termNode {
		n.doc = done
		for _, k := range n.kids {
			if err := k.start(s); err != nil {
				return err
			}
			n.doc = min(n.doc, k.doc)
		}
		if n.kind == phraseNode {
			// The first document holding the phrase.
			return n.advance(0)
		}
		return nil
	}
	n.it, n.cur = nil, nil
	if n.lists[s] == nil {
		n.doc = done
		return nil
	}
	n.it = n.lists[s].Iterator(true, true, n.locs, nil)
	return n.next()
}

func (n *node) next() error {
	var err error
	if n.cur, err = n.it.Next(); err != nil {
		return err
	}
	n.set()
	return nil
}

func (n *node) set() {
	if n.cur == nil {
		n.doc = done
	} else {
		n.doc = n.cur.Number()
	}
}

// advance moves n to its first match at or after document target.
func (n *node) advance(target uint64) error {
	switch n.kind {
	case termNode:
		if n.doc >= target || n.cur == nil {
			return nil
		}
		var err error
		if n.cur, err = n.it.Advance(target); err != nil {
			return err
		}
		n.set()
	case orNode:
		d := uint64(done)
		for _, k := range n.kids {
			if k.doc < target {
				if err := k.advance(target); err != nil {
					return err
				}
			}
			d = min(d, k.doc)
		}
		n.doc = d
	case phraseNode:
		// The words' documents in common, rarest word first, until the
		// positions make the phrase.
		t := target
		for {
			agreed := true
			for _, k := range n.order {
				if err := k.advance(t); err != nil {
					return err
				}
				if k.doc == done {
					n.doc = done
					return nil
				}
				if k.doc > t {
					t, agreed = k.doc, false
					break
				}
			}
			if agreed {
				if n.adjacent() {
					n.doc = t
					return nil
				}
				t++
			}
		}
	}
	return nil
}

// adjacent reports whether the phrase's terms, all at the same document,
// stand at neighbouring positions in the query's order somewhere in it.
func (n *node) adjacent() bool {
	first := n.kids[0].cur.Locations()
	for _, l := range first {
		pos, ok := l.Pos(), true
		for i, k := range n.kids[1:] {
			if !hasPos(k.cur.Locations(), pos+uint64(i)+1) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func hasPos(locs []segment.Location, pos uint64) bool {
	for _, l := range locs {
		if l.Pos() == pos {
			return true
		}
	}
	return false
}

// score is bleve's score of n at its current document.
func (n *node) score() float64 {
	switch n.kind {
	case termNode:
		return math.Sqrt(float64(n.cur.Frequency())) * n.cur.Norm() * n.idf * n.weight
	case phraseNode:
		var sum float64
		for _, k := range n.order {
			sum += k.score()
		}
		return sum
	}
	sum, matched := 0.0, 0
	for _, k := range n.order {
		if k.doc == n.doc {
			sum += k.score()
			matched++
		}
	}
	return sum * (float64(matched) / float64(len(n.kids)))
}
