package crawler

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semak/semak/crawler/frontier"
)

// loginForum serves a members-only MyBB: the listing and thread show only
// with the session cookie that POST /member.php sets for the right
// username and password.
func loginForum(t *testing.T, s *testSOCKS, name, user, pass string, logins *atomic.Int64, badForms *atomic.Int64) (SiteConfig, *fixtureServer) {
	return onionSite(t, s, name, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/member.php" {
			if r.Method != http.MethodPost {
				http.Error(w, "POST only", http.StatusMethodNotAllowed)
				return
			}
			logins.Add(1)
			if r.PostFormValue("username") != user || r.PostFormValue("password") != pass || r.PostFormValue("action") != "do_login" {
				badForms.Add(1)
				io.WriteString(w, `<html><body>Please correct the following errors before continuing: invalid username/password</body></html>`)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "mybbuser", Value: "7_s3ss10n", Path: "/", Expires: time.Now().Add(24 * time.Hour), HttpOnly: true})
			io.WriteString(w, `<html><body>You have successfully been logged in.</body></html>`)
			return
		}
		if ck, err := r.Cookie("mybbuser"); err != nil || ck.Value != "7_s3ss10n" {
			io.WriteString(w, mybbListing(nil, "")) // guests see an empty board
			return
		}
		switch r.URL.Path {
		case "/list":
			io.WriteString(w, mybbListing([]string{"/showthread.php?tid=1"}, ""))
		case "/showthread.php":
			io.WriteString(w, mybbThread)
		default:
			http.NotFound(w, r)
		}
	}, "/list")
}

// Logins: the form is posted once with the credentials from the
// environment, on the site's own circuit; the session cookie survives a
// restart so the next run does not log in again; a refused login is an
// error in crawl status and the crawl goes on as a guest; and the
// credentials appear in no log line, WARC record, state or cookie file.
func TestLogin(t *testing.T) {
	const user, pass = "penyiasat_semak", "Rahsia-Sangat-9f3b"
	t.Setenv("SEMAK_TEST_FORUM_USER", user)
	t.Setenv("SEMAK_TEST_FORUM_PASS", pass)
	t.Setenv("SEMAK_TEST_FORUM_BADPASS", "wrong-"+pass)
	s := startSOCKS(t, true)
	var logins, bad, badLogins, badBad atomic.Int64
	sc, _ := loginForum(t, s, "members", user, pass, &logins, &bad)
	creds := func(passEnv string) *Credentials {
		return &Credentials{UsernameEnv: "SEMAK_TEST_FORUM_USER", PasswordEnv: passEnv, LoginPath: "/member.php", Extra: map[string]string{"action": "do_login"}}
	}
	sc.Credentials = creds("SEMAK_TEST_FORUM_PASS")
	wrong, _ := loginForum(t, s, "refused", user, pass, &badLogins, &badBad)
	wrong.Credentials = creds("SEMAK_TEST_FORUM_BADPASS")

	opts := baseOptions(t, s, sc, wrong)
	lg, logs := newTestLogger()
	opts.Logger = lg
	got, err := collect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Site != "members" {
		t.Fatalf("postings %v, want the members-only thread", got)
	}
	if logins.Load() != 1 || bad.Load() != 0 {
		t.Errorf("logins %d (bad forms %d), want 1 good login", logins.Load(), bad.Load())
	}
	for _, c := range s.connectRecords() {
		if c.Host == "members.onion" && c.User != "semak-members" {
			t.Errorf("a request to members.onion went on circuit %q", c.User)
		}
	}

	// The refused login is reported, and the site crawled as a guest.
	if badLogins.Load() != 1 {
		t.Errorf("refused site: %d login attempts, want 1", badLogins.Load())
	}
	st, err := Status(opts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range st {
		switch ss.Site {
		case "refused":
			if ss.Errors != 1 || !strings.Contains(ss.RecentErrors[0].Reason, "login failed") {
				t.Errorf("refused site status: %+v, want a login error", ss)
			}
		case "members":
			if ss.Errors != 0 {
				t.Errorf("members site status errors: %+v", ss.RecentErrors)
			}
		}
	}

	// Restart: the cookie jar on disk keeps the session; no new login.
	later := fetchedAt.Add(30 * 24 * time.Hour)
	opts.Now = func() time.Time { return later }
	opts.Frontier = frontier.NewMemory()
	opts.Sites = []SiteConfig{sc}
	if _, err := collect(t, opts); err != nil {
		t.Fatal(err)
	}
	if logins.Load() != 1 {
		t.Errorf("logged in %d times over two runs; the saved session was not reused", logins.Load())
	}
	if !strings.Contains(logs.String(), "logged in") {
		t.Error("the login is not logged")
	}

	// Nowhere on disk or in the logs: the username and the password.
	secrets := []string{user, pass}
	for _, sec := range secrets {
		if strings.Contains(logs.String(), sec) {
			t.Errorf("the logs hold a credential")
		}
	}
	err = filepath.Walk(opts.DataDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".warc.gz") {
			b = gunzipAll(t, b)
		}
		for _, sec := range secrets {
			if strings.Contains(string(b), sec) {
				t.Errorf("%s holds a credential", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// gunzipAll reads every gzip member of b (a WARC file is one per record).
func gunzipAll(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
