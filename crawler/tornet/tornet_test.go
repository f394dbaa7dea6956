package tornet

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha3"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

const page = "<html><body><h1>tornet fixture</h1><p>served behind a real onion service</p></body></html>\n"

// requireTor fails the test when tor is missing, unless SEMAK_SKIP_TOR=1
// opts out explicitly.
func requireTor(t *testing.T) {
	t.Helper()
	err := Available()
	if os.Getenv("SEMAK_SKIP_TOR") == "1" {
		if err == nil {
			err = errors.New("tor is installed but the opt-out is set")
		}
		t.Skipf("SKIPPED: SEMAK_SKIP_TOR=1 skips the private Tor network test (%v)", err)
	}
	if err != nil {
		t.Fatalf("%v\n(set SEMAK_SKIP_TOR=1 to skip this test explicitly)", err)
	}
}

func TestNetwork(t *testing.T) {
	requireTor(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()

	begin := time.Now()
	n, err := Start(context.Background(), Options{
		Target: srv.Listener.Addr().String(),
		Dir:    t.TempDir(),
		Logf:   t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = n.Stop()
		}
	})
	tm := n.Timings
	t.Logf("TIMINGS keys=%s relays-launched=%s consensus-ready=%s bootstrap=%s onion-answered=%s (attempts %d) total=%s",
		tm.Keys.Round(time.Millisecond), tm.Launched.Round(time.Millisecond), tm.Consensus.Round(time.Millisecond),
		tm.Bootstrap.Round(time.Millisecond), tm.Onion.Round(time.Millisecond), tm.Attempts,
		time.Since(begin).Round(time.Millisecond))
	if !strings.HasSuffix(n.Onion, ".onion") || len(n.Onion) != 56+len(".onion") {
		t.Errorf("Onion = %q, want a v3 onion name", n.Onion)
	}

	t.Run("Get", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		status, body, err := getRetry(ctx, t, func(ctx context.Context) (int, []byte, error) { return n.Get(ctx, "/") })
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK || string(body) != page {
			t.Errorf("Get = %d %q, want 200 %q", status, body, page)
		}
	})

	t.Run("GetAsIsolatedUser", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		status, body, err := getRetry(ctx, t, func(ctx context.Context) (int, []byte, error) { return n.GetAs(ctx, "site-a", "/") })
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK || string(body) != page {
			t.Errorf("GetAs = %d %q, want 200 %q", status, body, page)
		}
	})

	t.Run("SocksPortIsTor", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", n.SocksAddr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprint(c, "GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.TrimSpace(line), "HTTP/1.0 501 Tor is not an HTTP Proxy"; got != want {
			t.Errorf("plain HTTP on the SOCKS port: %q, want %q", got, want)
		}
	})

	t.Run("MissingOnion", func(t *testing.T) {
		missing := randomOnion(t)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		t0 := time.Now()
		c, err := DialSOCKS(ctx, n.SocksAddr, "", "", missing, 80)
		if err == nil {
			c.Close()
			t.Fatalf("connected to the non-existent %s", missing)
		}
		var se *SOCKSError
		if !errors.As(err, &se) || !se.Onion() {
			t.Fatalf("dial %s: %v, want a SOCKS reply code 0xF0-0xF7", missing, err)
		}
		t.Logf("non-existent onion %s: SOCKS reply 0x%02X (%s) after %s", missing, se.Code, SOCKSReason(se.Code), time.Since(t0).Round(time.Millisecond))
	})

	pids := n.Pids()
	if len(pids) != numAuthorities+numRelays+2 {
		t.Errorf("Pids() = %v, want %d", pids, numAuthorities+numRelays+2)
	}
	t0 := time.Now()
	if err := n.Stop(); err != nil {
		t.Error(err)
	}
	stopped = true
	t.Logf("Stop took %s", time.Since(t0).Round(time.Millisecond))
	for _, pid := range pids {
		assertGone(t, pid)
	}
}

// getRetry retries a fetch: a fresh onion circuit can fail once on a
// loaded machine.
func getRetry(ctx context.Context, t *testing.T, get func(context.Context) (int, []byte, error)) (int, []byte, error) {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 45*time.Second)
		status, body, err := get(actx)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == 3 {
			return status, body, err
		}
		t.Logf("attempt %d: %v; retrying", attempt, err)
		time.Sleep(time.Second)
	}
}

// assertGone checks that pid is no longer a live process. A killed daemon
// is reparented to init, which reaps it a little later: wait for that.
func assertGone(t *testing.T, pid int) {
	t.Helper()
	path := fmt.Sprintf("/proc/%d", pid)
	deadline := time.Now().Add(30 * time.Second)
	for {
		stat, err := os.ReadFile(path + "/stat")
		if err != nil {
			return // gone
		}
		zombie := false
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
			zombie = stat[i+2] == 'Z' || stat[i+2] == 'X'
		}
		if time.Now().After(deadline) {
			if zombie {
				t.Logf("pid %d exited but is not reaped yet by its parent (zombie)", pid)
				return
			}
			t.Errorf("pid %d still running after Stop: %s", pid, stat)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// randomOnion returns a well-formed v3 onion name for a fresh key, which no
// service publishes.
func randomOnion(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := sha3.New256()
	h.Write([]byte(".onion checksum"))
	h.Write(pub)
	h.Write([]byte{3})
	sum := h.Sum(nil)
	raw := append(append(append([]byte{}, pub...), sum[:2]...), 3)
	return strings.ToLower(base32.StdEncoding.EncodeToString(raw)) + ".onion"
}

func TestRandomOnionFormat(t *testing.T) {
	o := randomOnion(t)
	if len(o) != 62 || !strings.HasSuffix(o, "d.onion") {
		t.Errorf("randomOnion() = %q", o)
	}
}

func TestSOCKSReason(t *testing.T) {
	for code := byte(0xF0); code <= 0xF7; code++ {
		e := &SOCKSError{Code: code}
		if !e.Onion() || strings.Contains(e.Error(), "unknown") {
			t.Errorf("code 0x%02X: %v", code, e)
		}
	}
	if (&SOCKSError{Code: 1}).Onion() {
		t.Error("0x01 is not an onion code")
	}
}
