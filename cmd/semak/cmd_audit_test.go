package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semak/semak/internal/store"
)

// The audit log records who exported (over the cap too), set a crawl
// cookie or registered an organisation — never the cookie — and a failed
// command twice (intent, then failure); reads are not recorded; the chain
// verifies.
func TestAuditLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv("SEMAK_USER", "analyst1")
	mustCLI(t, dir, "init")
	mustCLI(t, dir, "org", "add", "socso", "--name", "Pertubuhan Keselamatan Sosial", "--alias", "PERKESO", "--population", "1000", "--country", "MY", "--sector", "government")
	mustCLI(t, dir, "export", "--format", "json", "--limit", "20000", "--over-cap", "--query", "perkeso")
	mustCLI(t, dir, "crawl", "cookie", "set", "leaklounge", "mybbuser=SeCrEtCoOkIe")
	mustCLI(t, dir, "search", "perkeso")
	if code, _, _ := cli(t, dir, "snapshot", "load", "nosuch/source", filepath.Join(t.TempDir(), "x.csv"), "--as-of", "2024-01-01"); code == exitOK {
		t.Fatal("loading into an unknown source succeeded")
	}

	var log []store.AuditEntry
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "audit", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action)
		if a.Actor != "analyst1" || !strings.HasPrefix(a.Origin, "cli@") || a.Hash == "" {
			t.Errorf("entry %d: actor %q origin %q hash %q", a.Seq, a.Actor, a.Origin, a.Hash)
		}
	}
	want := "org add|export|crawl cookie set|snapshot load|snapshot load failed"
	if got := strings.Join(actions, "|"); got != want {
		t.Errorf("audited actions\n %s\nwant\n %s", got, want)
	}
	if len(log) == 5 {
		if d := log[1].Detail; !strings.Contains(d, "--over-cap=true") || !strings.Contains(d, "--limit=20000") || !strings.Contains(d, "--query=perkeso") {
			t.Errorf("export entry detail %q does not say it went over the cap", d)
		}
		if log[2].Object != "leaklounge" {
			t.Errorf("cookie entry object %q", log[2].Object)
		}
	}
	out := mustCLI(t, dir, "audit")
	if strings.Contains(out, "SeCrEtCoOkIe") || strings.Contains(mustCLI(t, dir, "audit", "--json"), "SeCrEtCoOkIe") {
		t.Error("the audit log holds the cookie value")
	}
	if v := mustCLI(t, dir, "audit", "verify"); !strings.Contains(v, "intact: 5 entries") {
		t.Errorf("audit verify: %s", v)
	}
}
