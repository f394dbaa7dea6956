// Package index lets analysts search every leak posting ever collected. It
// is the only package that sees bleve's types: the web layer and the CLI
// talk to it in postings, our own Query tree and plain result structs, so
// bleve can be upgraded or replaced here alone.
//
// Queries are never bleve's. bleve's HTTP handlers were removed after a
// CVE, and its query-string and JSON query languages reach far more of the
// engine than an analyst needs (regexps, fuzzy terms, arbitrary fields), so
// user text goes through Parse into a small tree that translate alone turns
// into bleve queries, with bounds on length, depth and term count.
//
// The mapping is explicit and the default mapping disabled, so a new field
// of posting.Posting is not indexed by accident; sample rows and contacts
// are never indexed at all. Facet fields are keywords; every facet value
// of a posting is also held as "field:value" in one more keyword field,
// facet_terms. Title and body keep term vectors and are stored, for
// highlighting; their pairs of neighbouring words of which one is common
// are indexed in two more fields so that phrases are found without
// reading positions (pairs.go). MappingVersion is stored inside the index;
// when it differs Open rebuilds from the caller's Source, which is the
// SQL store: the index is a cache of it, never the record.
//
// How a search runs (search.go, filter.go, collect.go, columns.go):
//
//   - The query is split: filters (field:value, posted:, records:, their
//     AND/OR/NOT, and common words beside rarer ones) are not searched by
//     bleve but tested against per-segment columns as bitsets; the words
//     and phrases left are translated into a bleve query. A query of
//     filters alone never touches bleve's searchers.
//   - Each shard of the generation (shards.go) is searched on its own
//     goroutine. Words and phrases, alone or in an OR (the commonest
//     queries), are scored by walking their title and body postings
//     directly, positions too for a phrase, exactly as bleve would score
//     them, skipping to the filter's documents (wordsearch.go). Otherwise
//     bleve finds and scores the matches; a collector of ours takes them
//     through bleve's document-match-handler hook. Either way the
//     collector keeps the page (score or date, then id), the total and
//     the facet counts, all
//     read from the columns: facet terms numbered index-wide, dates,
//     claimed counts and ids, read once per segment from its terms
//     dictionaries and kept on disk beside it.
//   - The shards' collectors are merged, and a second, small search per
//     shard for the page's ids alone returns the stored fields and, for
//     words, the highlights.
//
// At 1M postings on 2 cores that took the query mix of index_bench_test.go
// from p50 288 ms / p95 909 ms (bleve's own collector reading doc values
// per match) to p50 11-14 ms / p95 47-54 ms, for about 240 MB of heap,
// and walking phrases and ORs ourselves to p50 11 ms / p95 29-34 ms
// (`perkeso OR socso OR "pertubuhan keselamatan sosial"` 30-48 → 13-16 ms).
// TestCollectorSameAsBleve checks that the answers are bleve's own, hit
// for hit and score for score.
//
// Rebuilds write a new generation beside the live one, batching from one
// goroutine per core into scorch shards opened with unsafe_batch (safe
// only because nobody reads it until it is complete and persisted), and
// switch by renaming CURRENT, then swap the open shards under a lock that
// searches hold only while they run ("to avoid Frankenstein corpuses", as
// zoekt puts it). A directory belongs to one process (flock on LOCK) because two
// writers would corrupt it, and a second semak should say so, not hang.
//
// Deep pages use an opaque cursor, the last hit's place in the order,
// instead of an offset: with an offset, page 500 costs 500 pages of
// sorting; with the cursor every page costs the same.
package index
