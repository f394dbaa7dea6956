package intake

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	utf16 := func(s string, le, bom bool) []byte {
		var b []byte
		if bom {
			if le {
				b = append(b, 0xFF, 0xFE)
			} else {
				b = append(b, 0xFE, 0xFF)
			}
		}
		for _, r := range s {
			if le {
				b = append(b, byte(r), byte(r>>8))
			} else {
				b = append(b, byte(r>>8), byte(r))
			}
		}
		return b
	}
	text := "nama,no_kp\nSiti Ñur,850101145674\n"
	tests := []struct {
		name     string
		in       []byte
		encoding string
		want     string
		err      error
		errWord  string
	}{
		{"utf-8", []byte(text), "utf-8", text, nil, ""},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, text...), "utf-8-bom", text, nil, ""},
		{"utf-16le bom", utf16(text, true, true), "utf-16le", text, nil, ""},
		{"utf-16be bom", utf16(text, false, true), "utf-16be", text, nil, ""},
		{"utf-16le no bom", utf16(text, true, false), "utf-16le", text, nil, ""},
		{"windows-1252", []byte("nama\nJos\xe9 D\x92Cruz\nNu\xf1ez\n"), "windows-1252", "nama\nJosé D’Cruz\nNuñez\n", nil, ""},
		{"utf-8 with a few bad bytes stays utf-8", []byte("nama\nSiti Ñur\n李明\nBad \xff\xfe\nAli\n"), "utf-8", "nama\nSiti Ñur\n李明\nBad \xff\xfe\nAli\n", nil, ""},
		{"empty", nil, "", "", ErrEmpty, "empty"},
		{"blank", []byte(" \n\n \t\n"), "", "", ErrEmpty, "blank"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", "", ErrNotText, "PNG"},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "", "", ErrNotText, "PDF"},
		{"elf", []byte("\x7fELF\x02\x01\x01\x00"), "", "", ErrNotText, "executable"},
		{"sqlite", []byte("SQLite format 3\x00\x10\x00"), "", "", ErrNotText, "SQLite"},
		{"nul bytes", []byte("abc\x00def\nghi"), "", "", ErrNotText, "binary"},
		{"control junk", bytes.Repeat([]byte{0x01, 0x02, 'a', 0x03}, 100), "", "", ErrNotText, "binary"},
		{"html", []byte("<!DOCTYPE html>\n<html><head><script>alert(1)</script></head><body></body></html>"), "", "", ErrNotText, "HTML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decode(bytes.NewReader(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.errWord)) {
					t.Fatalf("error %q does not say %q", err, tt.errWord)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", d.encoding, tt.encoding)
			}
			got, err := io.ReadAll(d.r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func gzipOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	name  string
	data  []byte
	flags uint16
}

func zipOf(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Flags: e.flags})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEachPart(t *testing.T) {
	csv := []byte("no_kp,nama\n850101145673,Ahmad bin Ali\n")
	many := make([]zipEntry, 100)
	for i := range many {
		many[i] = zipEntry{name: "f" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + ".csv", data: csv}
	}
	zeros := make([]byte, 40<<20)
	tests := []struct {
		name    string
		in      []byte
		parts   []string // container:name of each part
		err     error
		errWord string
	}{
		{"plain", csv, []string{":"}, nil, ""},
		{"gzip", gzipOf(t, csv), []string{"gzip:"}, nil, ""},
		{"zip", zipOf(t, zipEntry{name: "a.csv", data: csv}, zipEntry{name: "__MACOSX/._a.csv", data: []byte{0, 1}}, zipEntry{name: "b.csv", data: csv}), []string{"zip:a.csv", "zip:b.csv"}, nil, ""},
		{"gzip bomb", gzipOf(t, zeros), nil, ErrContainer, "zip bomb"},
		{"zip bomb", zipOf(t, zipEntry{name: "a.csv", data: zeros}), nil, ErrContainer, "zip bomb"},
		{"zip with too many entries", zipOf(t, many...), nil, ErrContainer, "entries"},
		{"encrypted zip", zipOf(t, zipEntry{name: "a.csv", data: csv, flags: 1}), nil, ErrContainer, "encrypted"},
		{"xlsx", zipOf(t, zipEntry{name: "[Content_Types].xml", data: []byte("<x/>")}, zipEntry{name: "xl/workbook.xml", data: []byte("<x/>")}), nil, ErrNotText, "Excel"},
		{"zip in gzip", gzipOf(t, zipOf(t, zipEntry{name: "a.csv", data: csv})), nil, ErrContainer, "another archive"},
		{"zip in zip", zipOf(t, zipEntry{name: "in.zip", data: zipOf(t, zipEntry{name: "a.csv", data: csv})}), nil, ErrContainer, "itself an archive"},
		{"truncated gzip", gzipOf(t, bytes.Repeat(csv, 2000))[:300], nil, ErrTruncated, "truncated"},
		{"truncated zip", func() []byte { z := zipOf(t, zipEntry{name: "a.csv", data: csv}); return z[:len(z)/2] }(), nil, ErrContainer, "damaged or truncated"},
		{"empty zip", zipOf(t), nil, ErrEmpty, "no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			lim := Limits{MaxEntries: 64}.withDefaults()
			err := eachPart(bytes.NewReader(tt.in), bytes.NewReader(tt.in), int64(len(tt.in)), lim, func(p part) error {
				got = append(got, p.container+":"+p.name)
				_, err := io.Copy(io.Discard, p.r)
				return err
			})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.errWord)) {
					t.Fatalf("error %q does not say %q", err, tt.errWord)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != strings.Join(tt.parts, " ") {
				t.Errorf("parts = %v, want %v", got, tt.parts)
			}
		})
	}
}

func TestUnpackedCap(t *testing.T) {
	// Two entries that are each fine but together pass the cap.
	data := bytes.Repeat([]byte("850101145673,Ahmad bin Ali,0123456789\n"), 30000)
	z := zipOf(t, zipEntry{name: "a.csv", data: data}, zipEntry{name: "b.csv", data: data})
	lim := Limits{MaxUnpacked: int64(len(data)) + 100, MaxRatio: 1 << 20}.withDefaults()
	err := eachPart(bytes.NewReader(z), bytes.NewReader(z), int64(len(z)), lim, func(p part) error {
		_, err := io.Copy(io.Discard, p.r)
		return err
	})
	if !errors.Is(err, ErrContainer) || !strings.Contains(err.Error(), "unpacked") {
		t.Fatalf("err = %v, want the unpacked-size cap", err)
	}
}
