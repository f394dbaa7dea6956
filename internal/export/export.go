package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/semak/semak/crawler/posting"
)

// Format is an export format.
type Format string

// The formats an export can be written in.
const (
	JSON Format = "json"
	CSV  Format = "csv"
	STIX Format = "stix"
	MISP Format = "misp"
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{JSON, CSV, STIX, MISP}

// ParseFormat reads a format name as a user types it ("json", "CSV",
// " stix "; "stix2"/"stix2.1" are accepted for stix).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case JSON, CSV, STIX, MISP:
		return f, nil
	case "stix2", "stix2.1", "stix-2.1":
		return STIX, nil
	}
	return "", fmt.Errorf("export format %q: want one of json, csv, stix, misp", s)
}

// DefaultCap is how many postings an export holds unless the caller raises
// it explicitly. 10,000 is enough for a case or a campaign (the largest
// actor or victim in a realistic index has a few thousand postings), and
// far too few to mirror the index: a full dump of the leak index is not an
// export, it is a copy of the database, and goes through a backup instead.
const DefaultCap = 10000

// ErrCapReached is returned by Write for the first posting past the cap;
// that posting is not written. The document is still completed by Close.
// The caller stops, tells the user the export was truncated and logs it.
var ErrCapReached = errors.New("export cap reached: the export holds as many postings as its cap allows (raise the cap explicitly to export more)")

// errClosed is returned by Write after Close.
var errClosed = errors.New("export: write after Close")

// Assessment is what the verification engine knows about a posting's
// verdict beyond posting.Verdict: the estimative confidence word and the
// admiralty-scale rating. Every field is optional.
type Assessment struct {
	// Confidence is the statement's confidence word: "almost certainly",
	// "very likely", "likely" or "cannot say" (matcher/statement.go).
	Confidence string
	// SourceReliability is the admiralty letter A–G (F when empty: a seller
	// on a leak forum cannot be judged).
	SourceReliability string
	// InformationCredibility is the admiralty digit 1–6; when empty it is
	// derived from the verdict and Confidence by the table of
	// matcher/verdict.Credibility.
	InformationCredibility string
}

// Options configure a Writer.
type Options struct {
	Format   Format
	Cap      int       // postings the export may hold; 0 means DefaultCap
	Query    string    // the query that selected the postings, kept in the output's metadata where the format has room
	Now      time.Time // generation time; zero means time.Now()
	Producer string    // who made the export, e.g. "semak" (the default)

	// Assess, when set, is asked for the confidence and admiralty rating
	// of each posting that has a verdict (ok false: nothing known). When
	// nil, the confidence and rating recorded on the posting's verdict
	// are used. The
	// MISP export turns them into estimative-language and admiralty-scale
	// tags, the STIX export into the opinion and the note.
	Assess func(p posting.Posting) (a Assessment, ok bool)
}

// encoder is one format's document writer.
type encoder interface {
	begin() error
	posting(p posting.Posting, a *Assessment) error
	end(count int, truncated bool) error
}

// Writer streams postings into one export document in constant memory
// (STIX keeps the ids it has emitted, bounded by the cap).
type Writer struct {
	bw        *bufio.Writer
	opts      Options
	enc       encoder
	count     int
	truncated bool
	closed    bool
	err       error
}

// NewWriter starts a document of opts.Format on w and writes its header.
func NewWriter(w io.Writer, opts Options) (*Writer, error) {
	f, err := ParseFormat(string(opts.Format))
	if err != nil {
		return nil, err
	}
	opts.Format = f
	switch {
	case opts.Cap < 0:
		return nil, fmt.Errorf("export cap %d: must be positive (0 means the default, %d)", opts.Cap, DefaultCap)
	case opts.Cap == 0:
		opts.Cap = DefaultCap
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	if strings.TrimSpace(opts.Producer) == "" {
		opts.Producer = "semak"
	}
	x := &Writer{bw: bufio.NewWriterSize(w, 64<<10), opts: opts}
	switch opts.Format {
	case JSON:
		x.enc = &jsonEncoder{jsonArray: jsonArray{w: x.bw}, opts: &x.opts}
	case CSV:
		x.enc = newCSVEncoder(x.bw)
	case STIX:
		x.enc = newSTIXEncoder(x.bw, &x.opts)
	case MISP:
		x.enc = &mispEncoder{jsonArray: jsonArray{w: x.bw}, opts: &x.opts}
	}
	if err := x.enc.begin(); err != nil {
		x.err = err
		return nil, err
	}
	return x, nil
}

// Count is the number of postings written so far.
func (x *Writer) Count() int { return x.count }

// Truncated says whether a Write was refused because of the cap.
func (x *Writer) Truncated() bool { return x.truncated }

// Cap is the cap in force (DefaultCap when Options.Cap was 0).
func (x *Writer) Cap() int { return x.opts.Cap }

// Write adds one posting. Past the cap it writes nothing and returns
// ErrCapReached. A posting without an id gets posting.DeriveID's; one
// without an id or URL is refused. An error from the underlying writer
// is returned by this and every later call.
func (x *Writer) Write(p posting.Posting) error {
	switch {
	case x.closed:
		return errClosed
	case x.err != nil:
		return x.err
	case x.count >= x.opts.Cap:
		x.truncated = true
		return ErrCapReached
	}
	if p.ID == "" {
		if p.Site == "" || p.URL == "" {
			return fmt.Errorf("export: posting %q without id, site or url cannot be exported", clip(p.Title))
		}
		p.ID = posting.DeriveID(p.Site, p.URL, p.PostID)
	}
	var a *Assessment
	switch {
	case p.Verdict != nil && x.opts.Assess != nil:
		if got, ok := x.opts.Assess(p); ok {
			a = &got
		}
	case p.Verdict != nil:
		if got, ok := assessmentOf(*p.Verdict); ok {
			a = &got
		}
	}
	if err := x.enc.posting(p, a); err != nil {
		x.err = err
		return err
	}
	x.count++
	return nil
}

// assessmentOf reads the confidence and admiralty rating `semak verify
// --posting` recorded on the posting's verdict.
func assessmentOf(v posting.Verdict) (Assessment, bool) {
	var a Assessment
	a.Confidence = v.Confidence
	if len(v.Admiralty) == 2 {
		a.SourceReliability, a.InformationCredibility = v.Admiralty[:1], v.Admiralty[1:]
	}
	return a, a.Confidence != "" || a.SourceReliability != ""
}

// Close finishes the document (closing brackets, the count) and flushes
// it. It must be called, also after ErrCapReached; it does not close the
// underlying writer. A second call does nothing.
func (x *Writer) Close() error {
	if x.closed {
		return x.err
	}
	x.closed = true
	if x.err != nil {
		return x.err
	}
	if err := x.enc.end(x.count, x.truncated); err != nil {
		x.err = err
		return err
	}
	if err := x.bw.Flush(); err != nil {
		x.err = err
	}
	return x.err
}

// clip shortens s for an error message.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	return string(r[:60]) + "…"
}

// Timestamps in STIX and the JSON metadata: RFC 3339, UTC, milliseconds.
const stamp = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(stamp) }

// firstSet returns the first non-zero time.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
