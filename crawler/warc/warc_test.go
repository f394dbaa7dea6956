package warc

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReadVerifyRotate(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2023, 12, 16, 4, 0, 0, 0, time.UTC)
	w, err := NewWriter(dir, "semak", 2048, func() time.Time { return at }, "semak-test")
	if err != nil {
		t.Fatal(err)
	}
	var locs []Location
	for i := 0; i < 6; i++ {
		body := []byte(strings.Repeat("row,"+string(rune('a'+i))+"\n", 100))
		loc, err := w.WriteResponse(Response{TargetURI: "http://x.onion/t?id=" + string(rune('0'+i)), Date: at, StatusLine: "HTTP/1.1 200 OK", Header: http.Header{"Content-Type": {"text/plain"}}, Body: body, Truncated: i == 5})
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.open")); len(m) != 0 {
		t.Errorf("open files left: %v", m)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) < 2 {
		t.Fatalf("no rotation at 2 KiB: %v", files)
	}
	for _, loc := range locs {
		b, err := os.ReadFile(filepath.Join(dir, loc.File))
		if err != nil {
			t.Fatal(err)
		}
		rec, n, err := ReadAt(b[loc.Offset:])
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if n != loc.Length {
			t.Errorf("%s: length %d, location says %d", loc, n, loc.Length)
		}
		if err := rec.Verify(); err != nil {
			t.Error(err)
		}
		if rec.Header["WARC-Record-ID"] != loc.RecordID || rec.Header["WARC-Type"] != "response" || rec.Header["WARC-Date"] != "2023-12-16T04:00:00Z" {
			t.Errorf("%s: header %v", loc, rec.Header)
		}
		status, h, body, err := rec.HTTP()
		if err != nil || status != "HTTP/1.1 200 OK" || h.Get("Content-Type") != "text/plain" || len(body) != 600 {
			t.Errorf("%s: %q %v %d %v", loc, status, h, len(body), err)
		}
	}
	recs, err := ReadAll(filepath.Join(dir, locs[5].File))
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Header["WARC-Type"] != "warcinfo" {
		t.Errorf("first record %q, want warcinfo", recs[0].Header["WARC-Type"])
	}
	last := recs[len(recs)-1]
	if last.Header["WARC-Truncated"] != "length" {
		t.Errorf("truncated record not marked: %v", last.Header)
	}
	// A flipped byte in the payload is caught.
	last.Block[len(last.Block)-3] ^= 1
	if err := last.Verify(); err == nil {
		t.Error("corrupted block verified")
	}
}
