// Package warc writes and reads WARC/1.1 files (ISO 28500), the web
// archive standard: every page the crawler fetched is kept as captured so
// a verdict can cite exactly what was seen, and when.
//
// Each record is its own gzip member, so a record can be read from its
// offset without decompressing the file before it (as CDX indexes do). A
// file is written under a ".open" name and renamed when it is complete
// (rotated or closed), so a reader never sees half a file under the final
// name. Payload and block digests are SHA-256 in base32, as WARC tools
// expect; Location also gives the payload digest in hex.
package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBytes is the size at which a file is rotated.
const DefaultMaxBytes = 1 << 30

// Writer appends records to rotating .warc.gz files in a directory. It is
// safe for concurrent use.
type Writer struct {
	dir, prefix string
	maxBytes    int64
	now         func() time.Time
	software    string

	mu      sync.Mutex
	f       *os.File
	name    string // final name of the open file
	off     int64
	seq     int
	infoID  string
	started string
}

// Response is one HTTP response to record.
type Response struct {
	TargetURI  string
	Date       time.Time
	StatusLine string // "HTTP/1.1 200 OK"
	Header     http.Header
	Body       []byte
	// Truncated says the body was cut at the crawler's size cap.
	Truncated bool
	// Fields are extra WARC header fields (WARC-Concurrent-To, ...).
	Fields map[string]string
}

// Location is where a record landed: enough to cite and re-read it.
type Location struct {
	File          string `json:"file"` // base name, final
	Offset        int64  `json:"offset"`
	Length        int64  `json:"length"` // compressed bytes of the record
	RecordID      string `json:"record_id"`
	PayloadSHA256 string `json:"payload_sha256"` // hex
}

// String is "file#offset", the usual way to cite a WARC record.
func (l Location) String() string { return l.File + "#" + strconv.FormatInt(l.Offset, 10) }

// NewWriter returns a Writer of files named prefix-<time>-<seq>.warc.gz in
// dir. maxBytes <= 0 means DefaultMaxBytes.
func NewWriter(dir, prefix string, maxBytes int64, now func() time.Time, software string) (*Writer, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("warc: %w", err)
	}
	return &Writer{dir: dir, prefix: prefix, maxBytes: maxBytes, now: now, software: software, started: now().UTC().Format("20060102T150405Z")}, nil
}

// WriteResponse appends a response record and returns its location.
func (w *Writer) WriteResponse(r Response) (Location, error) {
	var block bytes.Buffer
	status := r.StatusLine
	if status == "" {
		status = "HTTP/1.1 200 OK"
	}
	block.WriteString(status + "\r\n")
	if err := r.Header.Write(&block); err != nil {
		return Location{}, fmt.Errorf("warc: %w", err)
	}
	block.WriteString("\r\n")
	block.Write(r.Body)
	payload := sha256.Sum256(r.Body)
	fields := map[string]string{
		"WARC-Type":           "response",
		"WARC-Target-URI":     r.TargetURI,
		"WARC-Date":           r.Date.UTC().Format(time.RFC3339),
		"WARC-Payload-Digest": "sha256:" + b32(payload[:]),
		"Content-Type":        "application/http;msgtype=response",
	}
	if r.Truncated {
		fields["WARC-Truncated"] = "length"
	}
	for k, v := range r.Fields {
		fields[k] = v
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	loc, err := w.writeRecord(fields, block.Bytes())
	loc.PayloadSHA256 = hex.EncodeToString(payload[:])
	return loc, err
}

// Close completes the open file (renaming it into place).
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeFile()
}

func (w *Writer) closeFile() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("warc: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("warc: %w", err)
	}
	return os.Rename(filepath.Join(w.dir, w.name+".open"), filepath.Join(w.dir, w.name))
}

func (w *Writer) open() error {
	w.seq++
	w.name = fmt.Sprintf("%s-%s-%05d.warc.gz", w.prefix, w.started, w.seq)
	f, err := os.OpenFile(filepath.Join(w.dir, w.name+".open"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("warc: %w", err)
	}
	w.f, w.off = f, 0
	info := fmt.Sprintf("software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n", w.software)
	w.infoID = ""
	id := newID()
	_, err = w.append(map[string]string{
		"WARC-Type":      "warcinfo",
		"WARC-Record-ID": id,
		"WARC-Date":      w.now().UTC().Format(time.RFC3339),
		"WARC-Filename":  w.name,
		"Content-Type":   "application/warc-fields",
	}, []byte(info))
	w.infoID = id
	return err
}

func (w *Writer) writeRecord(fields map[string]string, block []byte) (Location, error) {
	if w.f == nil {
		if err := w.open(); err != nil {
			return Location{}, err
		}
	}
	fields["WARC-Record-ID"] = newID()
	fields["WARC-Warcinfo-ID"] = w.infoID
	rec := encode(fields, block)
	if w.off > 0 && w.off+int64(len(rec)) > w.maxBytes {
		if err := w.closeFile(); err != nil {
			return Location{}, err
		}
		if err := w.open(); err != nil {
			return Location{}, err
		}
		fields["WARC-Warcinfo-ID"] = w.infoID
		rec = encode(fields, block)
	}
	loc := Location{File: w.name, Offset: w.off, Length: int64(len(rec)), RecordID: fields["WARC-Record-ID"]}
	if _, err := w.f.Write(rec); err != nil {
		return Location{}, fmt.Errorf("warc: %w", err)
	}
	w.off += int64(len(rec))
	return loc, nil
}

func (w *Writer) append(fields map[string]string, block []byte) (int64, error) {
	rec := encode(fields, block)
	if _, err := w.f.Write(rec); err != nil {
		return 0, fmt.Errorf("warc: %w", err)
	}
	off := w.off
	w.off += int64(len(rec))
	return off, nil
}

// encode renders one record as its own gzip member.
func encode(fields map[string]string, block []byte) []byte {
	bd := sha256.Sum256(block)
	fields["WARC-Block-Digest"] = "sha256:" + b32(bd[:])
	fields["Content-Length"] = strconv.Itoa(len(block))
	var head bytes.Buffer
	head.WriteString("WARC/1.1\r\n")
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if fields[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return order(keys[i]) < order(keys[j]) || order(keys[i]) == order(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		head.WriteString(k + ": " + strings.NewReplacer("\r", "", "\n", "").Replace(fields[k]) + "\r\n")
	}
	head.WriteString("\r\n")
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	// Writing to a bytes.Buffer cannot fail.
	_, _ = zw.Write(head.Bytes())
	_, _ = zw.Write(block)
	_, _ = zw.Write([]byte("\r\n\r\n"))
	_ = zw.Close()
	return out.Bytes()
}

func order(k string) int {
	switch k {
	case "WARC-Type":
		return 0
	case "WARC-Record-ID":
		return 1
	case "WARC-Date":
		return 2
	case "WARC-Target-URI":
		return 3
	}
	return 4
}

func b32(b []byte) string { return base32.StdEncoding.EncodeToString(b) }

func newID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// Record is one record read back.
type Record struct {
	Offset int64             // of the record's gzip member in the file
	Length int64             // compressed bytes of the record
	Header map[string]string // WARC header fields, canonical case as written
	Block  []byte
}

// HTTP parses a response record's block into status line, header and
// payload.
func (r Record) HTTP() (status string, h http.Header, body []byte, err error) {
	br := bufio.NewReader(bytes.NewReader(r.Block))
	status, err = br.ReadString('\n')
	if err != nil {
		return "", nil, nil, fmt.Errorf("warc: record %s: no status line", r.Header["WARC-Record-ID"])
	}
	h = http.Header{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", nil, nil, fmt.Errorf("warc: record %s: header: %w", r.Header["WARC-Record-ID"], err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	body, err = io.ReadAll(br)
	return strings.TrimRight(status, "\r\n"), h, body, err
}

// Verify checks the record's block and payload digests.
func (r Record) Verify() error {
	bd := sha256.Sum256(r.Block)
	if got := "sha256:" + b32(bd[:]); r.Header["WARC-Block-Digest"] != got {
		return fmt.Errorf("warc: record %s: block digest %s, computed %s", r.Header["WARC-Record-ID"], r.Header["WARC-Block-Digest"], got)
	}
	if r.Header["WARC-Type"] != "response" {
		return nil
	}
	_, _, body, err := r.HTTP()
	if err != nil {
		return err
	}
	pd := sha256.Sum256(body)
	if got := "sha256:" + b32(pd[:]); r.Header["WARC-Payload-Digest"] != got {
		return fmt.Errorf("warc: record %s: payload digest %s, computed %s", r.Header["WARC-Record-ID"], r.Header["WARC-Payload-Digest"], got)
	}
	return nil
}

// ReadAll reads every record of a .warc.gz file.
func ReadAll(path string) ([]Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("warc: %w", err)
	}
	var recs []Record
	for off := int64(0); off < int64(len(b)); {
		rec, n, err := ReadAt(b[off:])
		if err != nil {
			return recs, fmt.Errorf("warc: %s at offset %d: %w", filepath.Base(path), off, err)
		}
		rec.Offset, rec.Length = off, n
		recs = append(recs, rec)
		off += n
	}
	return recs, nil
}

// ReadAt reads the record (one gzip member) at the start of b and returns
// it with the compressed length consumed.
func ReadAt(b []byte) (Record, int64, error) {
	cr := &countingReader{r: bytes.NewReader(b)}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return Record{}, 0, err
	}
	zr.Multistream(false)
	data, err := io.ReadAll(zr)
	if err != nil {
		return Record{}, 0, err
	}
	head, rest, ok := bytes.Cut(data, []byte("\r\n\r\n"))
	if !ok {
		return Record{}, 0, errors.New("no end of WARC header")
	}
	lines := strings.Split(string(head), "\r\n")
	if !strings.HasPrefix(lines[0], "WARC/") {
		return Record{}, 0, fmt.Errorf("not a WARC record (%q)", lines[0])
	}
	rec := Record{Header: map[string]string{}}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		rec.Header[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	n, err := strconv.Atoi(rec.Header["Content-Length"])
	if err != nil || n < 0 || n > len(rest) {
		return Record{}, 0, fmt.Errorf("bad Content-Length %q", rec.Header["Content-Length"])
	}
	rec.Block = rest[:n]
	// countingReader is an io.ByteReader, so gzip reads it byte-wise and
	// stops exactly at the member's end: n is the member's length.
	used := cr.n
	return rec, used, nil
}

type countingReader struct {
	r *bytes.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ReadByte makes gzip read byte-wise up to the member's end, so n is the
// exact member length (gzip.Reader uses io.ByteReader when present).
func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
