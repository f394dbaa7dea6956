// Package export writes leak postings for other threat-intelligence tools:
// JSON, CSV, a STIX 2.1 bundle or MISP event JSON. It exports postings and
// their verdicts, never sample rows.
//
// A Writer streams: NewWriter writes the document's header, each Write
// adds one posting, Close writes the closing brackets. Memory stays
// constant except for the STIX writer's set of emitted ids, which the cap
// bounds.
//
// # The cap
//
// An export holds at most Options.Cap postings, DefaultCap (10,000) when
// the caller does not say: enough for a case, a campaign or an actor's
// whole history, far too few to mirror the index. Write returns
// ErrCapReached for the first posting past the cap and writes nothing; the
// caller stops, says so and logs it, and still calls Close, which leaves a
// complete, valid document. Raising the cap is the caller's explicit,
// logged decision.
//
// # What never leaves, and the redaction rule
//
// Inline samples (posting.Samples) are dropped in every format. The body
// may quote sample rows, so every format carries the title and metadata
// and only an excerpt of the body (Excerpt): each line masked by Redact, a
// line that still looks like a quoted record (two things masked, or one in
// a line of three or more , ; | or tab separated fields) replaced whole by
// "[sample row]" — the names next to the numbers go too —, white space
// collapsed, then cut to 500 characters ("…" marks a cut). Redact replaces
//
//   - anything shaped like an e-mail address with [email];
//   - a MyKad with separators (850101-14-5673) with [mykad];
//   - phone numbers — international with + (+60 12-345 6789), with the
//     Malaysian or Indonesian country code and no + (60123456789), or
//     local with the trunk 0 (012-345 6789, 0812-3456-7890) — with [phone];
//   - card-like groups of four digits (4111 1111 1111 1111) and any run of
//     twelve or more digits (MyKad without dashes, a 16-digit NIK, account
//     numbers) with [number].
//
// Ordinary words, years, dates, prices and counts ("2019-2023", "1.2M",
// "279.000.000") are kept. Titles, the titles of earlier edits and the
// verdict basis go through Redact too. Kept as they are: the seller's
// contacts (handles such as tox: or telegram:@…, threat-actor contact
// information, not victims' data), download links and sample-file
// references (as URLs with name and hash; the files are not fetched).
//
// # Formats
//
// json: {"format":"semak-postings","generated":…,"producer":…,"query":…,
// "cap":…,"postings":[…],"count":N,"truncated":bool}; each posting in its
// own JSON form (crawler/posting) with the excerpt as body, no samples,
// body_sha256 still the hash of the full body. The count and truncation
// come last because a stream knows them only at the end.
//
// csv: a header row, then one row per posting: id, site, url, title,
// author, posted_at, victims, claimed_records, data_classes, language,
// offer, price, currency, verdict, then contacts, download_links and
// body_excerpt; lists joined with "; ". A cell that starts with = + - @
// (or a tab or carriage return) gets a leading apostrophe, because
// spreadsheets run such cells as formulas and a seller writes the title.
// CSV has no room for the query.
//
// stix: one STIX 2.1 bundle. First the producer's identity (class
// "system"), then per posting an identity per claimed victim (class
// "organization"), a threat-actor for the author ("criminal", or
// "crime-syndicate" on a ransomware leak site; keyed by site and handle),
// a "targets" relationship from the actor to each victim, a report
// ("threat-report"; name the title, description the excerpt,
// external_references the posting URL, download links and sample-file
// references; object_refs the identities, actor and relationships;
// x_semak_* custom properties for site, claimed records, data classes,
// offer, price, seller contacts and verdict) and, when the posting has a
// verdict, an opinion on the report (NEW agree — strongly-agree when
// "almost certainly" —, OLD disagree, FAKE strongly-disagree, MIXED and
// INCONCLUSIVE neutral) and a note with the verdict's meaning and basis.
// A last note records the query, generation time, count and truncation and
// refers to every report. Ids are UUIDv5 in a fixed semak namespace over
// the posting id, the victim's name, the site and handle, so re-exports
// give the same ids; an object shared by several postings appears once
// per bundle. Shared objects carry a fixed created/modified (2024-01-01)
// so every copy of them is identical; a report's created is the crawl
// time (else the posting time), modified its last edit. Timestamps are
// RFC 3339 UTC with milliseconds.
//
// misp: what MISP's events/restSearch returns for returnFormat json,
// {"response":[{"Event":{…}},…]}, one event per posting: info the title,
// date the posting date, uuid a UUIDv5 of the posting id, distribution 0,
// threat_level_id from the verdict (NEW 1, MIXED 2, OLD and FAKE 3, else
// 4), analysis 0 without a verdict, 1 INCONCLUSIVE, 2 otherwise;
// attributes for the URL, the victims (target-org), the author
// (threat-actor), contacts, claimed records, data classes, offer, download
// links, the body excerpt and the verdict; tags from the MISP taxonomies
// dark-web, infoleak, estimative-language and admiralty-scale, every value
// listed in MISPTags. The estimative-language tags and the exact admiralty
// rating come from the confidence and rating recorded on the posting's
// verdict (`semak verify --posting`) or from Options.Assess; without
// either, source reliability is f and credibility follows the verdict
// alone (3 genuine, 4 fake, 6 inconclusive or unverified).
package export
