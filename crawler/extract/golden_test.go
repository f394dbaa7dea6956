package extract_test

import (
	"bufio"
	"flag"
	"github.com/semak/semak/internal/goldentest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/posting"
)

var update = flag.Bool("update", false, "rewrite the golden files under crawler/testdata/golden/extract")

// fetchedAt is the pinned capture time of every fixture page: Saturday
// 16 December 2023, noon in Kuala Lumpur.
var fetchedAt = time.Date(2023, 12, 16, 4, 0, 0, 0, time.UTC)

var (
	myt = time.FixedZone("MYT", 8*3600)
	wib = time.FixedZone("WIB", 7*3600)
)

// fixtureSites are the four fixture forums, as the crawler tests'
// config names them.
func fixtureSites(t testing.TB) map[string]extract.Site {
	t.Helper()
	sites := map[string]extract.Site{}
	for _, s := range []struct {
		engine, name, base string
		typ                posting.SiteType
		loc                *time.Location
	}{
		{"mybb", "leaklounge", "http://ewy727if5ah3d5xvsohsgte5gejf2dzlnlu42l2xn6ipaghx5mmslmp5.onion/", posting.Forum, myt},
		{"xenforo", "breachdemo", "https://forum.breachdemo.example/", posting.Forum, wib},
		{"phpbb", "gudangdata", "http://rkh5bkiun3tik5bojovmttt77gdcapbpr7aua4sstjemofowvuryvd6q.onion/", posting.Forum, wib},
		{"paste", "dumpbin", "http://a7eilzrgpphxjixzph6jcjpij54estltg6wsddrlkuudfmz7m7qqpsef.onion/", posting.Paste, myt},
	} {
		p, err := extract.Builtin(s.engine)
		if err != nil {
			t.Fatal(err)
		}
		sites[s.engine] = extract.Site{Name: s.name, BaseURL: s.base, Type: s.typ, Profile: p, Location: s.loc}
	}
	return sites
}

func testOrgs() extract.OrgMatcher {
	return extract.Aliases(map[string][]string{
		"socso":               {"Socso", "PERKESO", "Pertubuhan Keselamatan Sosial"},
		"bpjs-kesehatan":      {"BPJS Kesehatan", "Badan Penyelenggara Jaminan Sosial Kesehatan"},
		"klinik-sejahtera":    {"Klinik Sejahtera"},
		"bank-rakyat-demo":    {"Bank Rakyat Demo"},
		"kopi-cafe-nusantara": {"Kopi Café Nusantara", "Kopi Cafe Nusantara"},
	})
}

type route struct{ path, file, contentType string }

func readRoutes(t testing.TB, dir string) []route {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs []route
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		r := route{path: parts[0], file: parts[1], contentType: "text/html; charset=utf-8"}
		if len(parts) > 2 {
			r.contentType = parts[2]
		}
		rs = append(rs, r)
	}
	return rs
}

type goldenPage struct {
	URL     string           `json:"url"`
	Kind    string           `json:"kind"`
	Threads []string         `json:"threads,omitempty"`
	Next    string           `json:"next,omitempty"`
	Replies int              `json:"replies,omitempty"`
	Locked  bool             `json:"locked,omitempty"`
	Posting *posting.Posting `json:"posting,omitempty"`
}

// TestGoldenFixtures reads every fixture page with the built-in profile of
// its engine and compares what it extracts with the golden JSON. The same
// thread at two URLs must give the same posting id.
func TestGoldenFixtures(t *testing.T) {
	sites := fixtureSites(t)
	for engine, site := range sites {
		t.Run(engine, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "forums", engine)
			byFile := map[string]string{}
			for _, r := range readRoutes(t, dir) {
				if !strings.HasSuffix(r.file, ".html") {
					continue
				}
				body, err := os.ReadFile(filepath.Join(dir, r.file))
				if err != nil {
					t.Fatal(err)
				}
				p := extract.Page{URL: strings.TrimSuffix(site.BaseURL, "/") + r.path, Body: body, ContentType: r.contentType, FetchedAt: fetchedAt}
				g := goldenPage{URL: p.URL}
				f := extract.Classify(site, p)
				g.Kind = f.Kind.String()
				switch f.Kind {
				case extract.KindListing:
					g.Threads, g.Next, err = extract.Listing(site, p)
				case extract.KindThread:
					var tp extract.ThreadPage
					tp, err = extract.ThreadDetail(site, p, testOrgs())
					g.Posting, g.Next, g.Replies, g.Locked = &tp.Posting, tp.Next, tp.Replies, tp.Locked
					if err == nil {
						if verr := tp.Posting.Validate(); verr != nil {
							t.Errorf("%s: %v", r.path, verr)
						}
					}
				default:
					t.Errorf("%s: classified as %s", r.path, f.Kind)
				}
				if err != nil {
					t.Fatalf("%s: %v", r.path, err)
				}
				if first, ok := byFile[r.file]; ok {
					// The same page at another URL: same posting.
					if g.Posting != nil && g.Posting.ID != first {
						t.Errorf("%s: id %s, want %s (the same post at two URLs)", r.path, g.Posting.ID, first)
					}
					continue
				}
				if g.Posting != nil {
					byFile[r.file] = g.Posting.ID
				} else {
					byFile[r.file] = ""
				}
				compareGolden(t, filepath.Join("..", "testdata", "golden", "extract", engine, strings.TrimSuffix(r.file, ".html")+".json"), g)
			}
		})
	}
}

func compareGolden(t *testing.T, path string, v any) {
	t.Helper()
	goldentest.CheckJSON(t, path, v, *update)
}
