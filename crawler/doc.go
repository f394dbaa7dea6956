// Package crawler collects leak postings from onion and clearnet forums
// and paste sites through Tor, fail-closed, and yields them as
// posting.Posting values:
//
//	err := crawler.Run(ctx, opts, func(p posting.Posting) error { ... })
//
// It is the only package that sees colly and golang.org/x/net/proxy (see
// the depguard rules in .golangci.yml). Reading pages into postings is
// crawler/extract (pure, profile-driven); WARC evidence is crawler/warc;
// Frontier (frontier.go) is the queue/visited-set interface a shared Redis
// frontier implements in crawler/frontier.
//
// # Safety rules
//
//   - Fail closed. Run refuses to start without Options.Socks (ErrNoSocks)
//     and checks first that the port is Tor (CheckTor: Tor answers a plain
//     HTTP request with "501 Tor is not an HTTP Proxy", then a SOCKS5
//     greeting), saying what is wrong when it is not running, the port is
//     an HTTP proxy, or the server is not Tor.
//   - Every request goes through one http.Transport per site whose
//     DialContext is x/net/proxy's SOCKS5 client over a dialer that
//     refuses every address but the proxy's, with Proxy nil; colly's
//     SetProxyFunc is never used (no double hop). When the proxy goes
//     away the run stops with ErrProxyDown; nothing goes direct.
//   - No local DNS: hostnames are handed to Tor unresolved. A site with
//     direct_clearnet may go direct (and use local DNS), but never to an
//     onion.
//   - One circuit per site: SOCKS username "semak-<site>" (Tor's
//     IsolateSOCKSAuth), stable for the run, so a DDoS front's cookie stays
//     on the circuit it was issued to.
//   - Politeness per site: rate, parallelism, page cap, body cap (cut and
//     logged), link-flood and endless-pagination guards, redirect-loop
//     guard, 90 s timeouts, bounded retries with exponential backoff and
//     jitter, dead-site back-off; Tor's SOCKS error codes (0x06,
//     0xF0-0xF7) are mapped to reasons (SOCKSError).
//   - DDoS fronts: an EndGame-style queue (Refresh + queue marker) is
//     waited out on the same circuit with User-Agent and Referer; a
//     CAPTCHA is never solved: the site is parked until an operator pastes
//     a session cookie made by hand (SetCookie).
//   - Evidence: every response fetched is written to WARC before it is
//     read, with SHA-256 digests and capture time; the location of each
//     posting's capture is logged and kept in its Capture field.
//   - Secrets: credentials come from environment variables named in the
//     config and print as [redacted]; cookies, state and jars are 0600
//     under DataDir; no log line holds a body, a sample or a cookie value.
//
// # One posting per post
//
// A thread's posting is its first post; its later pages are read from the
// first by following next (max_thread_pages, loop guard), adding the reply
// count and the samples the seller quotes in replies. A post is keyed by
// canonical URL and post id; the same key with another body, title or
// samples is an edit (yielded again under the same id, the earlier version
// in Edits). The same body by the same author at another URL is the same
// post (not yielded again); a body that resembles the same author's
// earlier post (MinHash of word pairs, sketch.go) is that post reposted
// lightly edited: yielded under the first id, the earlier version and its
// URL in Edits. Processes sharing a frontier claim each new post there
// (Frontier.Claim), so the first to find it publishes it. Recrawls are
// due per site (recrawl), thread pages are asked for with If-None-Match /
// If-Modified-Since, and new replies are noticed and logged.
//
// # Data directory
//
//	DataDir/warc/semak-<start>-<seq>.warc.gz   evidence, rotated at 1 GiB
//	DataDir/sites/<site>/state.json            parked/dead state, last crawl, errors, validators, seen posts (hashes, sketches, no bodies)
//	DataDir/sites/<site>/cookies.json          the site's cookie jar
//	DataDir/sites/<site>/operator-cookie.json  a cookie pasted by an operator
package crawler
