package crawler

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semak/semak/crawler/extract"
)

func TestLoadConfig(t *testing.T) {
	t.Setenv("SEMAK_TEST_BREACHDEMO_USER", "alice")
	t.Setenv("SEMAK_TEST_BREACHDEMO_PASS", "hunter2-secret")
	f, err := os.Open(filepath.Join("testdata", "config", "valid", "sites.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites, err := LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 3 || sites[0].Parallelism != 2 || sites[1].Credentials == nil {
		t.Fatalf("sites: %+v", sites)
	}
	p, err := extract.Builtin(sites[1].Engine)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = p.OverrideNode(&sites[1].Profile); err != nil || p.Thread.Body != "article.message-body .bbWrapper" {
		t.Errorf("profile override: %q %v", p.Thread.Body, err)
	}
	// Credentials never print.
	c := sites[1].Credentials
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "creds", c.password, "all", fmt.Sprintf("%v %+v %#v", c.password, c.password, c.password))
	if strings.Contains(sb.String(), "hunter2") {
		t.Errorf("a password was printed: %s", sb.String())
	}

	for _, name := range []string{"direct-onion", "unknown-key", "bad-engine", "bad-timeout", "missing-credentials", "bad-profile"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "config", "invalid", name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = LoadConfig(f)
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	o := Options{Socks: "127.0.0.1:9050", DataDir: t.TempDir(), Sites: []SiteConfig{site("a", "http://a.onion/", "mybb"), site("a", "http://a.onion/", "mybb")}}
	err := o.Validate()
	if err == nil || !strings.Contains(err.Error(), "name used twice") || !strings.Contains(err.Error(), "also site") {
		t.Errorf("Validate = %v", err)
	}
	if err := (Options{}).Validate(); err == nil || !strings.Contains(err.Error(), "SOCKS") {
		t.Errorf("Validate = %v", err)
	}
}
