package index

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/semak/semak/crawler/posting"
)

// MappingVersion is the version of the mapping below. Bump it with every
// change to the mapping or to what toDoc indexes: Open rebuilds an index
// whose stored version differs.
const MappingVersion = 5

const (
	docType      = "posting"
	textAnalyzer = "semak_text"
	// pairAnalyzer indexes neighbouring words of a title or body of which
	// one is common as one term ("juta rekod"), in the fields titlePairs
	// and bodyPairs (pairs.go), so that a phrase is found through the
	// postings of its pairs rather than by reading the positions of every
	// posting of its words: "juta rekod", 119k matches in 1M postings,
	// took 190 ms as a phrase over positions.
	pairAnalyzer = "semak_pairs"
	titlePairs   = "title_pairs"
	bodyPairs    = "body_pairs"
	versionKey   = "semak.mapping_version"

	// facetField holds every facet value of a posting as "field:value",
	// one dictionary from which Search reads every facet of a segment's
	// documents at once (columns.go).
	facetField = "facet_terms"
)

// FacetFields are the keyword fields Search counts and field:value filters
// match, under the names Result.Facets uses.
var FacetFields = []string{"site", "actor", "victim", "sector", "country", "data_class", "verdict", "language", "offer"}

// Case-folded twins of the facet fields whose values keep their case for
// display: actor:kaizen_my and victim:perkeso match "Kaizen_MY", "PERKESO".
var foldedField = map[string]string{"actor": "actor_lc", "victim": "victim_lc"}

func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	// Titles are in English, Malay and Indonesian, often mixed: no stemmer
	// or stop list fits all three, so only tokenise and lower-case.
	if err := im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(pairAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name, pairName},
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = textAnalyzer
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	// Nothing is indexed unless this file says so.
	im.DefaultMapping = bleve.NewDocumentDisabledMapping()

	dm := bleve.NewDocumentStaticMapping()
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = store
		f.IncludeTermVectors = true // highlights
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// No field has doc values: Search reads what it sorts and counts by
	// from the terms dictionaries, once per segment (columns.go), and doc
	// values cost 8% of the indexing rate and of the disk.
	kw := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.DocValues = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		return f
	}
	pairs := func(name string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name = name
		f.Analyzer = pairAnalyzer
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	dm.AddFieldMappingsAt("title", text(true), pairs(titlePairs))
	dm.AddFieldMappingsAt("body", text(true), pairs(bodyPairs))
	// Facet values are indexed only in facetField: a field:value filter
	// that stays with bleve (inside an OR with words) is a term of it,
	// and the rest read its columns. Eleven keyword fields, one per
	// facet and two lower-case twins, cost 12% of the indexing rate.
	dm.AddFieldMappingsAt(facetField, kw(false))
	site := kw(true)
	site.Index = false // stored for the hits; searched as "site:..." in facetField
	dm.AddFieldMappingsAt("site", site)
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.DocValues, date.IncludeInAll = true, false, false
	dm.AddFieldMappingsAt("posted_at", date)
	num := bleve.NewNumericFieldMapping()
	num.Store, num.DocValues, num.IncludeInAll = false, false, false // ranges read the terms
	dm.AddFieldMappingsAt("claimed_records", num)
	// Every field is left out of _all and queries always name a field, so
	// the (empty) composite _all field is not built at all.
	dm.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	im.AddDocumentMapping(docType, dm)
	im.DefaultType = docType
	im.TypeField = "_semak_type" // never present: every document is a posting
	return im, im.Validate()
}

// doc is what bleve indexes of a posting. Samples, contacts and download
// links are left out on purpose: sample rows are personal data and must
// not become searchable in bulk.
type doc map[string]any

func (doc) BleveType() string { return docType }

// FoldVictim is the key of a victim name in Options.Victims: lower case,
// spaces collapsed.
func FoldVictim(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// victimName folds a claimed name onto its organisation's, when known.
func victimName(victims map[string]string, name string) string {
	if v, ok := victims[FoldVictim(name)]; ok {
		return v
	}
	return name
}

func toDoc(p posting.Posting, victims map[string]string) doc {
	d := doc{
		"title": p.Title,
		"body":  p.Body,
		"site":  normalize("site", p.Site),
	}
	// Every facet value as "field:value", and for the fields matched
	// without regard to case also as "field_lc:value" in lower case.
	var ft []string
	add := func(field string, vs ...string) {
		for _, v := range vs {
			if v = normalize(field, v); v != "" {
				ft = append(ft, field+":"+v)
				if lc, ok := foldedField[field]; ok {
					ft = append(ft, lc+":"+normalize(lc, v))
				}
			}
		}
	}
	add("site", p.Site)
	add("actor", p.Author)
	seen := map[string]bool{}
	for _, v := range p.Victims {
		if v = victimName(victims, v); !seen[FoldVictim(v)] {
			seen[FoldVictim(v)] = true
			add("victim", v)
		}
	}
	add("sector", p.Sectors...)
	add("country", p.Countries...)
	add("data_class", p.DataClasses...)
	if p.Verdict != nil {
		add("verdict", p.Verdict.Verdict)
	}
	add("language", p.Language)
	add("offer", string(p.Offer))
	d[facetField] = ft
	if !p.PostedAt.IsZero() {
		d["posted_at"] = p.PostedAt.UTC()
	}
	if p.ClaimedRecords > 0 {
		d["claimed_records"] = float64(p.ClaimedRecords)
	}
	return d
}

// normalize puts a keyword value in the one form the index holds, so that
// a filter typed in any case matches: codes upper-case, victims and actors
// as written (their _lc twins lower-case), the rest lower-case.
func normalize(field, v string) string {
	v = strings.Join(strings.Fields(v), " ")
	switch field {
	case "country", "verdict":
		return strings.ToUpper(v)
	case "victim", "actor":
		return v
	default:
		return strings.ToLower(v)
	}
}
