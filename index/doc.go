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
// are never indexed at all. Facet fields are keywords for filters; their
// counts come from one more keyword field with doc values, facet_terms,
// which holds every "field:value" of a posting, so that a search with
// facets reads one doc-value field per match instead of nine. Sorting by
// date reads posted_at's doc values; nothing else has them. Title and body
// keep term vectors and are stored, for highlighting. The facet counts of
// the empty query (the facet sidebar) are cached until the next write.
// MappingVersion is stored inside the index; when it differs Open rebuilds
// from the caller's Source, which is the SQL store: the index is a cache
// of it, never the record.
//
// Rebuilds write a new generation beside the live one, batching from one
// goroutine per core into a scorch index opened with unsafe_batch (safe
// only because nobody reads it until it is complete and persisted), and
// switch by renaming CURRENT, then swap the open index under a lock that
// searches hold only while they run ("to avoid Frankenstein corpuses", as
// zoekt puts it). A directory belongs to one process (flock on LOCK) because two
// writers would corrupt it, and a second semak should say so, not hang.
//
// Deep pages use SearchAfter with an opaque cursor instead of From: with
// From, page 500 costs 500 pages of scoring; with SearchAfter every page
// costs the same.
package index
