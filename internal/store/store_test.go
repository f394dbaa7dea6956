package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	clock = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)
	myt   = time.FixedZone("MYT", 8*3600)
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func sha(i int) string { return fmt.Sprintf("%064x", i) }

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.now = func() time.Time { return clock }
	t.Cleanup(func() { s.Close() })
	return s
}

var (
	perkeso = Org{ID: "perkeso", Name: "Pertubuhan Keselamatan Sosial", Aliases: []string{"Socso", "PERKESO"},
		Population: 9_000_000, Country: "MY", Sector: "social security"}
	kkm  = Org{ID: "kkm", Name: "Kementerian Kesihatan Malaysia", Aliases: []string{"MOH", "KKM"}, Country: "MY", Sector: "health"}
	bpjs = Org{ID: "bpjs-kes", Name: "BPJS Kesehatan", Country: "ID"}

	contributors = Source{ID: "perkeso/contributors", Anchor: "ic",
		Fields: []string{"ic", "nama", "no_tel", "employer"}, OrgOnly: []string{"employer"}}
)

// seeded returns a store holding perkeso, kkm, bpjs and perkeso/contributors.
func seeded(t *testing.T) *Store {
	t.Helper()
	s := open(t, t.TempDir())
	for _, o := range []Org{perkeso, kkm, bpjs} {
		if err := s.AddOrg(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddSource(t.Context(), contributors); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenFreshAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s := open(t, dir)
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %o, want %o", path, fi.Mode().Perm(), want)
		}
	}
	v, err := version(t.Context(), s.db)
	if err != nil || v != len(migrations) {
		t.Fatalf("version = %d, %v; want %d", v, err, len(migrations))
	}
	var mode string
	var fk, busy int
	ctx := t.Context()
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 || busy != 5000 {
		t.Fatalf("journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
	}
	if err := s.AddOrg(ctx, perkeso); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := open(t, dir)
	var rows int
	if err := s2.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_version").Scan(&rows); err != nil || rows != len(migrations) {
		t.Fatalf("schema_version rows = %d, %v: reopen must not reapply migrations", rows, err)
	}
	if _, err := s2.Org(ctx, "perkeso"); err != nil {
		t.Fatalf("org lost across reopen: %v", err)
	}
}

func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	s := open(t, dir)
	if err := s.AddOrg(t.Context(), kkm); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
}

func TestFutureVersionRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.db.ExecContext(t.Context(), `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
		len(migrations)+1, formatTime(clock)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(t.Context(), dir)
	if err == nil {
		t.Fatal("Open accepted a database from a newer semak")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", len(migrations)+1)) || !strings.Contains(err.Error(), "newer semak") {
		t.Fatalf("error %q does not explain", err)
	}
}

func TestPartialMigrationResumes(t *testing.T) {
	// A database at version 1 with a migration 2 known: Open applies only 2.
	dir := t.TempDir()
	open(t, dir).Close()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(slicesClone(saved), `CREATE TABLE extra (x INTEGER) STRICT;`)
	s := open(t, dir)
	v, err := version(t.Context(), s.db)
	if err != nil || v != len(migrations) {
		t.Fatalf("version = %d, %v", v, err)
	}
	if _, err := s.db.ExecContext(t.Context(), `INSERT INTO extra VALUES (1)`); err != nil {
		t.Fatal(err)
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func TestConcurrentOpenFresh(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := Open(t.Context(), dir)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
}

func TestOrgs(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	orgs, err := s.Orgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, ",") != "bpjs-kes,kkm,perkeso" {
		t.Fatalf("Orgs ids = %v", ids)
	}
	want := perkeso
	want.CreatedAt = clock
	if got := orgs[2]; !reflect.DeepEqual(got, want) {
		t.Fatalf("Orgs[2] = %+v\nwant %+v", got, want)
	}
	if orgs[0].Aliases == nil {
		t.Fatal("org without aliases reads back nil aliases, want empty")
	}

	// Given CreatedAt is kept, in UTC.
	created := time.Date(2024, 5, 1, 10, 0, 0, 123, myt)
	o := Org{ID: "jpn", Name: "Jabatan Pendaftaran Negara", CreatedAt: created}
	if err := s.AddOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := s.Org(ctx, "jpn")
	if err != nil || !got.CreatedAt.Equal(created) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, %v; want %v in UTC", got.CreatedAt, err, created)
	}
	// Names are trimmed.
	if err := s.AddOrg(ctx, Org{ID: "lhdn", Name: "  Lembaga Hasil Dalam Negeri ", Aliases: []string{" LHDN"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Org(ctx, "lhdn"); got.Name != "Lembaga Hasil Dalam Negeri" || got.Aliases[0] != "LHDN" {
		t.Fatalf("not trimmed: %+v", got)
	}
}

func TestOrgLookup(t *testing.T) {
	s := seeded(t)
	for _, tc := range []struct {
		query string
		want  string // org id, "" = ErrNotFound
	}{
		{"perkeso", "perkeso"},
		{"PERKESO", "perkeso"},
		{"Perkeso", "perkeso"},
		{" perkeso ", "perkeso"},
		{"PER-KESO", "perkeso"},
		{"socso", "perkeso"},
		{"SOCSO", "perkeso"},
		{"S.O.C.S.O.", "perkeso"},
		{"Ｓｏｃｓｏ", "perkeso"}, // full-width
		{"Pertubuhan Keselamatan Sosial", "perkeso"},
		{"pertubuhan keselamatan sosial", "perkeso"},
		{"PertubuhanKeselamatan-Sosial", "perkeso"},
		{"moh", "kkm"},
		{"Kementerian Kesihatan Malaysia", "kkm"},
		{"bpjs-kes", "bpjs-kes"},
		{"BPJS Kes", "bpjs-kes"},
		{"bpjs_kes", "bpjs-kes"},
		{"BPJS Kesehatan", "bpjs-kes"},
		{"bpjs", ""},
		{"socso2", ""},
		{"Keselamatan", ""},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, err := s.Org(t.Context(), tc.query)
			if tc.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Org(%q) = %v, %v; want ErrNotFound", tc.query, got.ID, err)
				}
				return
			}
			if err != nil || got.ID != tc.want {
				t.Fatalf("Org(%q) = %q, %v; want %q", tc.query, got.ID, err, tc.want)
			}
		})
	}
	for _, q := range []string{"", "  ", "--"} {
		if _, err := s.Org(t.Context(), q); !errors.Is(err, ErrInvalid) {
			t.Errorf("Org(%q) = %v, want ErrInvalid", q, err)
		}
	}
}

func TestAddOrgClashes(t *testing.T) {
	for _, tc := range []struct {
		name string
		org  Org
	}{
		{"same id", Org{ID: "perkeso", Name: "Something Else"}},
		{"id folds to other id", Org{ID: "per-keso", Name: "Something Else"}},
		{"id equals other alias", Org{ID: "socso", Name: "Something Else"}},
		{"name equals other id", Org{ID: "x", Name: "Perkeso"}},
		{"name equals other name", Org{ID: "x", Name: "PERTUBUHAN KESELAMATAN SOSIAL"}},
		{"name equals other alias", Org{ID: "x", Name: "S O C S O"}},
		{"alias equals other id", Org{ID: "x", Name: "X", Aliases: []string{"KKM"}}},
		{"alias equals other alias", Org{ID: "x", Name: "X", Aliases: []string{"ok", "m.o.h."}}},
		{"alias equals other name", Org{ID: "x", Name: "X", Aliases: []string{"bpjs kesehatan"}}},
		{"id folds to other id with underscore", Org{ID: "bpjs_kes", Name: "X"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			err := s.AddOrg(t.Context(), tc.org)
			if !errors.Is(err, ErrExists) {
				t.Fatalf("AddOrg = %v, want ErrExists", err)
			}
			// Nothing of the refused org was written.
			if orgs, _ := s.Orgs(t.Context()); len(orgs) != 3 {
				t.Fatalf("%d orgs after a refused AddOrg", len(orgs))
			}
			var n int
			if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM org_names WHERE org = ?`, tc.org.ID).Scan(&n); err != nil || (n != 0 && tc.org.ID != "perkeso") {
				t.Fatalf("org_names rows for %s: %d, %v", tc.org.ID, n, err)
			}
		})
	}
	t.Run("own names may fold alike", func(t *testing.T) {
		s := open(t, t.TempDir())
		o := Org{ID: "perkeso", Name: "PERKESO", Aliases: []string{"Perkeso", "per keso", "Socso"}}
		if err := s.AddOrg(t.Context(), o); err != nil {
			t.Fatal(err)
		}
		got, err := s.Org(t.Context(), "socso")
		if err != nil || !reflect.DeepEqual(got.Aliases, o.Aliases) {
			t.Fatalf("Org = %+v, %v", got, err)
		}
	})
	t.Run("message names the clash", func(t *testing.T) {
		s := seeded(t)
		err := s.AddOrg(t.Context(), Org{ID: "x", Name: "X", Aliases: []string{"SOCSO"}})
		for _, want := range []string{`"SOCSO"`, "perkeso", `"Socso"`} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v does not mention %s", err, want)
			}
		}
	})
}

func TestAddOrgInvalid(t *testing.T) {
	long := strings.Repeat("x", maxText+1)
	for _, tc := range []struct {
		name string
		org  Org
		msg  string
	}{
		{"empty id", Org{Name: "X"}, "org id"},
		{"upper-case id", Org{ID: "Perkeso", Name: "X"}, "lower-case"},
		{"id with space", Org{ID: "per keso", Name: "X"}, "org id"},
		{"id with slash", Org{ID: "a/b", Name: "X"}, "org id"},
		{"id starts with dash", Org{ID: "-a", Name: "X"}, "org id"},
		{"id too long", Org{ID: strings.Repeat("a", 64), Name: "X"}, "1-63"},
		{"no name", Org{ID: "x"}, "name is empty"},
		{"blank name", Org{ID: "x", Name: "  "}, "name is empty"},
		{"punctuation name", Org{ID: "x", Name: "---"}, "no letter or digit"},
		{"name too long", Org{ID: "x", Name: long}, "at most"},
		{"name with newline", Org{ID: "x", Name: "a\nb"}, "control character"},
		{"name invalid utf8", Org{ID: "x", Name: "a\xffb"}, "UTF-8"},
		{"empty alias", Org{ID: "x", Name: "X", Aliases: []string{""}}, "alias is empty"},
		{"punctuation alias", Org{ID: "x", Name: "X", Aliases: []string{"?!"}}, "no letter or digit"},
		{"negative population", Org{ID: "x", Name: "X", Population: -1}, "negative"},
		{"lower-case country", Org{ID: "x", Name: "X", Country: "my"}, "alpha-2"},
		{"three-letter country", Org{ID: "x", Name: "X", Country: "MYS"}, "alpha-2"},
		{"sector with tab", Org{ID: "x", Name: "X", Sector: "a\tb"}, "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, t.TempDir())
			err := s.AddOrg(t.Context(), tc.org)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("AddOrg = %v, want ErrInvalid mentioning %q", err, tc.msg)
			}
		})
	}
}

func TestSources(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	got, err := s.Source(ctx, "perkeso/contributors")
	if err != nil {
		t.Fatal(err)
	}
	want := contributors
	want.Org, want.CreatedAt = "perkeso", clock
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Source = %+v\nwant %+v", got, want)
	}
	if _, err := s.Source(ctx, "perkeso/nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Source absent = %v", err)
	}
	if _, err := s.Source(ctx, "perkeso"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Source bad id = %v", err)
	}
	if err := s.AddSource(ctx, contributors); !errors.Is(err, ErrExists) {
		t.Fatalf("AddSource twice = %v", err)
	}
	more := []Source{
		{ID: "kkm/mysejahtera", Org: "kkm", Anchor: "ic", Fields: []string{"ic", "phone", "vaccine_dose"}},
		{ID: "bpjs-kes/peserta", Anchor: "nik", Fields: []string{"nik", "nama"}},
		{ID: "kkm/a", Anchor: "email", Fields: []string{"email"}, CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, myt)},
	}
	for _, src := range more {
		if err := s.AddSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, src := range all {
		ids = append(ids, src.ID)
		if src.OrgOnly == nil {
			t.Errorf("%s: OrgOnly reads back nil, want empty", src.ID)
		}
	}
	if strings.Join(ids, ",") != "bpjs-kes/peserta,kkm/a,kkm/mysejahtera,perkeso/contributors" {
		t.Fatalf("Sources = %v", ids)
	}
	if all[0].Org != "bpjs-kes" {
		t.Fatalf("empty Org not taken from the id: %q", all[0].Org)
	}
	if !all[1].CreatedAt.Equal(more[2].CreatedAt) {
		t.Fatalf("CreatedAt = %v", all[1].CreatedAt)
	}
}

func TestAddSourceInvalid(t *testing.T) {
	ok := func(f func(*Source)) Source {
		src := Source{ID: "perkeso/x", Anchor: "ic", Fields: []string{"ic", "nama", "employer"}, OrgOnly: []string{"employer"}}
		f(&src)
		return src
	}
	for _, tc := range []struct {
		name string
		src  Source
		err  error
		msg  string
	}{
		{"no slash", ok(func(s *Source) { s.ID = "perkeso" }), ErrInvalid, "org/source"},
		{"bad source part", ok(func(s *Source) { s.ID = "perkeso/X" }), ErrInvalid, "org/source"},
		{"three parts", ok(func(s *Source) { s.ID = "perkeso/x/y" }), ErrInvalid, "org/source"},
		{"org mismatch", ok(func(s *Source) { s.Org = "kkm" }), ErrInvalid, "differs"},
		{"unknown org", ok(func(s *Source) { s.ID = "nobody/x" }), ErrNotFound, "register the org"},
		{"no fields", ok(func(s *Source) { s.Fields = nil; s.OrgOnly = nil }), ErrInvalid, "no fields"},
		{"anchor not a field", ok(func(s *Source) { s.Anchor = "nik" }), ErrInvalid, "anchor"},
		{"empty anchor", ok(func(s *Source) { s.Anchor = "" }), ErrInvalid, "anchor"},
		{"upper-case field", ok(func(s *Source) { s.Fields = []string{"ic", "Nama"}; s.OrgOnly = nil }), ErrInvalid, "lower-case"},
		{"field starts with digit", ok(func(s *Source) { s.Fields = []string{"ic", "1nama"}; s.OrgOnly = nil }), ErrInvalid, "starting with a letter"},
		{"field with dash", ok(func(s *Source) { s.Fields = []string{"ic", "no-tel"}; s.OrgOnly = nil }), ErrInvalid, "field name"},
		{"field too long", ok(func(s *Source) { s.Fields = []string{"ic", "a" + strings.Repeat("b", 64)}; s.OrgOnly = nil }), ErrInvalid, "1-64"},
		{"duplicate field", ok(func(s *Source) { s.Fields = []string{"ic", "nama", "nama"}; s.OrgOnly = nil }), ErrInvalid, "twice"},
		{"org-only not a field", ok(func(s *Source) { s.OrgOnly = []string{"salary"} }), ErrInvalid, "not one of its fields"},
		{"org-only anchor", ok(func(s *Source) { s.OrgOnly = []string{"ic"} }), ErrInvalid, "anchor"},
		{"org-only duplicate", ok(func(s *Source) { s.OrgOnly = []string{"employer", "employer"} }), ErrInvalid, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			err := s.AddSource(t.Context(), tc.src)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("AddSource = %v, want %v mentioning %q", err, tc.err, tc.msg)
			}
		})
	}
	t.Run("valid baseline", func(t *testing.T) {
		if err := seeded(t).AddSource(t.Context(), ok(func(*Source) {})); err != nil {
			t.Fatal(err)
		}
	})
}

func snap(source string, asOf time.Time, i int) Snapshot {
	return Snapshot{Source: source, AsOf: asOf, Rows: 100, Distinct: map[string]int64{"ic": 100, "nama": 97},
		File: fmt.Sprintf("snapshots/%s/%s.fp", source, asOf.Format(time.DateOnly)), SHA256: sha(i), LoadedBy: "dpo@perkeso"}
}

func TestSnapshots(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	if err := s.AddSource(ctx, Source{ID: "kkm/mysejahtera", Anchor: "ic", Fields: []string{"ic", "nama"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Snapshots(ctx, "perkeso/contributors"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Snapshots of a source without any = %v, %v; want empty", got, err)
	}
	// Added out of order.
	adds := []Snapshot{
		snap("perkeso/contributors", day(2024, 6, 30), 1),
		snap("kkm/mysejahtera", day(2023, 1, 1), 2),
		snap("perkeso/contributors", day(2023, 12, 31), 3),
		snap("perkeso/contributors", time.Date(2024, 1, 31, 0, 0, 0, 0, myt), 4), // a MYT midnight is 31 Jan
		snap("kkm/mysejahtera", day(2021, 7, 15), 5),
	}
	adds[1].LoadedAt = time.Date(2023, 1, 2, 8, 0, 0, 0, myt)
	adds[1].ExportSHA256 = sha(20) // kept and read back (the round trip below)
	adds[2].ExportSHA256 = sha(21)
	for _, sn := range adds {
		if err := s.AddSnapshot(ctx, sn); err != nil {
			t.Fatal(err)
		}
	}
	dates := func(snaps []Snapshot) string {
		var out []string
		for _, sn := range snaps {
			out = append(out, sn.Source+"@"+sn.AsOf.Format(time.DateOnly))
		}
		return strings.Join(out, " ")
	}
	got, err := s.Snapshots(ctx, "perkeso/contributors")
	if err != nil {
		t.Fatal(err)
	}
	if d := dates(got); d != "perkeso/contributors@2023-12-31 perkeso/contributors@2024-01-31 perkeso/contributors@2024-06-30" {
		t.Fatalf("Snapshots(perkeso) = %s", d)
	}
	all, err := s.Snapshots(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := dates(all); d != "kkm/mysejahtera@2021-07-15 kkm/mysejahtera@2023-01-01 perkeso/contributors@2023-12-31 perkeso/contributors@2024-01-31 perkeso/contributors@2024-06-30" {
		t.Fatalf("Snapshots(\"\") = %s", d)
	}
	// Round trip of every field.
	want := adds[1]
	want.LoadedAt = want.LoadedAt.UTC()
	if !reflect.DeepEqual(all[1], want) {
		t.Fatalf("snapshot = %+v\nwant %+v", all[1], want)
	}
	if all[0].LoadedAt != clock || all[2].AsOf.Location() != time.UTC || all[3].AsOf != day(2024, 1, 31) {
		t.Fatalf("times: %v %v %v", all[0].LoadedAt, all[2].AsOf, all[3].AsOf)
	}

	if err := s.AddSnapshot(ctx, snap("perkeso/contributors", day(2024, 6, 30), 9)); !errors.Is(err, ErrExists) {
		t.Fatalf("AddSnapshot same date = %v, want ErrExists", err)
	}
	// The same export under another date: refused, naming the date it has.
	again := snap("perkeso/contributors", day(2025, 6, 30), 11)
	again.ExportSHA256 = sha(21)
	if err := s.AddSnapshot(ctx, again); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "already loaded as perkeso/contributors as of 2023-12-31") {
		t.Fatalf("AddSnapshot same export = %v, want ErrExists naming 2023-12-31", err)
	}
	// Another source may hold the same export; snapshots without one never clash.
	again.Source, again.AsOf = "kkm/mysejahtera", day(2025, 6, 30)
	if err := s.AddSnapshot(ctx, again); err != nil {
		t.Fatalf("same export, another source: %v", err)
	}
	if err := s.DeleteSnapshot(ctx, "kkm/mysejahtera", day(2025, 6, 30)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshots(ctx, "perkeso/nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Snapshots unknown source = %v", err)
	}

	if err := s.DeleteSnapshot(ctx, "perkeso/contributors", time.Date(2024, 1, 31, 0, 0, 0, 0, myt)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSnapshot(ctx, "perkeso/contributors", day(2024, 1, 31)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteSnapshot twice = %v", err)
	}
	if err := s.DeleteSnapshot(ctx, "perkeso/contributors", day(2024, 1, 31).Add(time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("DeleteSnapshot not a date = %v", err)
	}
	if err := s.DeleteSnapshot(ctx, "nobody/x", day(2024, 1, 31)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteSnapshot unknown source = %v", err)
	}
	got, _ = s.Snapshots(ctx, "perkeso/contributors")
	if d := dates(got); d != "perkeso/contributors@2023-12-31 perkeso/contributors@2024-06-30" {
		t.Fatalf("after delete: %s", d)
	}
	// A deleted date can be loaded again.
	if err := s.AddSnapshot(ctx, snap("perkeso/contributors", day(2024, 1, 31), 10)); err != nil {
		t.Fatal(err)
	}
}

func TestAddSnapshotInvalid(t *testing.T) {
	const src = "perkeso/contributors"
	mod := func(f func(*Snapshot)) Snapshot {
		sn := snap(src, day(2024, 1, 31), 1)
		f(&sn)
		return sn
	}
	for _, tc := range []struct {
		name string
		sn   Snapshot
		err  error
		msg  string
	}{
		{"unknown source", mod(func(s *Snapshot) { s.Source = "perkeso/nope" }), ErrNotFound, "perkeso/nope"},
		{"bad source id", mod(func(s *Snapshot) { s.Source = "perkeso" }), ErrInvalid, "org/source"},
		{"no date", mod(func(s *Snapshot) { s.AsOf = time.Time{} }), ErrInvalid, "missing"},
		{"time of day", mod(func(s *Snapshot) { s.AsOf = day(2024, 1, 31).Add(time.Second) }), ErrInvalid, "time of day"},
		{"UTC midnight seen from MYT", mod(func(s *Snapshot) { s.AsOf = day(2024, 1, 31).In(myt) }), ErrInvalid, "time of day"},
		{"negative rows", mod(func(s *Snapshot) { s.Rows = -1; s.Distinct = nil }), ErrInvalid, "negative"},
		{"distinct unknown field", mod(func(s *Snapshot) { s.Distinct["salary"] = 3 }), ErrInvalid, "not a field"},
		{"distinct above rows", mod(func(s *Snapshot) { s.Distinct["ic"] = 101 }), ErrInvalid, "outside"},
		{"distinct negative", mod(func(s *Snapshot) { s.Distinct["ic"] = -1 }), ErrInvalid, "outside"},
		{"no file", mod(func(s *Snapshot) { s.File = "" }), ErrInvalid, "file"},
		{"absolute file", mod(func(s *Snapshot) { s.File = "/etc/passwd" }), ErrInvalid, "relative"},
		{"escaping file", mod(func(s *Snapshot) { s.File = "../other/x.fp" }), ErrInvalid, "relative"},
		{"upper-case sha", mod(func(s *Snapshot) { s.SHA256 = strings.Repeat("AB", 32) }), ErrInvalid, "hex"},
		{"short sha", mod(func(s *Snapshot) { s.SHA256 = "abc" }), ErrInvalid, "64"},
		{"no loader", mod(func(s *Snapshot) { s.LoadedBy = " " }), ErrInvalid, "loaded by"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			err := s.AddSnapshot(t.Context(), tc.sn)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("AddSnapshot = %v, want %v mentioning %q", err, tc.err, tc.msg)
			}
			if all, _ := s.Snapshots(t.Context(), ""); len(all) != 0 {
				t.Fatalf("a refused snapshot was stored: %+v", all)
			}
		})
	}
	t.Run("nil distinct is fine", func(t *testing.T) {
		s := seeded(t)
		if err := s.AddSnapshot(t.Context(), mod(func(s *Snapshot) { s.Distinct = nil })); err != nil {
			t.Fatal(err)
		}
		all, _ := s.Snapshots(t.Context(), src)
		if all[0].Distinct == nil || len(all[0].Distinct) != 0 {
			t.Fatalf("Distinct = %#v, want empty map", all[0].Distinct)
		}
	})
}

func TestForeignKeysEnforced(t *testing.T) {
	s := seeded(t)
	_, err := s.db.ExecContext(t.Context(), `INSERT INTO snapshots (source, as_of, row_count, distinct_counts, file, sha256, loaded_by, loaded_at)
VALUES ('nobody/x', '2024-01-01T00:00:00Z', 0, '{}', 'f', ?, 'me', '2024-01-01T00:00:00Z')`, sha(1))
	if err == nil {
		t.Fatal("a snapshot of an unknown source was inserted: foreign keys are off")
	}
}

// TestConcurrentReadersWhileWriting opens two Stores on one directory, as two
// semak processes would, and reads from one while the other writes. In WAL
// mode readers neither block nor fail, and each read sees a committed state.
func TestConcurrentReadersWhileWriting(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir)
	r := open(t, dir)
	ctx := t.Context()
	if err := w.AddOrg(ctx, perkeso); err != nil {
		t.Fatal(err)
	}
	if err := w.AddSource(ctx, contributors); err != nil {
		t.Fatal(err)
	}
	const n = 60
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range n {
			if err := w.AddSnapshot(ctx, snap(contributors.ID, day(2020, 1, 1).AddDate(0, 0, i), i)); err != nil {
				t.Error(err)
				return
			}
			if err := w.AddOrg(ctx, Org{ID: fmt.Sprintf("org%d", i), Name: fmt.Sprintf("Org %d", i)}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				snaps, err := r.Snapshots(ctx, contributors.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if len(snaps) < last {
					t.Errorf("snapshot count went back from %d to %d", last, len(snaps))
					return
				}
				last = len(snaps)
				if _, err := r.Orgs(ctx); err != nil {
					t.Error(err)
					return
				}
				if _, err := r.Org(ctx, "socso"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// A second writer through the reader's Store: writers queue on the
	// busy timeout instead of failing.
	wg.Go(func() {
		for i := range 20 {
			if err := r.AddOrg(ctx, Org{ID: fmt.Sprintf("other%d", i), Name: fmt.Sprintf("Other %d", i)}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	snaps, err := r.Snapshots(ctx, contributors.ID)
	if err != nil || len(snaps) != n {
		t.Fatalf("reader sees %d snapshots, %v; want %d", len(snaps), err, n)
	}
	orgs, _ := w.Orgs(ctx)
	if len(orgs) != 1+n+20 {
		t.Fatalf("writer sees %d orgs, want %d", len(orgs), 1+n+20)
	}
}

func TestContextCancelled(t *testing.T) {
	s := seeded(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Orgs(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Orgs with cancelled context = %v", err)
	}
	if err := s.AddOrg(ctx, Org{ID: "x", Name: "X"}); err == nil {
		t.Fatal("AddOrg with cancelled context succeeded")
	}
	if _, err := s.Org(t.Context(), "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("org written despite cancelled context: %v", err)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"PERKESO":               "perkeso",
		"Per-Keso":              "perkeso",
		"  s.o.c.s.o ":          "socso",
		"BPJS Kesehatan":        "bpjskesehatan",
		"Ｐｅｒｋｅｓｏ":               "perkeso",
		"Kementerian\u00a0Kes.": "kementeriankes",
		"--":                    "",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}
