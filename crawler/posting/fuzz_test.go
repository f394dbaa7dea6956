package posting

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the NDJSON reader: it must never
// panic, must stop, and every posting it accepts must survive a write and
// a second read unchanged.
func FuzzReader(f *testing.F) {
	f.Add([]byte(`{"site":"a","url":"https://a.example/1","title":"one","posted_at":"2024-01-02T03:04:05+08:00","claimed_records":"12"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("reader does not stop")
			}
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var le *LineError
			if err != nil {
				if !errors.As(err, &le) {
					t.Fatalf("error without line: %v", err)
				}
				continue
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("reader returned an invalid posting: %v", err)
			}
			var buf bytes.Buffer
			if err := WriteNDJSON(&buf, p); err != nil {
				t.Fatal(err)
			}
			q, err := NewReader(&buf).Next()
			if err != nil {
				t.Fatalf("re-read %s: %v", buf.Bytes(), err)
			}
			a, _ := json.Marshal(p)
			b, _ := json.Marshal(q)
			if !bytes.Equal(a, b) {
				t.Fatalf("round trip differs:\n%s\n%s", a, b)
			}
		}
	})
}
