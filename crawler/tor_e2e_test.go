package crawler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/semak/semak/crawler/tornet"
)

// TestTorEndToEnd crawls the MyBB fixture forum behind a real onion service
// on a private Tor network on loopback (3 authorities, 5 relays, a client,
// the service), started and stopped by pid here. It asserts the crawl gets
// the same postings through Tor as the golden crawl. Opt out only with
// SEMAK_SKIP_TOR=1; a missing tor is a failure (scripts/setup.sh installs
// it).
func TestTorEndToEnd(t *testing.T) {
	if os.Getenv("SEMAK_SKIP_TOR") == "1" {
		t.Skip("SEMAK_SKIP_TOR=1: the private-Tor end-to-end crawl is skipped on request")
	}
	if err := tornet.Available(); err != nil {
		t.Fatalf("%v (scripts/setup.sh installs tor; set SEMAK_SKIP_TOR=1 to skip this test on purpose)", err)
	}
	fs := startFixture(t, "mybb")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	n, err := tornet.Start(ctx, tornet.Options{Target: fs.Listener.Addr().String(), Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	started := time.Since(t0)

	sc := site("leaklounge", "http://"+n.Onion+"/", "mybb", "/forumdisplay.php?fid=2")
	sc.Timezone = "Asia/Kuala_Lumpur"
	sc.Timeout = Duration(90 * time.Second)
	sc.Parallelism = 1
	opts := baseOptions(t, &testSOCKS{Addr: n.SocksAddr}, sc)
	opts.Orgs = testOrgs()
	opts.Retries = 3
	opts.BackoffBase = time.Second
	opts.BackoffMax = 5 * time.Second
	t1 := time.Now()
	got, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	crawled := time.Since(t1)

	// The same posts as the golden crawl through the test SOCKS server.
	var want []struct {
		Title string `json:"title"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "crawl", "mybb.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	var gotTitles, wantTitles []string
	// (A posting's URL is the page's canonical link, which the fixture
	// pages spell with their own onion name; what was fetched is checked
	// below by the Host of every request.)
	for _, p := range got {
		gotTitles = append(gotTitles, p.Title)
	}
	for _, w := range want {
		wantTitles = append(wantTitles, w.Title)
	}
	sort.Strings(gotTitles)
	sort.Strings(wantTitles)
	if strings.Join(gotTitles, "\n") != strings.Join(wantTitles, "\n") {
		t.Errorf("postings through Tor:\n%s\nwant:\n%s", strings.Join(gotTitles, "\n"), strings.Join(wantTitles, "\n"))
	}
	reqs := fs.requestsCopy()
	if len(reqs) == 0 {
		t.Fatal("the fixture forum behind the onion saw no request")
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Host, n.Onion) {
			t.Errorf("request for host %q, want the onion", r.Host)
		}
	}
	t.Logf("private Tor network up and onion answering in %v; crawl of %d pages through it in %v; %d postings", started.Round(time.Millisecond), len(reqs), crawled.Round(time.Millisecond), len(got))
}
