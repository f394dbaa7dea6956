// Package posting is the vocabulary the crawler, importers and the leak
// index agree on: one leak posting, its JSON form and NDJSON streams of it.
//
// It imports nothing of this module so that every stage can depend on it
// without dragging in another stage's dependencies (colly, bleve, SQL).
//
// The JSON keys id, site, url, title, body, author, posted_at (RFC 3339),
// victims, claimed_records, data_classes, language, offer, price and
// currency are a public contract: other collectors write them and
// `semak posting add` reads them. The other keys (site_type, thread_id,
// post_id, crawled_at, body_sha256, author_url, posted_at_raw, section,
// sectors, countries, claimed_records_raw, contacts, samples, sample_files,
// download_links, hidden, edits, verdict) are ours but kept stable too.
// Unknown keys are ignored so that a newer writer does not break an older
// reader.
//
// The id is optional on import: a posting without one gets DeriveID(site,
// url, post_id), so importing the same file twice updates, not duplicates.
//
// Bodies and inline samples quote leaked records, which are personal data.
// String and LogValue therefore show only the id, site and title, so a
// posting passed to a logger or a %v never leaks a row.
package posting
