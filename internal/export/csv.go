package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/semak/semak/crawler/posting"
)

// CSVHeader is the CSV export's header row. The first fourteen columns are
// the ones other tools expect; contacts, download_links and body_excerpt
// follow. Lists are joined with "; ".
var CSVHeader = []string{
	"id", "site", "url", "title", "author", "posted_at", "victims", "claimed_records",
	"data_classes", "language", "offer", "price", "currency", "verdict",
	"contacts", "download_links", "body_excerpt",
}

// guardFormula defuses a cell a spreadsheet would run as a formula. Excel,
// LibreOffice and Google Sheets evaluate a cell that starts with = + - or @
// (and a leading tab or carriage return hides such a start), so a posting
// title like "=HYPERLINK(…)" written by a seller would run on the
// analyst's machine when the CSV is opened (CSV injection). A leading
// apostrophe makes the spreadsheet show the text as text.
func guardFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

type csvEncoder struct {
	w *csv.Writer
}

func newCSVEncoder(w io.Writer) *csvEncoder { return &csvEncoder{w: csv.NewWriter(w)} }

func (e *csvEncoder) begin() error {
	if err := e.w.Write(CSVHeader); err != nil {
		return err
	}
	e.w.Flush()
	return e.w.Error()
}

func (e *csvEncoder) posting(p posting.Posting, _ *Assessment) error {
	q := sanitize(p)
	var posted, records, price, verdict string
	if !q.PostedAt.IsZero() {
		posted = q.PostedAt.UTC().Format(time.RFC3339)
	}
	if q.ClaimedRecords > 0 {
		records = strconv.FormatInt(q.ClaimedRecords, 10)
	}
	if q.Price > 0 {
		price = strconv.FormatFloat(q.Price, 'f', -1, 64)
	}
	if q.Verdict != nil {
		verdict = q.Verdict.Verdict
	}
	row := []string{
		q.ID, q.Site, q.URL, q.Title, q.Author, posted,
		strings.Join(q.Victims, "; "), records, strings.Join(q.DataClasses, "; "),
		q.Language, string(q.Offer), price, q.Currency, verdict,
		strings.Join(q.Contacts, "; "), strings.Join(q.DownloadLinks, "; "), q.Body,
	}
	for i, c := range row {
		row[i] = guardFormula(c)
	}
	if err := e.w.Write(row); err != nil {
		return err
	}
	e.w.Flush()
	return e.w.Error()
}

func (e *csvEncoder) end(int, bool) error {
	e.w.Flush()
	return e.w.Error()
}
