package intake

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// headSize is how much of a stream the sniffers look at.
const headSize = 64 << 10

// part is one stream of text to parse: the file itself, what a gzip stream
// holds, or one zip entry.
type part struct {
	name      string    // the zip entry, "" otherwise
	container string    // "", "gzip" or "zip"
	r         io.Reader // the unpacked bytes
}

// unpacked counts bytes unpacked across all the parts of one sample, so a
// zip of many modest entries cannot add up to a bomb either.
type unpacked struct {
	lim   Limits
	total int64
}

// guard wraps a decompressing reader: it stops at the size and ratio caps
// and turns the decompressor's errors into messages a user can act on.
type guard struct {
	u        *unpacked
	r        io.Reader
	packed   func() int64 // compressed bytes consumed so far
	out      int64
	what     string // "gzip stream", "zip entry x.csv"
	declared int64  // the size the archive claims, -1 if none
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	g.u.total += int64(n)
	if g.u.total > g.u.lim.MaxUnpacked {
		return n, &streamError{
			msg:   fmt.Sprintf("more than %s unpacked from the archive", humanBytes(g.u.lim.MaxUnpacked)),
			hint:  "unpack it yourself and inspect the files one by one, or raise the unpacked-size limit",
			cause: ErrContainer,
		}
	}
	if g.out > 1<<20 {
		if pk := g.packed(); pk > 0 && g.out/pk > g.u.lim.MaxRatio {
			return n, &streamError{
				msg:   fmt.Sprintf("the %s unpacks more than %d times its packed size (compression ratio over %d:1): this looks like a zip bomb", g.what, g.u.lim.MaxRatio, g.u.lim.MaxRatio),
				hint:  "do not unpack it; if it is a genuine sample, unpack it with care and inspect the unpacked file",
				cause: ErrContainer,
			}
		}
	}
	if g.declared >= 0 && g.out > g.declared {
		return n, &streamError{
			msg:   fmt.Sprintf("the %s unpacks to more than the %d bytes its header declares", g.what, g.declared),
			hint:  "the archive is damaged or crafted; do not trust it",
			cause: ErrContainer,
		}
	}
	switch {
	case err == nil || errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = &streamError{
			msg:   fmt.Sprintf("the %s ends early, after %d unpacked bytes: the file is truncated", g.what, g.out),
			hint:  "download the complete file and try again",
			cause: errors.Join(ErrTruncated, err),
		}
	default:
		err = &streamError{
			msg:   fmt.Sprintf("the %s is damaged after %d unpacked bytes (%v)", g.what, g.out, err),
			hint:  "download the file again; a damaged archive cannot be read past this point",
			cause: errors.Join(ErrContainer, err),
		}
	}
	return n, err
}

type countingReader struct {
	r        io.Reader
	n        int64
	progress func(n int64) // called about once a MiB, when set
	next     int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && (c.n >= c.next || err != nil) {
		c.progress(c.n)
		c.next = c.n + 1<<20
	}
	return n, err
}

// eachPart calls fn for every stream of text in src: src itself, the
// content of a gzip stream, or each file of a zip archive. A zip archive
// needs random access: ra and size give it, and ra is nil for a stream.
func eachPart(src io.Reader, ra io.ReaderAt, size int64, lim Limits, fn func(p part) error) error {
	br := bufio.NewReaderSize(src, headSize)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	u := &unpacked{lim: lim}
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		cr := &countingReader{r: br}
		zr, err := gzip.NewReader(cr)
		if err != nil {
			return &streamError{msg: "the gzip header is damaged (" + err.Error() + ")", hint: "download the file again", cause: ErrContainer}
		}
		g := &guard{u: u, r: zr, packed: func() int64 { return cr.n }, what: "gzip stream", declared: -1}
		gb := bufio.NewReaderSize(g, headSize)
		if inner, _ := gb.Peek(512); isArchive(inner) {
			return &streamError{msg: "the gzip stream holds another archive", hint: "unpack it yourself and inspect the files it holds", cause: ErrContainer}
		}
		return fn(part{container: "gzip", r: gb})
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		if ra == nil {
			return &streamError{msg: "a zip archive read from a stream", hint: "save it to a file and inspect the file", cause: ErrContainer}
		}
		return eachZipEntry(ra, size, u, fn)
	}
	return fn(part{r: br})
}

func isArchive(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || (len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b)
}

// eachZipEntry checks the whole directory first (entry count, declared sizes
// and ratios, encryption, office documents), then streams each data entry.
func eachZipEntry(ra io.ReaderAt, size int64, u *unpacked, fn func(p part) error) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return &streamError{msg: "the zip archive is damaged or truncated (" + err.Error() + ")", hint: "download the complete file and try again", cause: errors.Join(ErrContainer, ErrTruncated, err)}
	}
	if len(zr.File) > u.lim.MaxEntries {
		return &streamError{msg: fmt.Sprintf("the zip archive has %d entries, more than the %d allowed", len(zr.File), u.lim.MaxEntries), hint: "unpack it yourself and inspect the files that hold the sample", cause: ErrContainer}
	}
	var files []*zip.File
	var declared uint64
	for _, f := range zr.File {
		if kind := officeKind(f.Name); kind != "" {
			return &streamError{msg: "this is " + kind + ", not a text sample", hint: "open it and save each sheet as CSV (UTF-8), then inspect the CSV", cause: ErrNotText}
		}
		if f.FileInfo().IsDir() || ignoredEntry(f.Name) {
			continue
		}
		if f.Flags&1 != 0 {
			return &streamError{msg: "zip entry " + f.Name + " is encrypted", hint: "unpack it with its password first (sellers often post it in the thread), then inspect the unpacked file", cause: ErrContainer}
		}
		if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > uint64(u.lim.MaxRatio) && f.UncompressedSize64 > 1<<20 {
			return &streamError{msg: fmt.Sprintf("zip entry %s declares %s unpacked from %s packed (compression ratio %d:1, over the %d:1 allowed): this looks like a zip bomb", f.Name, humanBytes(int64(f.UncompressedSize64)), humanBytes(int64(f.CompressedSize64)), f.UncompressedSize64/f.CompressedSize64, u.lim.MaxRatio), hint: "do not unpack it; if it is a genuine sample, unpack it with care and inspect the unpacked file", cause: ErrContainer}
		}
		declared += f.UncompressedSize64
		files = append(files, f)
	}
	if declared > uint64(u.lim.MaxUnpacked) {
		return &streamError{msg: fmt.Sprintf("the zip archive declares %s unpacked, more than the %s allowed", humanBytes(int64(declared)), humanBytes(u.lim.MaxUnpacked)), hint: "unpack it yourself and inspect the files one by one", cause: ErrContainer}
	}
	if len(files) == 0 {
		return &streamError{msg: "the zip archive holds no files", hint: "check that the right file was downloaded", cause: ErrEmpty}
	}
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			return &streamError{msg: "zip entry " + f.Name + " cannot be opened (" + err.Error() + ")", hint: "the archive is damaged or uses an unsupported method; unpack it with another tool", cause: ErrContainer}
		}
		csize := int64(f.CompressedSize64)
		g := &guard{u: u, r: rc, packed: func() int64 { return csize }, what: "zip entry " + f.Name, declared: int64(f.UncompressedSize64)}
		gb := bufio.NewReaderSize(g, headSize)
		if inner, _ := gb.Peek(512); isArchive(inner) {
			_ = rc.Close()
			return &streamError{msg: "zip entry " + f.Name + " is itself an archive", hint: "unpack it yourself and inspect the files it holds", cause: ErrContainer}
		}
		err = fn(part{name: f.Name, container: "zip", r: gb})
		_ = rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ignoredEntry skips the metadata that archivers add beside the real files.
func ignoredEntry(name string) bool {
	base := path.Base(name)
	return strings.HasPrefix(name, "__MACOSX/") || base == ".DS_Store" || base == "Thumbs.db" || strings.HasPrefix(base, "._")
}

func officeKind(name string) string {
	switch {
	case name == "xl/workbook.xml":
		return "an Excel workbook (.xlsx)"
	case name == "word/document.xml":
		return "a Word document (.docx)"
	case name == "content.xml":
		return "an OpenDocument file"
	}
	return ""
}

// decoded is a part's text as UTF-8, with what was found out on the way.
type decoded struct {
	r        *bufio.Reader
	encoding string
	// checkUTF8 is set when the text is meant to be UTF-8 but may hold
	// invalid bytes: rows with them are rejected one by one.
	checkUTF8 bool
}

// decode finds the part's encoding and returns its text as UTF-8. It refuses
// what is not text (binary, images, documents, databases, HTML pages).
func decode(r io.Reader) (decoded, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < headSize {
		br = bufio.NewReaderSize(r, headSize)
	}
	head, err := br.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return decoded{}, err
	}
	if len(bytes.TrimSpace(head)) == 0 {
		what := "the file is empty"
		if len(head) > 0 {
			what = "the file is empty: it holds only blank space"
		}
		return decoded{}, &streamError{msg: what, hint: "check that the right file was saved", cause: ErrEmpty}
	}
	if kind := binaryKind(head); kind != "" {
		return decoded{}, &streamError{msg: "this is " + kind + ", not a text sample", hint: hintFor(kind), cause: ErrNotText}
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		if _, err := br.Discard(3); err != nil {
			return decoded{}, err
		}
		return textOf(br, "utf-8-bom", true)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return utf16Text(br, unicode.LittleEndian, unicode.ExpectBOM, "utf-16le")
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return utf16Text(br, unicode.BigEndian, unicode.ExpectBOM, "utf-16be")
	}
	if e, ok := utf16WithoutBOM(head); ok {
		return utf16Text(br, e, unicode.IgnoreBOM, map[unicode.Endianness]string{unicode.LittleEndian: "utf-16le", unicode.BigEndian: "utf-16be"}[e])
	}
	if looksBinary(head) {
		return decoded{}, &streamError{msg: "this is binary data, not a text sample", hint: "check that the right file was downloaded; if it is an archive or a database, export the table as CSV first", cause: ErrNotText}
	}
	if looksHTML(head) {
		return decoded{}, &streamError{msg: "this is an HTML page, not a sample", hint: "the page was saved instead of the sample: copy the sample text out of it, or download the file it links to", cause: ErrNotText}
	}
	if legacy8bit(head) {
		return decoded{r: bufio.NewReaderSize(transform.NewReader(br, charmap.Windows1252.NewDecoder()), headSize), encoding: "windows-1252"}, nil
	}
	return textOf(br, "utf-8", true)
}

func textOf(br *bufio.Reader, enc string, check bool) (decoded, error) {
	return decoded{r: br, encoding: enc, checkUTF8: check}, nil
}

func utf16Text(br *bufio.Reader, e unicode.Endianness, bom unicode.BOMPolicy, name string) (decoded, error) {
	t := transform.NewReader(br, unicode.UTF16(e, bom).NewDecoder())
	tb := bufio.NewReaderSize(t, headSize)
	head, err := tb.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return decoded{}, err
	}
	if looksBinary(head) {
		return decoded{}, &streamError{msg: "this decodes as " + name + " but is binary data, not text", hint: "check that the right file was downloaded", cause: ErrNotText}
	}
	return decoded{r: tb, encoding: name}, nil
}

// utf16WithoutBOM spots UTF-16 text saved without a byte order mark: text in
// Latin script then has a zero in every other byte.
func utf16WithoutBOM(head []byte) (unicode.Endianness, bool) {
	n := len(head) &^ 1
	if n < 16 {
		return unicode.LittleEndian, false
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	pairs := n / 2
	switch {
	case zeroOdd*10 >= pairs*7 && zeroEven*20 < pairs:
		return unicode.LittleEndian, true
	case zeroEven*10 >= pairs*7 && zeroOdd*20 < pairs:
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// binaryKind names well-known binary formats by their magic bytes.
func binaryKind(head []byte) string {
	magics := []struct {
		magic []byte
		kind  string
	}{
		{[]byte("\x89PNG\r\n\x1a\n"), "a PNG image"},
		{[]byte("\xff\xd8\xff"), "a JPEG image"},
		{[]byte("GIF8"), "a GIF image"},
		{[]byte("%PDF-"), "a PDF document"},
		{[]byte("\x7fELF"), "an executable (ELF)"},
		{[]byte("MZ"), "a Windows executable"},
		{[]byte("7z\xbc\xaf\x27\x1c"), "a 7-Zip archive"},
		{[]byte("Rar!\x1a\x07"), "a RAR archive"},
		{[]byte("BZh"), "a bzip2 archive"},
		{[]byte("\xfd7zXZ\x00"), "an xz archive"},
		{[]byte("\x28\xb5\x2f\xfd"), "a zstd archive"},
		{[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "an old Microsoft Office file (.xls/.doc)"},
		{[]byte("SQLite format 3\x00"), "an SQLite database"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			if m.kind == "a bzip2 archive" && (len(head) < 4 || head[3] < '1' || head[3] > '9') {
				continue
			}
			if m.kind == "a Windows executable" && !bytes.Contains(head[:min(len(head), 512)], []byte("This program")) {
				continue
			}
			return m.kind
		}
	}
	if len(head) > 262 && bytes.Equal(head[257:262], []byte("ustar")) {
		return "a tar archive"
	}
	return ""
}

func hintFor(kind string) string {
	switch {
	case strings.Contains(kind, "archive"):
		return "unpack it yourself and inspect the files it holds (gzip and zip are read directly)"
	case strings.Contains(kind, "SQLite"):
		return "export the table as CSV (sqlite3 -csv -header db 'select * from t') and inspect that"
	case strings.Contains(kind, "Office"):
		return "open it and save each sheet as CSV (UTF-8), then inspect the CSV"
	}
	return "check that the right file was downloaded; samples are text: CSV, JSON, SQL dumps or pasted records"
}

// looksBinary says whether text holds bytes that text files do not: NULs,
// or more than 1% other control characters.
func looksBinary(head []byte) bool {
	ctrl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1a:
			ctrl++
		case c == 0x7f:
			ctrl++
		}
	}
	return ctrl*100 > len(head)
}

func looksHTML(head []byte) bool {
	t := bytes.ToLower(bytes.TrimSpace(head[:min(len(head), 1024)]))
	return bytes.HasPrefix(t, []byte("<!doctype html")) || bytes.HasPrefix(t, []byte("<html")) ||
		(bytes.HasPrefix(t, []byte("<")) && (bytes.Contains(t, []byte("<head")) || bytes.Contains(t, []byte("<body"))))
}

// legacy8bit says whether head is better read as Windows-1252 than UTF-8:
// it has bytes above 0x7F and they form no valid multi-byte UTF-8 sequence,
// or far fewer valid ones than invalid ones. A UTF-8 file with a few bad
// bytes stays UTF-8 and has those rows rejected one by one.
func legacy8bit(head []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n <= 1 {
			if len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:]) {
				break // cut at the end of the head
			}
			invalid++
			i++
			continue
		}
		valid++
		i += n
	}
	return invalid > 0 && invalid > 2*valid
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}
