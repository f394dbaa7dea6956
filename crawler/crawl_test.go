package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/semak/semak/crawler/extract"
	"github.com/semak/semak/crawler/warc"
	"github.com/semak/semak/internal/goldentest"
)

var update = flag.Bool("update", false, "rewrite the golden postings under testdata/golden/crawl")

const (
	mybbHost  = "ewy727if5ah3d5xvsohsgte5gejf2dzlnlu42l2xn6ipaghx5mmslmp5.onion"
	phpbbHost = "rkh5bkiun3tik5bojovmttt77gdcapbpr7aua4sstjemofowvuryvd6q.onion"
	pasteHost = "a7eilzrgpphxjixzph6jcjpij54estltg6wsddrlkuudfmz7m7qqpsef.onion"
	xfHost    = "forum.breachdemo.example"
)

func testOrgs() extract.OrgMatcher {
	return extract.Aliases(map[string][]string{
		"socso":               {"Socso", "PERKESO", "Pertubuhan Keselamatan Sosial"},
		"bpjs-kesehatan":      {"BPJS Kesehatan"},
		"klinik-sejahtera":    {"Klinik Sejahtera"},
		"bank-rakyat-demo":    {"Bank Rakyat Demo"},
		"kopi-cafe-nusantara": {"Kopi Café Nusantara"},
	})
}

// fixtureSites starts the four fixture forums behind the test SOCKS
// server under their fake onion (and one clearnet) names.
func fixtureSites(t *testing.T, s *testSOCKS) ([]SiteConfig, map[string]*fixtureServer) {
	t.Helper()
	servers := map[string]*fixtureServer{}
	var sites []SiteConfig
	for _, f := range []struct {
		engine, name, host, tz string
		start                  []string
	}{
		{"mybb", "leaklounge", mybbHost, "Asia/Kuala_Lumpur", []string{"/forumdisplay.php?fid=2"}},
		{"xenforo", "breachdemo", xfHost, "Asia/Jakarta", []string{"/forums/databases.4/"}},
		{"phpbb", "gudangdata", phpbbHost, "Asia/Jakarta", []string{"/viewforum.php?f=5"}},
		{"paste", "dumpbin", pasteHost, "Asia/Kuala_Lumpur", []string{"/archive"}},
	} {
		fs := startFixture(t, f.engine)
		s.route(f.host, fs.Listener.Addr().String())
		servers[f.engine] = fs
		sc := site(f.name, "http://"+f.host+"/", f.engine, f.start...)
		sc.Timezone = f.tz
		sites = append(sites, sc)
	}
	return sites, servers
}

// TestCrawlFixtureForums crawls the four fixture forums end to end
// through the SOCKS server and checks the postings against the goldens,
// that no name was looked up locally, one circuit per site, and the WARC
// evidence of every posting.
func TestCrawlFixtureForums(t *testing.T) {
	s := startSOCKS(t, true)
	sites, servers := fixtureSites(t, s)
	opts := baseOptions(t, s, sites...)
	opts.Orgs = testOrgs()

	dnsBefore := localDNS.Load()
	got, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	dnsDuring := localDNS.Load() - dnsBefore

	t.Run("golden postings", func(t *testing.T) {
		bySite := map[string][]postingT{}
		for _, p := range got {
			p.Capture = nil // record ids and offsets differ run to run; checked below
			bySite[p.Site] = append(bySite[p.Site], p)
		}
		for _, sc := range sites {
			ps := bySite[sc.Name]
			sort.Slice(ps, func(i, j int) bool { return ps[i].URL < ps[j].URL })
			if len(ps) == 0 {
				t.Errorf("%s: no postings", sc.Name)
			}
			compareGolden(t, filepath.Join("testdata", "golden", "crawl", sc.Engine+".json"), ps)
		}
	})
	t.Run("same post at two URLs is one posting", func(t *testing.T) {
		n := 0
		for _, p := range got {
			if p.Site == "leaklounge" && p.ThreadID == "101" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("thread 101 (listed at two URLs) gave %d postings, want 1", n)
		}
		fetched := 0
		for _, r := range servers["mybb"].requestsCopy() {
			if r.URL.Query().Get("tid") == "101" {
				fetched++
			}
		}
		if fetched != 2 {
			t.Errorf("thread 101 fetched %d times, want 2 (two URLs)", fetched)
		}
	})
	t.Run("no local DNS: every name went to the SOCKS resolver", func(t *testing.T) {
		if n := dnsDuring; n != 0 {
			t.Errorf("%d local DNS lookups", n)
		}
		asked := map[string]bool{}
		for _, n := range s.resolvedNames() {
			asked[n] = true
		}
		for _, h := range []string{mybbHost, phpbbHost, pasteHost, xfHost} {
			if !asked[h] {
				t.Errorf("%s never reached the SOCKS resolver (resolved: %v)", h, s.resolvedNames())
			}
		}
	})
	t.Run("one stable SOCKS username per site", func(t *testing.T) {
		want := map[string]string{mybbHost: "semak-leaklounge", xfHost: "semak-breachdemo", phpbbHost: "semak-gudangdata", pasteHost: "semak-dumpbin"}
		count := map[string]int{}
		for _, c := range s.connectRecords() {
			if c.User != want[c.Host] {
				t.Errorf("connect to %s with username %q, want %q", c.Host, c.User, want[c.Host])
			}
			count[c.Host]++
		}
		for h := range want {
			if count[h] == 0 {
				t.Errorf("no connection for %s", h)
			}
		}
	})
	t.Run("User-Agent and Referer always sent", func(t *testing.T) {
		for engine, fs := range servers {
			for _, r := range fs.requestsCopy() {
				if r.UserAgent() != "semak-test/1.0" || r.Referer() == "" {
					t.Errorf("%s %s: User-Agent %q Referer %q", engine, r.URL, r.UserAgent(), r.Referer())
				}
			}
		}
	})
	t.Run("WARC evidence of every posting", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(opts.DataDir, "warc", "*.warc.gz"))
		if len(files) == 0 {
			t.Fatal("no WARC file")
		}
		records := 0
		for _, f := range files {
			recs, err := warc.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if err := r.Verify(); err != nil {
					t.Error(err)
				}
				if r.Header["WARC-Type"] == "response" {
					records++
				}
			}
		}
		total := 0
		for _, fs := range servers {
			total += int(fs.hits.Load())
		}
		if records != total {
			t.Errorf("%d response records for %d requests served", records, total)
		}
		for _, p := range got {
			c := p.Capture
			if c == nil {
				t.Errorf("%s: no capture", p.ID)
				continue
			}
			b, err := os.ReadFile(filepath.Join(opts.DataDir, "warc", c.WARC))
			if err != nil {
				t.Fatal(err)
			}
			rec, n, err := warc.ReadAt(b[c.Offset:])
			if err != nil {
				t.Fatalf("%s#%d: %v", c.WARC, c.Offset, err)
			}
			_, _, body, _ := rec.HTTP()
			sum := sha256.Sum256(body)
			switch {
			case !bytes.Contains(body, []byte(p.PostID)):
				t.Errorf("%s: capture %s#%d does not hold the posting's page (%s)", p.ID, c.WARC, c.Offset, rec.Header["WARC-Target-URI"])
			case n != c.Length || rec.Header["WARC-Record-ID"] != c.RecordID:
				t.Errorf("%s: capture says length %d record %s; the file has %d %s", p.ID, c.Length, c.RecordID, n, rec.Header["WARC-Record-ID"])
			case hex.EncodeToString(sum[:]) != c.PayloadSHA256:
				t.Errorf("%s: capture payload_sha256 %s, the record's payload hashes to %x", p.ID, c.PayloadSHA256, sum)
			case !c.CapturedAt.Equal(fetchedAt):
				t.Errorf("%s: captured_at %v, want the fetch time %v", p.ID, c.CapturedAt, fetchedAt)
			}
		}
	})
}

func compareGolden(t *testing.T, path string, v any) {
	t.Helper()
	goldentest.CheckJSON(t, path, v, *update)
}
