package intake

import (
	"bytes"
	"strings"
	"testing"
)

// TestArena: the strings an arena hands out keep their text while the
// slices they were made of are overwritten and more strings fill the
// block and the next, long ones included.
func TestArena(t *testing.T) {
	var a arena
	var got, want []string
	buf := make([]byte, 0, arenaBlock)
	for i := 0; i < 3*arenaBlock/50; i++ {
		n := i % 97
		if i%41 == 0 {
			n = arenaMax + i%3 // its own allocation
		}
		buf = append(buf[:0], strings.Repeat(string(rune('a'+i%26)), n)...)
		got = append(got, a.string(buf))
		want = append(want, string(buf))
		for j := range buf {
			buf[j] = '#'
		}
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
	if s := a.string(nil); s != "" {
		t.Errorf("empty slice gave %q", s)
	}
	if s := a.string(bytes.Repeat([]byte("x"), arenaMax+1)); len(s) != arenaMax+1 {
		t.Errorf("long text came back %d bytes long", len(s))
	}
}
