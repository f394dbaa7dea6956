package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// commonWords are the words so frequent in leak postings, in English,
// Malay and Indonesian, that a phrase with one of them is slow to find by
// positions: the phrase searcher reads the positions of every posting
// holding all its words. Pairs of neighbouring words of which at least
// one is common are indexed as one term (titlePairs, bodyPairs), as
// Lucene's CommonGrams and Sphinx's bigram_index=first_freq do; a phrase
// of rare words is found quickly by positions, because few postings hold
// all of them. Indexing every pair instead measured 33% slower to index
// at 1M postings for no gain on rare phrases. The list is part of the
// mapping: changing it needs a MappingVersion bump.
var commonWords = wordSet(
	// English
	"a", "an", "and", "are", "as", "at", "by", "for", "from", "full", "i", "in", "is", "it", "of", "on",
	"or", "the", "this", "to", "with", "data", "database", "db", "dump", "leak", "leaked", "leaks",
	"records", "record", "users", "user", "customers", "customer", "million", "thousand", "lines",
	"rows", "sale", "selling", "sell", "free", "fresh", "new", "sample", "price", "contact", "only",
	"accounts", "email", "emails", "phone", "names", "name", "numbers", "number", "details", "personal",
	// Malay and Indonesian
	"dan", "di", "ke", "dari", "yang", "ini", "itu", "untuk", "dengan", "atau", "pada", "dalam", "juga",
	"data", "pangkalan", "rekod", "juta", "ribu", "bocor", "bocoran", "jual", "dijual", "percuma",
	"gratis", "lengkap", "penuh", "sampel", "contoh", "harga", "nama", "nombor", "nomor", "telefon",
	"pengguna", "pelanggan", "baris", "tahun", "semua", "isi", "akaun", "akun",
)

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// pairName is the registered name of the pair token filter.
const pairName = "semak_common_pairs"

func init() {
	err := registry.RegisterTokenFilter(pairName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return pairsOf{}, nil
	})
	if err != nil {
		panic(err) // registered twice: a programming error
	}
}

// pairsOf turns a stream of lower-case words into the pairs of
// neighbouring words of which one is common, "w1 w2", each at the
// position of its first word and spanning both.
type pairsOf struct{}

func (pairsOf) Filter(in analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	for i := 1; i < len(in); i++ {
		a, b := in[i-1], in[i]
		if b.Position != a.Position+1 || !isPair(string(a.Term), string(b.Term)) {
			continue
		}
		term := make([]byte, 0, len(a.Term)+1+len(b.Term))
		term = append(append(append(term, a.Term...), ' '), b.Term...)
		out = append(out, &analysis.Token{Start: a.Start, End: b.End, Term: term, Position: a.Position, Type: analysis.Shingle})
	}
	return out
}

// isPair reports whether neighbouring words a and b are indexed as a pair.
func isPair(a, b string) bool { return commonWords[a] || commonWords[b] }
