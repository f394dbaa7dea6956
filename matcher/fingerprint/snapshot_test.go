package fingerprint

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testCreated = "2024-05-01T08:00:00Z"

var testFields = []string{"ic", "name", "phone", "email", "dob", "gender", "postcode", "state", "address"}

func testHeader() Header {
	return Header{Source: "perkeso/members", AsOf: "2024-04-30", Anchor: "ic", Fields: testFields, Created: testCreated}
}

// want records what was added, to check a snapshot against.
type want struct {
	anchors  map[uint64]NameFilter // first name per anchor
	bound    []map[uint64]bool
	unbound  []map[uint64]bool
	dups     int64
	noAnchor int64
	rows     int64
}

// addRealRows adds n generated rows through a real Hasher: 2% of rows
// repeat an earlier anchor, 1% have no anchor, and fields are missing at
// random. Values have realistic cardinalities (2 genders, 16 states, ...).
func addRealRows(t testing.TB, w *Writer, n int, seed uint64) *want {
	r := rand.New(rand.NewPCG(seed, 2))
	h := NewHasher(testKey(9))
	nf := len(testFields)
	wt := &want{anchors: map[uint64]NameFilter{}, bound: make([]map[uint64]bool, nf), unbound: make([]map[uint64]bool, nf)}
	for i := range nf {
		wt.bound[i], wt.unbound[i] = map[uint64]bool{}, map[uint64]bool{}
	}
	row := Row{Bound: make([]uint64, nf), Unbound: make([]uint64, nf)}
	var ics []string
	vals := make([]string, nf)
	for range n {
		ic := fmt.Sprintf("%012d", r.Int64N(1e12))
		switch x := r.IntN(100); {
		case x < 2 && len(ics) > 0:
			ic = ics[r.IntN(len(ics))]
		case x < 3:
			ic = ""
		}
		ics = append(ics, ic)
		trad := r.IntN(numTraditions)
		vals[1] = genName(r, trad)
		vals[2] = fmt.Sprintf("+601%d", r.IntN(1e9))
		vals[3] = fmt.Sprintf("user%d@example.com", r.IntN(1e7))
		vals[4] = fmt.Sprintf("19%02d-%02d-%02d", 40+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28))
		vals[5] = []string{"M", "F"}[r.IntN(2)]
		vals[6] = fmt.Sprintf("%05d", 1000+r.IntN(98000))
		vals[7] = fmt.Sprintf("state%d", r.IntN(16))
		vals[8] = fmt.Sprintf("%d jalan mawar %d", r.IntN(200), r.IntN(5000))
		row.Anchor, row.Name = None, NameFilter{}
		if ic != "" {
			row.Anchor = h.Anchor("ic", ic)
			if r.IntN(20) > 0 {
				row.Name = h.Name(row.Anchor, vals[1])
			}
		}
		for i := range nf {
			row.Bound[i], row.Unbound[i] = None, None
			if i == 0 || r.IntN(10) == 0 {
				continue // the anchor's slot, or a missing value
			}
			row.Unbound[i] = h.Unbound(testFields[i], vals[i])
			wt.unbound[i][row.Unbound[i]] = true
			if ic != "" {
				row.Bound[i] = h.Bound(testFields[i], ic, vals[i])
				wt.bound[i][row.Bound[i]] = true
			}
		}
		wt.rows++
		if ic == "" {
			wt.noAnchor++
		} else if _, dup := wt.anchors[row.Anchor]; dup {
			wt.dups++
		} else {
			wt.anchors[row.Anchor] = row.Name
		}
		if err := w.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	return wt
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap.fp")
	w, err := Create(path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	wt := addRealRows(t, w, 20000, 1)
	if w.FileSHA256() != "" {
		t.Error("FileSHA256 before Commit")
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// The digest Commit computed while writing is the file's.
	if b, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	} else if sum := sha256.Sum256(b); w.FileSHA256() != hex.EncodeToString(sum[:]) {
		t.Errorf("FileSHA256 %s, the file hashes to %x", w.FileSHA256(), sum)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	h := s.Header()
	if h.Rows != wt.rows || h.DuplicateAnchors != wt.dups || h.NoAnchor != wt.noAnchor {
		t.Errorf("header counts rows %d dups %d no-anchor %d, want %d %d %d", h.Rows, h.DuplicateAnchors, h.NoAnchor, wt.rows, wt.dups, wt.noAnchor)
	}
	if wt.dups == 0 || wt.noAnchor == 0 {
		t.Fatal("the generator made no duplicate or missing anchors")
	}
	if h.Distinct["ic"] != int64(len(wt.anchors)) {
		t.Errorf("distinct anchors %d, want %d", h.Distinct["ic"], len(wt.anchors))
	}
	for i, f := range testFields[1:] {
		if got, want := h.Distinct[f], int64(len(wt.unbound[i+1])); got != want {
			t.Errorf("distinct %s: %d, want %d", f, got, want)
		}
	}
	if h.Source != "perkeso/members" || h.AsOf != "2024-04-30" || h.Created != testCreated || len(h.Fields) != len(testFields) {
		t.Errorf("header fields changed: %+v", h)
	}
	for fp, name := range wt.anchors {
		got, ok := s.Anchor(fp)
		if !ok {
			t.Fatalf("anchor %#x not found", fp)
		}
		if got != name {
			t.Fatalf("anchor %#x: name filter differs from the first row's", fp)
		}
	}
	for i := range testFields {
		for fp := range wt.bound[i] {
			if !s.Bound(i, fp) {
				t.Fatalf("bound %s %#x not found", testFields[i], fp)
			}
			if j := i%(len(testFields)-1) + 1; j != i && s.Bound(j, fp) {
				t.Fatalf("bound %s %#x found in another field", testFields[i], fp)
			}
		}
		for fp := range wt.unbound[i] {
			if !s.Unbound(i, fp) {
				t.Fatalf("unbound %s %#x not found", testFields[i], fp)
			}
			if s.Bound(i, fp) {
				t.Fatalf("unbound %s %#x found among bound", testFields[i], fp)
			}
		}
	}
	// Absent fingerprints: with ~170k entries, 1e6 probes on every
	// section expect 17 sections × 1e6 × 1e4/2^48 ≈ 6e-4 false positives.
	r := rand.New(rand.NewPCG(99, 99))
	fps := 0
	for range 1000000 {
		fp := r.Uint64N(maxFP) + 1
		if _, ok := s.Anchor(fp); ok {
			if _, real := wt.anchors[fp]; !real {
				fps++
			}
		}
		for i := 1; i < len(testFields); i++ {
			if s.Bound(i, fp) && !wt.bound[i][fp] {
				fps++
			}
			if s.Unbound(i, fp) && !wt.unbound[i][fp] {
				fps++
			}
		}
	}
	t.Logf("false positives over 1e6 random probes of %d sections: %d; stats %+v", 2*len(testFields)-1, fps, s.Stats())
	if fps > 1 {
		t.Errorf("%d false positives over 1e6 random probes, want ~0", fps)
	}
	// Out-of-range lookups are false, not panics.
	if s.Bound(-1, 1) || s.Bound(len(testFields), 1) || s.Unbound(99, 1) || s.Bound(0, 1) {
		t.Error("out-of-range field found something")
	}
	if _, ok := s.Anchor(None); ok {
		t.Error("None found as an anchor")
	}
	if _, ok := s.Anchor(1 << 60); ok {
		t.Error("a 61-bit value found as an anchor")
	}
	st := s.Stats()
	fi, _ := os.Stat(path)
	if st.FileBytes != fi.Size() || st.Anchors != int64(len(wt.anchors)) || st.DuplicateAnchors != wt.dups {
		t.Errorf("stats %+v, file %d bytes", st, fi.Size())
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestConcurrentLookups(t *testing.T) {
	path, fps := buildSynthetic(t, t.TempDir(), 20000, 4, 5)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	var miss sync.Map
	for g := range 8 {
		wg.Go(func() {
			for i, fp := range fps.unbound[1] {
				if (i+g)%3 == 0 && !s.Unbound(1, fp) {
					miss.Store(fp, true)
				}
				if _, ok := s.Anchor(fps.anchors[i%len(fps.anchors)]); !ok {
					miss.Store(fp, true)
				}
			}
		})
	}
	wg.Wait()
	miss.Range(func(k, _ any) bool { t.Errorf("%#x not found", k); return false })
}

func TestLookupAllocs(t *testing.T) {
	path, fps := buildSynthetic(t, t.TempDir(), 10000, 2, 6)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := testing.AllocsPerRun(100, func() {
		s.Anchor(fps.anchors[7])
		s.Bound(1, fps.bound[1][3])
		s.Unbound(2, 12345)
	})
	if n != 0 {
		t.Errorf("%.1f allocations per lookup round, want 0", n)
	}
}

func TestEmptySnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.fp")
	w, err := Create(path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.Anchor(1); ok || s.Bound(1, 1) || s.Unbound(1, 1) {
		t.Error("empty snapshot found something")
	}
	if st := s.Stats(); st.Fingerprints != 0 || st.BytesPerFingerprint != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestAddRejects(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "x.fp"), testHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	nf := len(testFields)
	slot := func(i int, v uint64) []uint64 { s := make([]uint64, nf); s[i] = v; return s }
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"short slice", Row{Anchor: 1, Bound: make([]uint64, 3)}, "one per header field"},
		{"anchor slot", Row{Anchor: 1, Unbound: slot(0, 5)}, "is the anchor"},
		{"wide value", Row{Anchor: 1, Unbound: slot(2, 1<<48)}, "48-bit"},
		{"wide anchor", Row{Anchor: 1 << 50}, "48-bit"},
		{"bound without anchor", Row{Bound: slot(2, 5)}, "no anchor"},
		{"name without anchor", Row{Name: NameFilter{1}}, "no anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.Add(tt.row)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if w.h.Rows != 0 {
		t.Errorf("rejected rows counted: %d", w.h.Rows)
	}
}

// TestAddRowsSameAsAdd: rows given in batches (AddRows), mixed with rows
// given one by one, make the same file byte for byte as the same rows
// given one by one; a batch with a wrong row adds nothing and names it.
func TestAddRowsSameAsAdd(t *testing.T) {
	nf := len(testFields)
	r := rand.New(rand.NewPCG(8, 9))
	rows := make([]Row, 5000)
	for i := range rows {
		row := Row{Bound: make([]uint64, nf), Unbound: make([]uint64, nf)}
		if r.IntN(50) > 0 {
			row.Anchor = 1 + r.Uint64N(maxFP)
			if k := r.IntN(i + 1); r.IntN(5) == 0 && k < i && rows[k].Anchor != None {
				row.Anchor = rows[k].Anchor // a duplicated anchor: the first keeps its name
			}
			row.Name[r.IntN(len(row.Name))] = byte(1 + r.IntN(255))
		}
		for j := 1; j < nf; j++ {
			if r.IntN(8) == 0 {
				continue
			}
			row.Unbound[j] = 1 + r.Uint64N(1000) // values that repeat
			if row.Anchor != None {
				row.Bound[j] = 1 + r.Uint64N(maxFP)
			}
		}
		rows[i] = row
	}
	dir := t.TempDir()
	one, err := Create(filepath.Join(dir, "one.fp"), testHeader())
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if err := one.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	batched, err := Create(filepath.Join(dir, "batched.fp"), testHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer batched.Abort()
	bad := Row{Anchor: 1, Unbound: make([]uint64, nf)}
	bad.Unbound[0] = 5 // the anchor's slot
	for rest := rows; len(rest) > 0; {
		n := min(len(rest), []int{1, 7, 1024, 333}[r.IntN(4)])
		if r.IntN(3) == 0 {
			for _, row := range rest[:n] {
				if err := batched.Add(row); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			before := batched.h.Rows
			wrong := append(append([]Row{}, rest[:n]...), bad)
			if err := batched.AddRows(wrong); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("row %d of the batch", n)) {
				t.Fatalf("a batch with a wrong row: %v", err)
			}
			if batched.h.Rows != before {
				t.Fatalf("a refused batch added %d rows", batched.h.Rows-before)
			}
			if err := batched.AddRows(rest[:n]); err != nil {
				t.Fatal(err)
			}
		}
		rest = rest[n:]
	}
	if err := one.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := batched.Commit(); err != nil {
		t.Fatal(err)
	}
	if one.FileSHA256() != batched.FileSHA256() {
		t.Fatalf("batched rows made another file: %s, one by one %s", batched.FileSHA256(), one.FileSHA256())
	}
}

func TestCreateRejectsHeader(t *testing.T) {
	dir := t.TempDir()
	mod := []func(*Header){
		func(h *Header) { h.Source = "" },
		func(h *Header) { h.AsOf = "30/04/2024" },
		func(h *Header) { h.Created = "yesterday" },
		func(h *Header) { h.Anchor = "nik" },
		func(h *Header) { h.Fields = []string{"ic", "ic"} },
		func(h *Header) { h.Fields = nil },
	}
	for i, m := range mod {
		h := testHeader()
		m(&h)
		if _, err := Create(filepath.Join(dir, fmt.Sprint(i)), h); err == nil {
			t.Errorf("case %d: Create accepted %+v", i, h)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("rejected Create left %d files", len(ents))
	}
}

func TestAtomicity(t *testing.T) {
	t.Run("abort", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "s.fp")
		w, err := Create(path, testHeader())
		if err != nil {
			t.Fatal(err)
		}
		addRealRows(t, w, 100, 1)
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("Abort left %v", ents)
		}
		if err := w.Add(Row{Anchor: 1}); err == nil {
			t.Error("Add after Abort succeeded")
		}
		if err := w.Commit(); err == nil {
			t.Error("Commit after Abort succeeded")
		}
	})
	t.Run("exists", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.fp")
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Create(path, testHeader()); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Create on an existing path: %v, want fs.ErrExist", err)
		}
	})
	t.Run("exists at commit", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "s.fp")
		w, err := Create(path, testHeader())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("someone else"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Commit over a file put there meanwhile: %v, want fs.ErrExist", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "someone else" {
			t.Error("Commit replaced a file")
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("failed Commit left %d files", len(ents))
		}
	})
	t.Run("live writer survives CleanPartials", func(t *testing.T) {
		dir := t.TempDir()
		w, err := Create(filepath.Join(dir, "s.fp"), testHeader())
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		foreign := filepath.Join(dir, "other.partial-123")
		if err := os.WriteFile(foreign, []byte("not ours"), 0o600); err != nil {
			t.Fatal(err)
		}
		n, err := CleanPartials(dir)
		if err != nil || n != 0 {
			t.Errorf("CleanPartials: %d, %v; want 0 removed", n, err)
		}
		if _, err := os.Stat(w.tmp); err != nil {
			t.Error("CleanPartials removed a live writer's partial file")
		}
		if _, err := os.Stat(foreign); err != nil {
			t.Error("CleanPartials removed a file that is not a snapshot")
		}
	})
	t.Run("kill -9", testKilledWriter)
}

// testKilledWriter runs a writer in a child process, kills it with SIGKILL
// in the middle of its rows, and checks that nothing is at path and that
// CleanPartials removes what it left.
func testKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.fp")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledWriter$")
	cmd.Env = append(os.Environ(), "SEMAK_FP_CRASH_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q, %v", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a killed writer left something at path: %v", err)
	}
	parts, _ := filepath.Glob(path + ".partial-*")
	if len(parts) != 1 {
		t.Fatalf("partial files %v, want one", parts)
	}
	n, err := CleanPartials(dir)
	if err != nil || n != 1 {
		t.Errorf("CleanPartials: %d, %v; want 1 removed", n, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left after CleanPartials: %v", ents)
	}
}

// TestHelperKilledWriter is the child of testKilledWriter; it does nothing
// in a normal run.
func TestHelperKilledWriter(t *testing.T) {
	path := os.Getenv("SEMAK_FP_CRASH_PATH")
	if path == "" {
		t.Skip("helper process for TestAtomicity/kill_-9")
	}
	w, err := Create(path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	addRealRows(t, w, 1000, 3)
	fmt.Println("ready")
	time.Sleep(time.Minute) // until killed
}

func TestOpenCorrupt(t *testing.T) {
	dir := t.TempDir()
	path, _ := buildSynthetic(t, dir, 6000, 3, 7)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hl := 12 + int(good[8])<<24 | int(good[9])<<16 | int(good[10])<<8 | int(good[11])
	type variant struct {
		name string
		data []byte
	}
	var vs []variant
	for _, n := range []int{0, 7, 20, hl - 5, hl + 100, len(good) / 2, len(good) - 32, len(good) - 1} {
		vs = append(vs, variant{fmt.Sprintf("truncated to %d", n), good[:n]})
	}
	vs = append(vs, variant{"trailing byte", append(append([]byte(nil), good...), 0)})
	for _, at := range []int{0, 7, 9, 20, hl - 3, hl + 10, hl + 4<<indexBits(6000) + 3, len(good) / 2, len(good) - 40, len(good) - 1} {
		b := append([]byte(nil), good...)
		b[at] ^= 0x10
		vs = append(vs, variant{fmt.Sprintf("byte %d flipped", at), b})
	}
	for i, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("bad%d.fp", i))
			if err := os.WriteFile(p, v.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(p)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a damaged file")
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q: want ErrCorrupt naming the file", err)
			}
			t.Log(err)
		})
	}
	t.Run("missing", func(t *testing.T) {
		if _, err := Open(filepath.Join(dir, "nope.fp")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open of a missing file: %v", err)
		}
	})
}

func TestCloseThenLookup(t *testing.T) {
	path, fps := buildSynthetic(t, t.TempDir(), 5000, 2, 8)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Unbound(1, fps.unbound[1][0]) {
		t.Fatal("not found before Close")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Unbound(1, fps.unbound[1][0]) || s.Bound(1, fps.bound[1][0]) {
		t.Error("found after Close")
	}
	if _, ok := s.Anchor(fps.anchors[0]); ok {
		t.Error("anchor found after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
