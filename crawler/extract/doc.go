// Package extract turns captured forum pages into leak postings. It is
// pure: no network, no clock (the capture time comes with the page), no
// colly — so the same code reads a live crawl, a WARC replay and a fuzz
// input alike.
//
// How to read a forum is data, not code: a Profile (YAML, see
// profiles/*.yaml) names the CSS selectors for thread links, pagination,
// title, author, date, body, section, samples and hidden/locked markers.
// Built-in profiles cover MyBB, XenForo, phpBB and pastebin-style sites;
// a site's config overrides any field (Profile.Override), so adding a
// forum of a known engine is a config change.
//
// ThreadDetail reads the first post of a thread as the posting and fills what a
// verifier needs: canonical URL, ids and body hash; title, author, dates
// ("2 hours ago", "Semalam, 09:30 PG", "15 Dis 2023" → UTC, ParseDate);
// claimed victims (OrgMatcher, e.g. Aliases), sectors, countries, record
// count ("3 juta" → 3000000, ParseCount), data classes, offer, price and
// currency, seller contacts, language (ms/id/en), inline samples (code,
// pre and hide blocks that look like rows), same-site sample files (for
// the crawler to fetch within its cap) and external file-host links
// (recorded, never fetched).
//
// Pages are decoded to UTF-8 from whatever charset they declare or sniff
// as; broken markup is repaired the way browsers do. Bodies and samples
// quote leaked records: nothing here logs.
package extract
