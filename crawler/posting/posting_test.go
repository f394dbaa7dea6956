package posting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func full() Posting {
	at := time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC)
	return Posting{
		ID: "p-0123456789abcdef", Site: "breachforums", SiteType: Forum,
		URL: "http://breachforumsxyz.onion/Thread-Socso-2023", ThreadID: "88123", PostID: "991",
		CrawledAt: at.Add(time.Hour), BodySHA256: BodyHash("body"),
		Title: "Socso database 2023 leaked 1.2M records", Body: "body",
		Author: "Kaizen", AuthorURL: "http://breachforumsxyz.onion/User-Kaizen",
		PostedAt: at, PostedAtRaw: "Yesterday at 10:14", Section: "Databases",
		Victims: []string{"Socso", "PERKESO"}, Sectors: []string{"government"}, Countries: []string{"MY"},
		ClaimedRecords: 1200000, ClaimedRecordsRaw: "1.2M", DataClasses: []string{"names", "mykad"},
		Offer: Sale, Price: 1500, Currency: "USD", Contacts: []string{"tox:ABCDEF"}, Language: "en",
		Samples:       []Sample{{Name: "sample.csv", Text: "name,mykad\nSiti Test,900101-14-5678\n"}},
		SampleFiles:   []SampleFile{{URL: "http://breachforumsxyz.onion/a/1.csv", Name: "1.csv", Size: 10, SHA256: BodyHash("x")}},
		DownloadLinks: []string{"https://mega.example/file/abc"}, Hidden: true,
		Edits:   []Edit{{At: at.Add(-time.Hour), BodySHA256: BodyHash("old"), Title: "old title"}},
		Verdict: &Verdict{Verdict: "OLD", Basis: "matches 2021 snapshot", CheckedAt: at.Add(48 * time.Hour)},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	p := full()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Posting
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip differs:\n%+v\n%+v", p, q)
	}
	// The contract keys are present under their names.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "site", "url", "title", "body", "author", "posted_at", "victims", "claimed_records", "data_classes", "language", "offer", "price", "currency"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
	if m["posted_at"] != "2024-03-05T10:14:00Z" {
		t.Errorf("posted_at = %v", m["posted_at"])
	}
}

func TestImportDerivesID(t *testing.T) {
	in := `{"site":"xss","url":"https://xss.example/threads/1/","post_id":"7","title":"Jual data BPJS","posted_at":"2024-01-02T03:04:05+07:00","claimed_records":"279000000","price":"500"}`
	var a, b Posting
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.ID != b.ID || a.ID != DeriveID("xss", "https://xss.example/threads/1/", "7") {
		t.Fatalf("ids %q %q", a.ID, b.ID)
	}
	if !strings.HasPrefix(a.ID, "p-") || len(a.ID) != 18 {
		t.Errorf("id %q: want p- and 16 hex", a.ID)
	}
	if DeriveID("xss", "https://xss.example/threads/1/", "8") == a.ID {
		t.Error("post id does not change the id")
	}
	if a.ClaimedRecords != 279000000 || a.Price != 500 {
		t.Errorf("numbers from strings: %d %v", a.ClaimedRecords, a.Price)
	}
	if !a.PostedAt.Equal(time.Date(2024, 1, 1, 20, 4, 5, 0, time.UTC)) || a.PostedAt.Location() != time.UTC {
		t.Errorf("posted_at %v, want UTC", a.PostedAt)
	}
	// An explicit id is kept.
	var c Posting
	if err := json.Unmarshal([]byte(`{"id":"mine-1","site":"x","title":"t"}`), &c); err != nil || c.ID != "mine-1" {
		t.Fatalf("%v %q", err, c.ID)
	}
}

func TestValidate(t *testing.T) {
	ok := func(mod func(*Posting)) Posting { p := full(); mod(&p); return p }
	good := []struct {
		name string
		p    Posting
	}{
		{"full", full()},
		{"minimal with url", Posting{Site: "paste", URL: "https://paste.example/x", Body: "dump"}},
		{"minimal with id", Posting{ID: "x-1", Site: "paste", Title: "t"}},
		{"language with region", ok(func(p *Posting) { p.Language = "zh-Hant" })},
		{"three-letter language", ok(func(p *Posting) { p.Language = "msa" })},
		{"onion url", ok(func(p *Posting) { p.URL = "http://abcdefghijklmnop.onion/t/1" })},
		{"free without price", ok(func(p *Posting) { p.Offer, p.Price, p.Currency = Free, 0, "" })},
	}
	for _, tc := range good {
		t.Run("ok/"+tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
	bad := []struct {
		name, field string
		p           Posting
	}{
		{"no site", "site:", ok(func(p *Posting) { p.Site = " " })},
		{"no url no id", "url:", ok(func(p *Posting) { p.URL, p.ID = "", "" })},
		{"relative url", "url:", ok(func(p *Posting) { p.URL = "/Thread-1" })},
		{"ftp url", "url:", ok(func(p *Posting) { p.URL = "ftp://x.example/a" })},
		{"bad id", "id:", ok(func(p *Posting) { p.ID = "has space" })},
		{"no title no body", "title:", ok(func(p *Posting) { p.Title, p.Body = "", "  " })},
		{"negative records", "claimed_records:", ok(func(p *Posting) { p.ClaimedRecords = -1 })},
		{"offer", "offer:", ok(func(p *Posting) { p.Offer = "trade" })},
		{"language long", "language:", ok(func(p *Posting) { p.Language = "english" })},
		{"language upper", "language:", ok(func(p *Posting) { p.Language = "EN" })},
		{"currency", "currency:", ok(func(p *Posting) { p.Currency = "$" })},
		{"site type", "site_type:", ok(func(p *Posting) { p.SiteType = "blog" })},
		{"sha", "body_sha256:", ok(func(p *Posting) { p.BodySHA256 = "abc" })},
		{"verdict", "verdict.verdict:", ok(func(p *Posting) { p.Verdict.Verdict = "maybe" })},
		{"sample file url", "sample_files[0].url:", ok(func(p *Posting) { p.SampleFiles[0].URL = "" })},
		{"edit time", "edits[0].at:", ok(func(p *Posting) { p.Edits[0].At = time.Time{} })},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("got %v, want an error naming %q", err, tc.field)
			}
		})
	}
}

func TestDecodeErrorsNameField(t *testing.T) {
	for in, want := range map[string]string{
		`{"site":"x","title":"t","posted_at":"2024/01/02"}`: `posted_at: "2024/01/02" is not an RFC 3339 time`,
		`{"site":"x","title":"t","posted_at":12}`:           `posted_at: must be an RFC 3339 string`,
		`{"site":"x","title":"t","claimed_records":"1.2M"}`: `claimed_records: "1.2M" is not a number`,
		`{"site":"x","title":"t","claimed_records":1.5}`:    `claimed_records: 1.5 is not a whole number`,
		`{"site":"x","title":"t","price":"NaN"}`:            `price: "NaN" is not a number`,
		`{"site":"x","title":"t","crawled_at":"yesterday"}`: `crawled_at: "yesterday"`,
	} {
		var p Posting
		err := json.Unmarshal([]byte(in), &p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

func TestReaderErrorsHaveLineNumbers(t *testing.T) {
	in := strings.Join([]string{
		`{"site":"a","url":"https://a.example/1","title":"one"}`,
		``,
		`not json`,
		`{"site":"a","url":"https://a.example/2","title":"two","offer":"swap"}`,
		`{"site":"a","url":"https://a.example/3","title":"three"`,
		`{"site":"a","url":"https://a.example/4","title":"four"}`,
	}, "\n")
	r := NewReader(strings.NewReader(in))
	var got []string
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("%v is not a LineError", err)
			}
			got = append(got, fmt.Sprintf("err %d", le.Line))
			continue
		}
		got = append(got, p.Title)
	}
	want := []string{"one", "err 3", "err 4", "err 5", "four"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestReaderLineTooLong(t *testing.T) {
	long := `{"site":"a","url":"https://a.example/1","title":"` + strings.Repeat("x", MaxLineBytes) + `"}`
	r := NewReader(strings.NewReader(`{"site":"a","url":"https://a.example/0","title":"ok"}` + "\n" + long + "\n"))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	if !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "line 2: line longer than 8 MiB") {
		t.Fatalf("got %v", err)
	}
	if _, err2 := r.Next(); !errors.Is(err2, err) {
		t.Fatalf("after a fatal error: %v", err2)
	}
}

func TestWriteNDJSONReadBack(t *testing.T) {
	var buf bytes.Buffer
	a, b := full(), full()
	b.ID, b.Title = "p-2", "Data PERKESO bocor\n3 juta rekod"
	for _, p := range []Posting{a, b} {
		if err := WriteNDJSON(&buf, p); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("%d lines", n)
	}
	r := NewReader(&buf)
	for _, want := range []Posting{a, b} {
		got, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v", got)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
}

func TestStringAndLogRedact(t *testing.T) {
	p := full()
	p.Body = "secret body 900101-14-5678"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("seen", "posting", p, "sample", p.Samples[0])
	for _, s := range []string{p.String(), fmt.Sprint(p), fmt.Sprintf("%v", p.Samples), buf.String()} {
		if strings.Contains(s, "900101") || strings.Contains(s, "secret body") || strings.Contains(s, "Siti Test") {
			t.Errorf("leaks personal data: %s", s)
		}
	}
	if !strings.Contains(buf.String(), "posting.posting_id=p-0123456789abcdef") || !strings.Contains(p.String(), "Socso database") {
		t.Errorf("id/title missing: %s / %s", buf.String(), p.String())
	}
}
