package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/semak/semak/fixtures/world"
)

// cli runs semak with --data dir and returns exit code, stdout, stderr.
func cli(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--data", dir}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, dir, args...)
	if code != exitOK {
		t.Fatalf("semak %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// TestVerifyContract drives the CLI contract of the verification engine end
// to end on a generated world: init, org add, source add, snapshot load,
// snapshot list, verify --json on every golden family.
func TestVerifyContract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	files := t.TempDir()
	w := world.New(world.Config{Seed: 7, People: 5000})

	mustCLI(t, dir, "init")
	for _, s := range w.Sources() {
		args := []string{"org", "add", s.Org, "--name", s.Name, "--population", strconv.FormatInt(s.Population, 10), "--country", s.Country, "--sector", s.Sector}
		for _, a := range s.Aliases {
			args = append(args, "--alias", a)
		}
		mustCLI(t, dir, args...)
		mustCLI(t, dir, "source", "add", s.ID, "--anchor", s.Anchor, "--fields", strings.Join(s.Fields, ","), "--org-only", strings.Join(s.OrgOnly, ","))
		for _, d := range w.SnapshotDates() {
			path := filepath.Join(files, strings.ReplaceAll(s.ID, "/", "_")+d+".csv")
			var buf bytes.Buffer
			if err := w.Export(&buf, s.ID, d); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			out := mustCLI(t, dir, "snapshot", "load", s.ID, "--as-of", d, "--json", path)
			var sum map[string]any
			if err := json.Unmarshal([]byte(out), &sum); err != nil {
				t.Fatalf("snapshot load --json: %v\n%s", err, out)
			}
			if bpf := sum["bytes_per_fingerprint"].(float64); bpf <= 0 || bpf > 12 {
				t.Errorf("bytes per fingerprint %.1f, goal ≤ 12", bpf)
			}
			if want := fmt.Sprintf("%x", sha256.Sum256(buf.Bytes())); sum["export_sha256"] != want {
				t.Errorf("export_sha256 %v, want the export's %s", sum["export_sha256"], want)
			}
		}
	}
	// The earlier leak, so that its repost is recognised.
	var leakBuf bytes.Buffer
	leak, err := w.EarlierLeak(&leakBuf)
	if err != nil {
		t.Fatal(err)
	}
	leakFile := filepath.Join(files, "earlier_leak.csv")
	if err := os.WriteFile(leakFile, leakBuf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustCLI(t, dir, "leak", "add", "--posting", leak.Posting, "--date", leak.Date, "--org", "Socso", "--title", leak.Title, leakFile); !strings.Contains(out, "1500 rows fingerprinted") {
		t.Errorf("leak add: %s", out)
	}
	if code, _, errs := cli(t, dir, "leak", "add", "--posting", leak.Posting, "--date", leak.Date, leakFile); code != exitError || !strings.Contains(errs, "already registered") {
		t.Errorf("second leak add: exit %d, %q", code, errs)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "snapshot", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 10 {
		t.Fatalf("snapshot list: %d snapshots, want 10", len(list))
	}
	for _, it := range list {
		if e, _ := it["export_sha256"].(string); len(e) != 64 {
			t.Errorf("snapshot list: %v@%v has export_sha256 %q", it["source"], it["as_of"], e)
		}
	}
	// The same export again, under another date: refused, nothing added.
	first := w.Sources()[0].ID
	again := filepath.Join(files, strings.ReplaceAll(first, "/", "_")+w.SnapshotDates()[0]+".csv")
	if code, _, errs := cli(t, dir, "snapshot", "load", first, "--as-of", "2030-01-01", again); code != exitError || !strings.Contains(errs, "already loaded as "+first+" as of "+w.SnapshotDates()[0]) {
		t.Errorf("the same export twice: exit %d, %q", code, errs)
	}
	if out := mustCLI(t, dir, "snapshot", "list", first); strings.Contains(out, "2030-01-01") {
		t.Errorf("the refused load is listed:\n%s", out)
	}

	keys := []string{"verdict", "basis", "sample", "match", "per_snapshot", "other_sources", "flags", "statement"}
	for _, fam := range world.Families() {
		t.Run(string(fam), func(t *testing.T) {
			var buf bytes.Buffer
			spec, err := w.Sample(&buf, fam)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(files, string(fam)+".csv")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			// The claim by an alias, as a spokesperson would type it.
			claim := map[string]string{"perkeso": "Socso", "kwsp": "EPF"}[spec.Claim]
			out := mustCLI(t, dir, "verify", "--claim", claim, "--claimed-count", strconv.FormatInt(spec.ClaimedCount, 10), "--json", path)
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("verify --json is not one JSON object: %v", err)
			}
			for _, k := range keys {
				if _, ok := v[k]; !ok {
					t.Errorf("key %q missing", k)
				}
			}
			if v["verdict"] != spec.Want {
				t.Errorf("verdict %v, want %s", v["verdict"], spec.Want)
			}
			var basis []string
			for _, b := range v["basis"].([]any) {
				basis = append(basis, b.(string))
			}
			for _, b := range spec.WantBasis {
				if !slices.Contains(basis, b) {
					t.Errorf("basis %v lacks %s", basis, b)
				}
			}
			sample := v["sample"].(map[string]any)
			for _, k := range []string{"sha256", "rows", "usable", "unique"} {
				if _, ok := sample[k]; !ok {
					t.Errorf("sample.%s missing", k)
				}
			}
			st := v["statement"].(map[string]any)
			if st["en"] == "" || st["ms"] == "" || st["confidence"] == "" {
				t.Errorf("statement incomplete: %v", st)
			}
			if spec.Want == "MIXED" && v["genuine_verdict"] != spec.WantGenuine {
				t.Errorf("genuine_verdict %v, want %s", v["genuine_verdict"], spec.WantGenuine)
			}
			if spec.WantSnapshot != "" {
				d, _ := v["dating"].(map[string]any)
				if d == nil || d["snapshot"] != spec.WantSnapshot || d["runner_up"] == nil || d["log10_lr"] == nil {
					t.Errorf("dating %v, want snapshot %s with runner_up and log10_lr", d, spec.WantSnapshot)
				}
			}
			// The readable report says the same.
			text := mustCLI(t, dir, "verify", "--claim", spec.Claim, "--claimed-count", strconv.FormatInt(spec.ClaimedCount, 10), path)
			if !strings.HasPrefix(text, "verdict     "+spec.Want) || !strings.Contains(text, "statement (en)") || !strings.Contains(text, "kenyataan (ms)") {
				t.Errorf("text report:\n%s", text)
			}
		})
	}

	t.Run("a canary in a partner's extract", func(t *testing.T) {
		canaries := filepath.Join(files, "canaries.csv")
		out := mustCLI(t, dir, "canary", "plant", "perkeso/contributors", "--partner", "Syarikat Analitik Data", "--as-of", "2022-06-30",
			"--count", "25", "--format", "perkeso_no=PKS#########", "--out", canaries)
		if !strings.Contains(out, "25 canary records") {
			t.Fatalf("canary plant: %s", out)
		}
		if code, _, errs := cli(t, dir, "canary", "plant", "perkeso/contributors", "--partner", "X", "--as-of", "2022-06-30", "--count", "5", "--out", canaries); code != exitError || !strings.Contains(errs, "must not exist") {
			t.Errorf("planting over an existing file: exit %d, %q", code, errs)
		}
		// The partner's extract: 2022 rows with the canaries in them,
		// leaked whole.
		export, err := os.ReadFile(filepath.Join(files, "perkeso_contributors2022-12-31.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(export), "\n")
		can, err := os.ReadFile(canaries)
		if err != nil {
			t.Fatal(err)
		}
		canLines := strings.SplitAfter(string(can), "\n")
		sample := strings.Join(lines[:201], "") + strings.Join(canLines[1:], "")
		path := filepath.Join(files, "partner_leak.csv")
		if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(mustCLI(t, dir, "verify", "--claim", "perkeso", "--json", path)), &v); err != nil {
			t.Fatal(err)
		}
		cs, _ := v["canaries"].([]any)
		if v["verdict"] != "OLD" || len(cs) != 1 || !strings.Contains(v["statement"].(map[string]any)["en"].(string), "Syarikat Analitik Data") {
			t.Fatalf("verdict %v basis %v canaries %v", v["verdict"], v["basis"], v["canaries"])
		}
		if hits := cs[0].(map[string]any)["hits"].(float64); hits != 25 {
			t.Errorf("canary hits %v, want 25", hits)
		}
		// Genuine samples hold no canary.
		var v2 map[string]any
		_ = json.Unmarshal([]byte(mustCLI(t, dir, "verify", "--claim", "perkeso", "--json", filepath.Join(files, "current_reformatted.csv"))), &v2)
		if cs2, _ := v2["canaries"].([]any); len(cs2) != 0 {
			t.Errorf("canaries in a sample without any: %v", cs2)
		}
	})

	t.Run("evidence pack", func(t *testing.T) {
		sample := filepath.Join(files, "reposted_leak.csv")
		raw, err := os.ReadFile(sample)
		if err != nil {
			t.Fatal(err)
		}
		// A MyKad of the sample, as it appears in it (dashed).
		ic := strings.Split(strings.Split(string(raw), "\n")[1], ",")[0]
		for _, ext := range []string{"md", "html"} {
			out := filepath.Join(t.TempDir(), "pack."+ext)
			mustCLI(t, dir, "verify", "--claim", "perkeso", "--report", out, sample)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			for _, want := range []string{"OLD", "known_leak", "BF-2022-0314", "s.12B", "Pasal 46", "GDPR Art. 33", "Kenyataan", "information credibility", "rule of three"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s report lacks %q", ext, want)
				}
			}
			if strings.Contains(text, ic) || strings.Contains(text, strings.ReplaceAll(ic, "-", "")) {
				t.Errorf("%s report carries a MyKad of the sample in plaintext", ext)
			}
			if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
				t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
			}
		}
		if code, _, errs := cli(t, dir, "verify", "--claim", "perkeso", "--report", "x.pdf", sample); code != exitError || !strings.Contains(errs, ".html or .md") {
			t.Errorf("--report x.pdf: exit %d %q", code, errs)
		}
	})

	t.Run("an export that does not fit the schema changes nothing", func(t *testing.T) {
		kwsp := filepath.Join(files, "kwsp_members2025-12-31.csv")
		code, _, errs := cli(t, dir, "snapshot", "load", "perkeso/contributors", "--as-of", "2026-06-30", kwsp)
		if code != exitError || !strings.Contains(errs, "perkeso/contributors does not hold") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		if _, err := os.Stat(filepath.Join(dir, "snapshots", "perkeso", "contributors", "2026-06-30.fp")); !os.IsNotExist(err) {
			t.Errorf("a snapshot file was left: %v", err)
		}
		var after []map[string]any
		_ = json.Unmarshal([]byte(mustCLI(t, dir, "snapshot", "list", "--json")), &after)
		if len(after) != 10 {
			t.Errorf("%d snapshots after a refused load, want 10", len(after))
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"verify", "--claim", "nobody", filepath.Join(files, "too_few.csv")}, "no organisation is called"},
			{[]string{"verify", filepath.Join(files, "too_few.csv")}, "--claim ORG is required"},
			{[]string{"snapshot", "load", "perkeso/contributors", "--as-of", "31/12/2025", "x.csv"}, "YYYY-MM-DD"},
			{[]string{"snapshot", "load", "perkeso/contributors", "--as-of", "2025-12-31", filepath.Join(files, "perkeso_contributors2025-12-31.csv")}, "already loaded"},
			{[]string{"snapshot", "load", "nobody/x", "--as-of", "2025-12-31", "x.csv"}, "no source nobody/x"},
			{[]string{"source", "add", "perkeso/contributors", "--anchor", "ic", "--fields", "ic,name"}, "exists"},
			{[]string{"org", "add", "x", "--name", "X", "--country", "MYS"}, "two-letter"},
		} {
			code, _, errs := cli(t, dir, tt.args...)
			if code != exitError || !strings.Contains(errs, tt.want) {
				t.Errorf("semak %s: exit %d, stderr %q, want %q", strings.Join(tt.args, " "), code, errs, tt.want)
			}
		}
		code, _, errs := cli(t, filepath.Join(t.TempDir(), "none"), "verify", "--claim", "x", "y.csv")
		if code != exitError || !strings.Contains(errs, "semak init") {
			t.Errorf("uninitialised data dir: exit %d, %q", code, errs)
		}
	})
}

// TestSealedKeyring: with SEMAK_KEYRING_PASSPHRASE set at init the keyring
// is sealed; without it, or with another one, nothing can be loaded.
func TestSealedKeyring(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv(passphraseEnv, "correct horse battery staple")
	if out := mustCLI(t, dir, "init"); !strings.Contains(out, "keyring sealed: yes") {
		t.Fatalf("init: %s", out)
	}
	mustCLI(t, dir, "org", "add", "a", "--name", "A")
	mustCLI(t, dir, "source", "add", "a/reg", "--anchor", "ic", "--fields", "ic,name")
	t.Setenv(passphraseEnv, "")
	if code, _, errs := cli(t, dir, "snapshot", "list"); code != exitError || !strings.Contains(errs, passphraseEnv) {
		t.Errorf("sealed keyring without passphrase: exit %d, %q", code, errs)
	}
	t.Setenv(passphraseEnv, "wrong")
	if code, _, errs := cli(t, dir, "snapshot", "list"); code != exitError || !strings.Contains(strings.ToLower(errs), "passphrase") {
		t.Errorf("wrong passphrase: exit %d, %q", code, errs)
	}
	t.Setenv(passphraseEnv, "correct horse battery staple")
	mustCLI(t, dir, "snapshot", "list")
}
