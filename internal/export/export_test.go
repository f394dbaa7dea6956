package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"github.com/semak/semak/internal/goldentest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/posting"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var now = time.Date(2025, 2, 3, 4, 5, 6, 789000000, time.UTC)

// Personal data the hand-made postings quote; no export may contain it.
var secrets = []string{
	"850101-14-5673", "850101145673", "+60 12-345 6789", "siti.test@example.com",
	"3171234567890123", "Siti Test", "Ahmad Contoh", "Budi Contoh", "012-345 6789",
}

// handMade returns postings in the shapes the tests need: Malay,
// Indonesian and English titles, several victims, a shared victim, no
// verdict and each verdict.
func handMade() []posting.Posting {
	at := time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC)
	forum := posting.Posting{
		ID: "p-0000000000000001", Site: "breachforums", SiteType: posting.Forum,
		URL: "http://breachforumsxyz.onion/Thread-Maybank-2023", ThreadID: "88123", PostID: "991",
		CrawledAt: at.Add(time.Hour), BodySHA256: posting.BodyHash("x"),
		Title:  "Data pelanggan Maybank & Maybank Islamic bocor 2023 — 1.2 juta rekod",
		Author: "Kaizen", AuthorURL: "http://breachforumsxyz.onion/User-Kaizen",
		Body: "Jual data pelanggan 2023. Contoh:\nSiti Test, 850101-14-5673, +60 12-345 6789, siti.test@example.com\n" +
			"Ahmad Contoh, 850101145673, 012-345 6789\nHarga 1500 USD, hubungi tox sahaja.",
		PostedAt: at, PostedAtRaw: "Yesterday at 10:14", Section: "Databases",
		Victims: []string{"Maybank", "Maybank Islamic"}, Sectors: []string{"finance"}, Countries: []string{"MY"},
		ClaimedRecords: 1200000, ClaimedRecordsRaw: "1.2 juta", DataClasses: []string{"names", "mykad", "phones"},
		Offer: posting.Sale, Price: 1500, Currency: "USD", Language: "ms",
		Contacts:      []string{"tox:76A1B2C3D4E5F6", "telegram:@kaizen_sales"},
		Samples:       []posting.Sample{{Name: "sample.csv", Text: "name,mykad\nSiti Test,850101-14-5673\n"}},
		SampleFiles:   []posting.SampleFile{{URL: "http://breachforumsxyz.onion/attachment/1", Name: "maybank_sample.txt", Size: 10, SHA256: posting.BodyHash("s")}},
		DownloadLinks: []string{"https://mega.nz/file/abcDEF123"},
	}
	paste := posting.Posting{
		ID: "p-0000000000000002", Site: "pastebin-clone", SiteType: posting.Paste,
		URL: "http://pasteclone.example/raw/Ab12Cd34", CrawledAt: at.Add(48 * time.Hour),
		Title:    "Bocoran data BPJS Kesehatan 279.000.000 penduduk (2021)",
		Body:     "Bocoran BPJS Kesehatan, gratis, unduh di link.\nNIK 3171234567890123 Budi Contoh budi@example.co.id 0812-3456-7890\nTotal 279 juta baris.",
		PostedAt: at.Add(47 * time.Hour), Victims: []string{"BPJS Kesehatan"}, Countries: []string{"ID"},
		ClaimedRecords: 279000000, DataClasses: []string{"nik", "names"}, Offer: posting.Free, Language: "id",
		DownloadLinks: []string{"https://gofile.io/d/XyZ789"},
		Verdict:       &posting.Verdict{Verdict: "NEW", Basis: "matches the 2024-06 snapshot, no earlier leak", CheckedAt: at.Add(72 * time.Hour)},
	}
	leak := posting.Posting{
		ID: "p-0000000000000003", Site: "lockbit-blog", SiteType: posting.LeakSite,
		URL: "http://lockbitxyz.onion/victim/perkeso", PostID: "4411",
		CrawledAt: at.Add(-24 * time.Hour), PostedAt: at.Add(-30 * time.Hour),
		Title:   "PERKESO (Socso) — 3 TB, contributors database, publishing in 5 days",
		Body:    "Perkeso did not pay. Contributors 2022 database. Deadline 2024-03-09 00:00 UTC.",
		Author:  "LockBitSupp",
		Victims: []string{"PERKESO", "Socso", "Maybank"}, ClaimedRecords: 3000000, Offer: posting.Auction,
		Price: 50, Currency: "XMR", Language: "en",
		Edits:   []posting.Edit{{At: at.Add(-2 * time.Hour), Title: "PERKESO (Socso) — 3 TB"}},
		Verdict: &posting.Verdict{Verdict: "OLD", Basis: "matches the 2022-12-31 snapshot", CheckedAt: at.Add(24 * time.Hour)},
	}
	out := []posting.Posting{forum, paste, leak}
	for i, v := range []string{"FAKE", "MIXED", "INCONCLUSIVE"} {
		p := forum
		p.ID = "p-00000000000000" + string(rune('4'+i)) + "0"
		p.URL = forum.URL + "-" + strings.ToLower(v)
		p.Title = []string{"=HYPERLINK(\"http://evil.example\",\"Maybank 2024 full\")", "Data Maybank campur 2020+2024", "@Maybank dump kecil"}[i]
		p.Author = "Kaizen"
		p.Victims = []string{"Maybank"}
		p.Verdict = &posting.Verdict{Verdict: v, Basis: "generated " + strings.ToLower(v), CheckedAt: at.Add(time.Duration(5+i) * time.Hour)}
		out = append(out, p)
	}
	// A posting without author or victims (a bare paste).
	out = append(out, posting.Posting{
		ID: "p-0000000000000007", Site: "pastebin-clone", SiteType: posting.Paste,
		URL: "http://pasteclone.example/raw/Zz99", Body: "dump lagi, hubungi 60123456789", Language: "ms",
	})
	return out
}

// assess gives each verdict a confidence word, as the store would.
func assess(p posting.Posting) (Assessment, bool) {
	switch p.Verdict.Verdict {
	case "NEW":
		return Assessment{Confidence: "almost certainly"}, true
	case "OLD":
		return Assessment{Confidence: "very likely"}, true
	case "FAKE":
		return Assessment{Confidence: "likely"}, true
	case "MIXED":
		return Assessment{Confidence: "cannot say"}, true
	}
	return Assessment{}, false
}

func export(t *testing.T, f Format, ps []posting.Posting, cap int) ([]byte, *Writer) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Options{Format: f, Cap: cap, Query: `victim:maybank "bocor"`, Now: now, Producer: "semak", Assess: assess})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := w.Write(p); err != nil {
			if errors.Is(err, ErrCapReached) {
				break
			}
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldentest.Check(t, filepath.Join("testdata", name), got, *update)
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		file string
	}{
		{JSON, "postings.json"},
		{CSV, "postings.csv"},
		{STIX, "postings.stix.json"},
		{MISP, "postings.misp.json"},
	} {
		t.Run(string(tc.f), func(t *testing.T) {
			got, w := export(t, tc.f, handMade(), 0)
			if w.Count() != len(handMade()) || w.Truncated() || w.Cap() != DefaultCap {
				t.Errorf("count %d truncated %v cap %d", w.Count(), w.Truncated(), w.Cap())
			}
			for _, s := range secrets {
				if bytes.Contains(got, []byte(s)) {
					t.Errorf("%s export contains %q", tc.f, s)
				}
			}
			// Contacts and download links are kept.
			for _, s := range []string{"telegram:@kaizen_sales", "https://mega.nz/file/abcDEF123"} {
				if !bytes.Contains(got, []byte(s)) {
					t.Errorf("%s export lacks %q", tc.f, s)
				}
			}
			if tc.f == CSV {
				golden(t, tc.file, got)
				return
			}
			golden(t, tc.file, indent(t, got))
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, f := range Formats {
		a, _ := export(t, f, handMade(), 0)
		b, _ := export(t, f, handMade(), 0)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two exports of the same postings differ", f)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"json": JSON, " CSV ": CSV, "stix": STIX, "STIX2.1": STIX, "misp": MISP} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "xml", "stix1"} {
		if _, err := ParseFormat(in); err == nil || !strings.Contains(err.Error(), "json, csv, stix, misp") {
			t.Errorf("ParseFormat(%q): %v", in, err)
		}
	}
	if _, err := NewWriter(&bytes.Buffer{}, Options{Format: "xml"}); err == nil {
		t.Error("NewWriter accepted format xml")
	}
	if _, err := NewWriter(&bytes.Buffer{}, Options{Format: JSON, Cap: -1}); err == nil {
		t.Error("NewWriter accepted a negative cap")
	}
}

func TestCap(t *testing.T) {
	ps := handMade()
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, Options{Format: f, Cap: 3, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range ps[:5] {
				err := w.Write(p)
				switch {
				case i < 3 && err != nil:
					t.Fatalf("posting %d: %v", i, err)
				case i >= 3 && !errors.Is(err, ErrCapReached):
					t.Fatalf("posting %d past the cap: %v", i, err)
				}
			}
			if w.Count() != 3 || !w.Truncated() {
				t.Fatalf("count %d truncated %v", w.Count(), w.Truncated())
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if err := w.Write(ps[0]); err == nil {
				t.Fatal("Write after Close succeeded")
			}
			switch f {
			case CSV:
				rows, err := csv.NewReader(&buf).ReadAll()
				if err != nil || len(rows) != 4 {
					t.Fatalf("%d rows, %v", len(rows), err)
				}
			case JSON:
				var doc struct {
					Postings  []map[string]any `json:"postings"`
					Count     int              `json:"count"`
					Truncated bool             `json:"truncated"`
					Cap       int              `json:"cap"`
				}
				if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Postings) != 3 || doc.Count != 3 || !doc.Truncated || doc.Cap != 3 {
					t.Fatalf("%+v", doc)
				}
			case STIX:
				objs := validateBundle(t, buf.Bytes())
				if n := countType(objs, "report"); n != 3 {
					t.Fatalf("%d reports", n)
				}
			case MISP:
				var doc struct {
					Response []json.RawMessage `json:"response"`
				}
				if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Response) != 3 {
					t.Fatalf("%d events, %v", len(doc.Response), err)
				}
			}
		})
	}
}

func TestEmptyExportIsValid(t *testing.T) {
	for _, f := range Formats {
		got, _ := export(t, f, nil, 0)
		switch f {
		case CSV:
			if string(got) != strings.Join(CSVHeader, ",")+"\n" {
				t.Errorf("csv: %q", got)
			}
		case STIX:
			validateBundle(t, got)
		default:
			if !json.Valid(got) {
				t.Errorf("%s: %s", f, got)
			}
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteErrorSticks(t *testing.T) {
	w, err := NewWriter(&failWriter{n: 100}, Options{Format: JSON, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var got error
	for range 200 { // enough to overflow the 64 KiB buffer
		if got = w.Write(handMade()[0]); got != nil {
			break
		}
	}
	if got == nil || !strings.Contains(got.Error(), "disk full") {
		t.Fatalf("got %v", got)
	}
	if err := w.Write(handMade()[0]); !errors.Is(err, got) {
		t.Fatalf("later write: %v", err)
	}
	if err := w.Close(); !errors.Is(err, got) {
		t.Fatalf("close: %v", err)
	}
}

func TestJSONPostings(t *testing.T) {
	got, _ := export(t, JSON, handMade(), 0)
	var doc struct {
		Generated string            `json:"generated"`
		Query     string            `json:"query"`
		Producer  string            `json:"producer"`
		Postings  []json.RawMessage `json:"postings"`
		Count     int               `json:"count"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Generated != "2025-02-03T04:05:06.789Z" || doc.Query != `victim:maybank "bocor"` || doc.Producer != "semak" || doc.Count != len(handMade()) {
		t.Errorf("header %+v", doc)
	}
	for i, raw := range doc.Postings {
		// Each entry reads back as a posting: the same id, no samples, a
		// short body.
		var p posting.Posting
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("posting %d: %v", i, err)
		}
		if p.ID != handMade()[i].ID || len(p.Samples) != 0 || len([]rune(p.Body)) > ExcerptLen+1 {
			t.Errorf("posting %d: id %s, %d samples, body %d runes", i, p.ID, len(p.Samples), len([]rune(p.Body)))
		}
		if p.BodySHA256 != "" && handMade()[i].BodySHA256 != "" && p.BodySHA256 != handMade()[i].BodySHA256 {
			t.Errorf("posting %d: body_sha256 changed", i)
		}
	}
}

func TestCSVFormulaGuard(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+60 data":          "'+60 data",
		"-1 day":            "'-1 day",
		"@Maybank":          "'@Maybank",
		"\t=1+1":            "'\t=1+1",
		"Maybank 2024":      "Maybank 2024",
		"":                  "",
		"a=b":               "a=b",
	} {
		if got := guardFormula(in); got != want {
			t.Errorf("guardFormula(%q) = %q, want %q", in, got, want)
		}
	}
	got, _ := export(t, CSV, handMade(), 0)
	rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(handMade())+1 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, row := range rows[1:] {
		if len(row) != len(CSVHeader) {
			t.Fatalf("row of %d cells", len(row))
		}
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q starts a formula", c)
			}
		}
	}
	if rows[4][3] != `'=HYPERLINK("http://evil.example","Maybank 2024 full")` || rows[6][3] != "'@Maybank dump kecil" {
		t.Errorf("titles %q %q", rows[4][3], rows[6][3])
	}
	if rows[1][6] != "Maybank; Maybank Islamic" || rows[1][11] != "1500" || rows[1][5] != "2024-03-05T10:14:00Z" {
		t.Errorf("row 1: %q", rows[1])
	}
}
