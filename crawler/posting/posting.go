package posting

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SiteType says what kind of site a posting came from.
type SiteType string

// The site types a posting may carry. The empty value means unknown.
const (
	Forum    SiteType = "forum"
	Paste    SiteType = "paste"
	LeakSite SiteType = "leak_site"
)

// Offer says on what terms the poster offers the data.
type Offer string

// The offers a posting may carry. The empty value means the posting does
// not say.
const (
	Sale    Offer = "sale"
	Free    Offer = "free"
	Auction Offer = "auction"
)

// Verdicts a posting's verdict may carry (the states of the service brief).
var verdicts = map[string]bool{"NEW": true, "OLD": true, "FAKE": true, "MIXED": true, "INCONCLUSIVE": true}

// Posting is one leak posting as the crawler extracted it, or as another
// collector wrote it in NDJSON. The JSON keys are a public contract: see
// the package comment.
type Posting struct {
	ID         string    `json:"id,omitempty"`
	Site       string    `json:"site"`
	SiteType   SiteType  `json:"site_type,omitempty"`
	URL        string    `json:"url,omitempty"`
	ThreadID   string    `json:"thread_id,omitempty"`
	PostID     string    `json:"post_id,omitempty"`
	CrawledAt  time.Time `json:"crawled_at,omitzero"`
	BodySHA256 string    `json:"body_sha256,omitempty"`

	Title       string    `json:"title,omitempty"`
	Body        string    `json:"body,omitempty"`
	Author      string    `json:"author,omitempty"`
	AuthorURL   string    `json:"author_url,omitempty"`
	PostedAt    time.Time `json:"posted_at,omitzero"`
	PostedAtRaw string    `json:"posted_at_raw,omitempty"`
	Section     string    `json:"section,omitempty"`

	Victims           []string `json:"victims,omitempty"`
	Sectors           []string `json:"sectors,omitempty"`
	Countries         []string `json:"countries,omitempty"`
	ClaimedRecords    int64    `json:"claimed_records,omitempty"`
	ClaimedRecordsRaw string   `json:"claimed_records_raw,omitempty"`
	DataClasses       []string `json:"data_classes,omitempty"`

	Offer    Offer    `json:"offer,omitempty"`
	Price    float64  `json:"price,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Contacts []string `json:"contacts,omitempty"`
	Language string   `json:"language,omitempty"`

	Samples       []Sample     `json:"samples,omitempty"`
	SampleFiles   []SampleFile `json:"sample_files,omitempty"`
	DownloadLinks []string     `json:"download_links,omitempty"`
	Hidden        bool         `json:"hidden,omitempty"`

	Edits   []Edit   `json:"edits,omitempty"`
	Verdict *Verdict `json:"verdict,omitempty"`
	// Capture is where the page the posting was read from is kept as
	// evidence (a WARC record), when a crawler captured it.
	Capture *Capture `json:"capture,omitempty"`
}

// Capture locates the WARC record of the page a posting was read from:
// enough to cite it in an evidence pack and to re-read and re-hash it.
type Capture struct {
	WARC          string    `json:"warc"`   // WARC file base name
	Offset        int64     `json:"offset"` // of the record in the file
	Length        int64     `json:"length,omitempty"`
	RecordID      string    `json:"record_id,omitempty"` // WARC-Record-ID
	PayloadSHA256 string    `json:"payload_sha256,omitempty"`
	CapturedAt    time.Time `json:"captured_at,omitzero"`
}

// Sample is an inline sample block quoted in a posting. Its text is
// personal data: String and LogValue never show it.
type Sample struct {
	Name string `json:"name,omitempty"`
	Text string `json:"text"`
}

// SampleFile is a sample the posting links to: fetched when it is on the
// same site (then Size and SHA256 are set), only recorded otherwise.
type SampleFile struct {
	URL    string `json:"url"`
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Edit is one earlier version of a posting seen by a recrawl. URL is set
// when that version was at another URL (the post was reposted there,
// lightly edited).
type Edit struct {
	At         time.Time `json:"at"`
	BodySHA256 string    `json:"body_sha256,omitempty"`
	Title      string    `json:"title,omitempty"`
	URL        string    `json:"url,omitempty"`
}

// Verdict is the outcome of verifying a posting's claim, when one was run.
type Verdict struct {
	Verdict   string    `json:"verdict"`
	Basis     string    `json:"basis,omitempty"` // the bases, comma-separated
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Confidence is the statement's estimative word ("almost certainly",
	// "very likely", "likely", "cannot say").
	Confidence string `json:"confidence,omitempty"`
	// Admiralty is the admiralty-scale rating, source reliability letter
	// then information credibility digit, e.g. "F2".
	Admiralty string `json:"admiralty,omitempty"`
	// Claim is the organisation the verified sample was claimed for.
	Claim string `json:"claim,omitempty"`
}

// DeriveID returns the stable id of a posting that came without one: the
// same site, canonical URL and post id always give the same id, so an
// import run twice updates instead of duplicating.
func DeriveID(site, canonicalURL, postID string) string {
	h := sha256.New()
	for _, s := range []string{site, canonicalURL, postID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "p-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// BodyHash returns the hex SHA-256 of a body, as BodySHA256 holds it.
func BodyHash(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// String names the posting without its body or samples, which may hold
// personal data.
func (p Posting) String() string {
	return fmt.Sprintf("posting %s (site %s): %q", p.ID, p.Site, p.Title)
}

// LogValue logs the posting's id, site and title only.
func (p Posting) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("posting_id", p.ID),
		slog.String("site", p.Site),
		slog.String("title", p.Title),
	)
}

// String says how long the sample is, never what it holds.
func (s Sample) String() string {
	return fmt.Sprintf("sample %q (%d bytes, redacted)", s.Name, len(s.Text))
}

// LogValue logs the sample's name and size only.
func (s Sample) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.Name), slog.Int("bytes", len(s.Text)))
}

// MaxIDLen bounds an id so it stays usable as a file name, index key and
// part of a cursor.
const MaxIDLen = 128

// Validate reports every problem of the posting, each naming its JSON key.
func (p Posting) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(p.Site) == "" {
		bad("site", "required (the name of the site the posting came from)")
	} else if len(p.Site) > 200 || hasControl(p.Site) {
		bad("site", "must be at most 200 characters without control characters")
	}
	if p.ID == "" && p.URL == "" {
		bad("url", "required when id is absent (the id is derived from site, url and post_id)")
	}
	if p.ID != "" && !validID(p.ID) {
		bad("id", "%q must be 1–%d characters of letters, digits, '.', '_', ':' and '-'", clip(p.ID), MaxIDLen)
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("url", "%q is not an absolute http(s) URL", clip(p.URL))
		}
	}
	switch p.SiteType {
	case "", Forum, Paste, LeakSite:
	default:
		bad("site_type", "%q is not one of forum, paste, leak_site", clip(string(p.SiteType)))
	}
	if strings.TrimSpace(p.Title) == "" && strings.TrimSpace(p.Body) == "" {
		bad("title", "a title or a body is required")
	}
	if !utf8.ValidString(p.Title) || !utf8.ValidString(p.Body) {
		bad("body", "title and body must be valid UTF-8")
	}
	if p.ClaimedRecords < 0 {
		bad("claimed_records", "%d is negative", p.ClaimedRecords)
	}
	switch p.Offer {
	case "", Sale, Free, Auction:
	default:
		bad("offer", "%q is not one of sale, free, auction", clip(string(p.Offer)))
	}
	if p.Price < 0 {
		bad("price", "%v is negative", p.Price)
	}
	if p.Currency != "" && !validCurrency(p.Currency) {
		bad("currency", "%q is not a currency code such as USD, MYR, XMR or BTC", clip(p.Currency))
	}
	if p.Language != "" && !validLanguage(p.Language) {
		bad("language", "%q is not a short language code such as ms, en, id or zh-Hant", clip(p.Language))
	}
	if p.BodySHA256 != "" && !validSHA256(p.BodySHA256) {
		bad("body_sha256", "must be 64 lower-case hex digits")
	}
	for i, f := range p.SampleFiles {
		if f.URL == "" {
			bad(fmt.Sprintf("sample_files[%d].url", i), "required")
		}
		if f.Size < 0 {
			bad(fmt.Sprintf("sample_files[%d].size", i), "%d is negative", f.Size)
		}
		if f.SHA256 != "" && !validSHA256(f.SHA256) {
			bad(fmt.Sprintf("sample_files[%d].sha256", i), "must be 64 lower-case hex digits")
		}
	}
	for i, e := range p.Edits {
		if e.At.IsZero() {
			bad(fmt.Sprintf("edits[%d].at", i), "required")
		}
		if e.BodySHA256 != "" && !validSHA256(e.BodySHA256) {
			bad(fmt.Sprintf("edits[%d].body_sha256", i), "must be 64 lower-case hex digits")
		}
	}
	if c := p.Capture; c != nil {
		if c.WARC == "" || strings.ContainsAny(c.WARC, "/\\") || hasControl(c.WARC) {
			bad("capture.warc", "required: the base name of the WARC file")
		}
		if c.Offset < 0 || c.Length < 0 {
			bad("capture.offset", "offset and length must not be negative")
		}
		if c.PayloadSHA256 != "" && !validSHA256(c.PayloadSHA256) {
			bad("capture.payload_sha256", "must be 64 lower-case hex digits")
		}
	}
	if p.Verdict != nil && !verdicts[p.Verdict.Verdict] {
		bad("verdict.verdict", "%q is not one of NEW, OLD, FAKE, MIXED, INCONCLUSIVE", clip(p.Verdict.Verdict))
	}
	if v := p.Verdict; v != nil && v.Admiralty != "" && (len(v.Admiralty) != 2 || !strings.Contains("ABCDEF", v.Admiralty[:1]) || !strings.Contains("123456", v.Admiralty[1:])) {
		bad("verdict.admiralty", "%q is not a rating such as F2 (reliability A–F, credibility 1–6)", clip(v.Admiralty))
	}
	if len(errs) == 0 {
		return nil
	}
	name := p.ID
	if name == "" {
		name = "without id"
	}
	return fmt.Errorf("posting %s: %w", name, errors.Join(errs...))
}

func validID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

func validCurrency(c string) bool {
	if len(c) < 3 || len(c) > 5 {
		return false
	}
	for _, r := range []byte(c) {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// validLanguage accepts a BCP 47 primary tag of two or three lower-case
// letters with an optional subtag ("ms", "id", "zh-Hant", "en-MY").
func validLanguage(l string) bool {
	prim, sub, hasSub := strings.Cut(l, "-")
	if len(prim) < 2 || len(prim) > 3 {
		return false
	}
	for _, r := range []byte(prim) {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	if !hasSub {
		return true
	}
	if len(sub) < 2 || len(sub) > 8 {
		return false
	}
	for _, r := range []byte(sub) {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// clip keeps error messages short when a field holds something huge.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	cut := 80
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// UnmarshalJSON decodes the public JSON form. It is stricter than
// encoding/json about times (an error names the key) and more lenient
// about numbers: other collectors write "claimed_records": "1200000" and
// "price": "1500" as often as plain numbers. When id is absent it is
// derived (DeriveID), and body_sha256 is computed when absent.
func (p *Posting) UnmarshalJSON(data []byte) error {
	type plain Posting
	var aux struct {
		*plain
		CrawledAt      json.RawMessage `json:"crawled_at"`
		PostedAt       json.RawMessage `json:"posted_at"`
		ClaimedRecords json.RawMessage `json:"claimed_records"`
		Price          json.RawMessage `json:"price"`
	}
	*p = Posting{}
	aux.plain = (*plain)(p)
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	var err error
	if p.CrawledAt, err = decodeTime("crawled_at", aux.CrawledAt); err != nil {
		return err
	}
	if p.PostedAt, err = decodeTime("posted_at", aux.PostedAt); err != nil {
		return err
	}
	n, err := decodeNumber("claimed_records", aux.ClaimedRecords)
	if err != nil {
		return err
	}
	if n != float64(int64(n)) {
		return fmt.Errorf("claimed_records: %v is not a whole number", n)
	}
	p.ClaimedRecords = int64(n)
	if p.Price, err = decodeNumber("price", aux.Price); err != nil {
		return err
	}
	if p.ID == "" && p.Site != "" && p.URL != "" {
		p.ID = DeriveID(p.Site, p.URL, p.PostID)
	}
	if p.BodySHA256 == "" && p.Body != "" {
		p.BodySHA256 = BodyHash(p.Body)
	}
	return nil
}

func decodeTime(field string, raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, fmt.Errorf("%s: must be an RFC 3339 string such as \"2024-01-31T14:05:00Z\"", field)
	}
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time such as \"2024-01-31T14:05:00Z\"", field, clip(s))
	}
	return t.UTC(), nil
}

func decodeNumber(field string, raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", field, err)
		}
		if s == "" {
			return 0, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f > 1e18 || f < -1e18 {
		return 0, fmt.Errorf("%s: %q is not a number", field, clip(s))
	}
	return f, nil
}
