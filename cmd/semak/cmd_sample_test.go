package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/semak/semak/internal/goldentest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semak/semak/fixtures"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenDir is absolute: the tests change into the fixtures directory.
var goldenDir = func() string {
	d, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		panic(err)
	}
	return d
}()

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldentest.Check(t, filepath.Join(goldenDir, name), got, *update)
}

// semak runs the CLI in-process from the fixtures directory, so paths in
// the output are relative and the golden files do not depend on where the
// checkout lives.
func semak(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(fixtures.Dir())
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectGolden(t *testing.T) {
	for _, tt := range []struct{ golden, file string }{
		{"inspect_csv_ms_semicolon.txt", "valid/csv_ms_semicolon.csv"},
		{"inspect_csv_lying_header.txt", "valid/csv_lying_header.csv"},
		{"inspect_kv_blocks.txt", "valid/kv_blocks.txt"},
		{"inspect_mysql_dump.txt", "valid/mysql_dump.sql"},
		{"inspect_sample_zip.txt", "valid/sample.zip"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			code, out, errs := semak(t, "sample", "inspect", tt.file)
			if code != exitOK || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			golden(t, tt.golden, []byte(out))
		})
	}
}

func TestInspectJSONGolden(t *testing.T) {
	code, out, errs := semak(t, "sample", "inspect", "--json", "valid/id_nik.csv")
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not one JSON object: %v", err)
	}
	for _, k := range []string{"file", "sha256", "parts", "rows", "usable", "unique", "rejected", "preview"} {
		if _, ok := v[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	golden(t, "inspect_id_nik.json", []byte(out))
}

func TestInspectEveryFixture(t *testing.T) {
	for _, ex := range fixtures.Valid {
		t.Run(ex.File, func(t *testing.T) {
			code, out, errs := semak(t, "sample", "inspect", ex.File)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for col, field := range ex.Columns {
				if !strings.Contains(out, col) || !strings.Contains(out, field) {
					t.Errorf("output does not show %s -> %s", col, field)
				}
			}
		})
	}
	for _, ex := range fixtures.Invalid {
		t.Run(ex.File, func(t *testing.T) {
			code, out, errs := semak(t, "sample", "inspect", ex.File)
			if code != exitError {
				t.Fatalf("exit %d, want %d", code, exitError)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.HasPrefix(errs, "semak: "+ex.File+": ") || !strings.Contains(strings.ToLower(errs), strings.ToLower(ex.ErrorContains)) {
				t.Errorf("stderr %q: want the file named and %q", errs, ex.ErrorContains)
			}
		})
	}
}

func TestInspectFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stdout on success, stderr on error
	}{
		{[]string{"sample", "inspect", "--map", "phone=-", "valid/csv_lying_header.csv"}, exitOK, "skipped"},
		{[]string{"sample", "inspect", "--map", "nope", "valid/csv_lying_header.csv"}, exitError, "want COLUMN=FIELD"},
		{[]string{"sample", "inspect", "--map", "zz=ic", "valid/csv_lying_header.csv"}, exitError, "no column is named"},
		{[]string{"sample", "inspect", "--region", "MYS", "valid/csv_lying_header.csv"}, exitError, "two-letter"},
		{[]string{"sample", "inspect", "valid/no_such_file.csv"}, exitError, "no such file"},
		{[]string{"sample", "inspect"}, exitError, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := semak(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			where := out
			if code != exitOK {
				where = errs
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("output %q does not contain %q", where, tt.want)
			}
		})
	}
}

func TestInspectStdin(t *testing.T) {
	in, err := fixtures.FS.ReadFile("valid/csv_en_header.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"sample", "inspect", "-"}, bytes.NewReader(in), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "sample  stdin") || !strings.Contains(out.String(), "parsed 20, usable 19") {
		t.Errorf("output:\n%s", out.String())
	}
}
