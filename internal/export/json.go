package export

import (
	"bufio"
	"bytes"
	"encoding/json"

	"github.com/semak/semak/crawler/posting"
)

// sanitize returns the exportable form of p: no inline samples, the body
// as its Excerpt, titles and the verdict basis through Redact. p's slices
// are not modified.
func sanitize(p posting.Posting) posting.Posting {
	p.Samples = nil
	if p.BodySHA256 == "" && p.Body != "" {
		p.BodySHA256 = posting.BodyHash(p.Body) // of the full body, not the excerpt
	}
	p.Title = Redact(p.Title)
	p.Body = Excerpt(p.Body)
	if len(p.Edits) > 0 {
		edits := make([]posting.Edit, len(p.Edits))
		for i, e := range p.Edits {
			e.Title = Redact(e.Title)
			edits[i] = e
		}
		p.Edits = edits
	}
	if p.Verdict != nil {
		v := *p.Verdict
		v.Basis = Redact(v.Basis)
		p.Verdict = &v
	}
	return p
}

// marshal encodes v compactly without HTML escaping (titles hold & and <).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// jsonEncoder writes
//
//	{"format":"semak-postings","generated":…,"producer":…,"query":…,"cap":…,
//	 "postings":[
//	 {posting},
//	 …
//	 ],"count":N,"truncated":false}
//
// The count comes last because a stream only knows it at the end.
type jsonEncoder struct {
	jsonArray
	opts *Options
}

// jsonArray streams the elements of the JSON array the three JSON formats
// are built around: one element a line, comma-separated.
type jsonArray struct {
	w *bufio.Writer
	n int // elements written
}

func (a *jsonArray) elem(b []byte) error {
	sep := ",\n"
	if a.n == 0 {
		sep = "\n"
	}
	a.n++
	if _, err := a.w.WriteString(sep); err != nil {
		return err
	}
	_, err := a.w.Write(b)
	return err
}

func (e *jsonEncoder) begin() error {
	head := struct {
		Format    string `json:"format"`
		Generated string `json:"generated"`
		Producer  string `json:"producer"`
		Query     string `json:"query"`
		Cap       int    `json:"cap"`
	}{"semak-postings", ts(e.opts.Now), e.opts.Producer, e.opts.Query, e.opts.Cap}
	b, err := marshal(head)
	if err != nil {
		return err
	}
	b = b[:len(b)-1] // reopen the object
	if _, err := e.w.Write(b); err != nil {
		return err
	}
	_, err = e.w.WriteString(`,"postings":[`)
	return err
}

func (e *jsonEncoder) posting(p posting.Posting, _ *Assessment) error {
	b, err := marshal(sanitize(p))
	if err != nil {
		return err
	}
	return e.elem(b)
}

func (e *jsonEncoder) end(count int, truncated bool) error {
	tail := struct {
		Count     int  `json:"count"`
		Truncated bool `json:"truncated"`
	}{count, truncated}
	b, err := marshal(tail)
	if err != nil {
		return err
	}
	if e.n > 0 {
		if err := e.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	// `],` then the tail object's members and its closing brace.
	if _, err := e.w.WriteString("],"); err != nil {
		return err
	}
	if _, err := e.w.Write(b[1:]); err != nil {
		return err
	}
	return e.w.WriteByte('\n')
}
