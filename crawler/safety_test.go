package crawler

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// (a) No SOCKS proxy: Run refuses before any traffic.
func TestRunRefusesWithoutSocks(t *testing.T) {
	canary := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {})
	opts := Options{Sites: []SiteConfig{site("canary", canary.URL+"/", "mybb")}, DataDir: t.TempDir()}
	_, err := collect(t, opts)
	if !errors.Is(err, ErrNoSocks) {
		t.Fatalf("err = %v, want ErrNoSocks", err)
	}
	if n := canary.hits.Load(); n != 0 {
		t.Fatalf("canary hit %d times without a proxy", n)
	}
}

// (b) The proxy is down: errors, and not one direct request.
func TestProxyDownNeverGoesDirect(t *testing.T) {
	canary := handlerServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "direct!") })
	dead := closedAddr(t)

	t.Run("Run", func(t *testing.T) {
		opts := Options{Socks: dead, AllowNonTor: true, Sites: []SiteConfig{site("canary", canary.URL+"/", "mybb")}, DataDir: t.TempDir()}
		_, err := collect(t, opts)
		if !errors.Is(err, ErrTorNotRunning) {
			t.Fatalf("err = %v, want ErrTorNotRunning", err)
		}
	})
	t.Run("transport", func(t *testing.T) {
		tr, err := newTransport(dead, "canary", false, 1, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, err = (&http.Client{Transport: tr}).Get(canary.URL)
		if !errors.Is(err, ErrProxyDown) {
			t.Fatalf("err = %v, want ErrProxyDown", err)
		}
	})
	t.Run("proxy dies after the Tor check", func(t *testing.T) {
		s := startSOCKS(t, true)
		s.route("canary.onion", canary.Listener.Addr().String())
		// A front for s that serves CheckTor's two connections and then
		// goes away, as a Tor that crashes at the start of the crawl.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for i := 0; i < 2; i++ {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				up, err := net.Dial("tcp", s.Addr)
				if err != nil {
					c.Close()
					return
				}
				go func() { io.Copy(up, c); up.Close() }()
				go func() { io.Copy(c, up); c.Close() }()
			}
			ln.Close()
		}()
		opts := baseOptions(t, s, site("canary", "http://canary.onion/", "mybb"))
		opts.Socks = ln.Addr().String()
		_, err = collect(t, opts)
		if !errors.Is(err, ErrProxyDown) {
			t.Fatalf("err = %v, want ErrProxyDown", err)
		}
	})
	if n := canary.hits.Load(); n != 0 {
		t.Fatalf("canary hit %d times: the crawler went direct", n)
	}
}

// The guard under the SOCKS client dials nothing but the proxy.
func TestGuardDialerRefusesDirect(t *testing.T) {
	canary := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {})
	g := &guardDialer{socks: "127.0.0.1:9"}
	if _, err := g.DialContext(context.Background(), "tcp", canary.Listener.Addr().String()); !errors.Is(err, ErrDirectDial) {
		t.Fatalf("err = %v, want ErrDirectDial", err)
	}
	if canary.hits.Load() != 0 {
		t.Fatal("canary reached")
	}
}

// direct_clearnet never reaches an onion, and is refused for an onion site.
func TestDirectClearnetNeverOnion(t *testing.T) {
	tr, err := newTransport("127.0.0.1:9", "x", true, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&http.Client{Transport: tr}).Get("http://" + mybbHost + "/")
	if !errors.Is(err, ErrOnionDirect) {
		t.Fatalf("err = %v, want ErrOnionDirect", err)
	}
	sc := site("x", "http://"+mybbHost+"/", "mybb")
	sc.DirectClearnet = true
	if err := sc.validate(); err == nil || !strings.Contains(err.Error(), "direct_clearnet") {
		t.Fatalf("validate = %v", err)
	}
}

// (e) CheckTor tells the operator what is wrong.
func TestCheckTor(t *testing.T) {
	httpProxy := handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "proxy auth", http.StatusProxyAuthRequired)
	})
	fakeTor := tcpServer(t, func(c net.Conn) {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		if b[0] == 0x05 {
			rest := make([]byte, 3)
			io.ReadFull(c, rest)
			c.Write([]byte{0x05, 0x00})
			return
		}
		io.WriteString(c, "HTTP/1.0 501 Tor is not an HTTP Proxy\r\n\r\n")
	})
	only501 := tcpServer(t, func(c net.Conn) { io.WriteString(c, "HTTP/1.0 501 Tor is not an HTTP Proxy\r\n\r\n") })
	plainSOCKS := startSOCKS(t, false)
	dead := closedAddr(t)
	tests := []struct {
		name, addr string
		want       error
		msg        string
	}{
		{"nothing listening", dead, ErrTorNotRunning, "Tor is not running on " + dead + ": start tor, or give --socks"},
		{"HTTP proxy on the port", httpProxy.Listener.Addr().String(), ErrHTTPProxy, "not Tor's SOCKS port"},
		{"501 but no SOCKS", only501, ErrNotSOCKS, "not a SOCKS5 server"},
		{"SOCKS but not Tor", plainSOCKS.Addr, ErrNotTor, "not Tor"},
		{"fake Tor", fakeTor, nil, ""},
		{"empty", "", ErrNoSocks, "--socks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTor(context.Background(), tc.addr)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q does not say %q", err, tc.msg)
			}
		})
	}
	t.Run("Run refuses a SOCKS server that is not Tor", func(t *testing.T) {
		opts := baseOptions(t, plainSOCKS, site("x", "http://x.onion/", "mybb"))
		if _, err := collect(t, opts); !errors.Is(err, ErrNotTor) {
			t.Fatalf("err = %v, want ErrNotTor", err)
		}
	})
}

func tcpServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// replySOCKS is a minimal SOCKS5 server that answers every CONNECT with
// one reply code, as Tor does for a failed onion (go-socks5 cannot send
// Tor's extended codes).
func replySOCKS(t *testing.T, code byte) string {
	return tcpServer(t, func(c net.Conn) {
		hdr := make([]byte, 2)
		if _, err := io.ReadFull(c, hdr); err != nil || hdr[0] != 5 {
			return
		}
		io.ReadFull(c, make([]byte, hdr[1]))
		c.Write([]byte{5, 2}) // username/password
		ver := make([]byte, 2)
		io.ReadFull(c, ver)
		io.ReadFull(c, make([]byte, ver[1]))
		pl := make([]byte, 1)
		io.ReadFull(c, pl)
		io.ReadFull(c, make([]byte, pl[0]))
		c.Write([]byte{1, 0})
		req := make([]byte, 4)
		io.ReadFull(c, req)
		switch req[3] {
		case 1:
			io.ReadFull(c, make([]byte, 4+2))
		case 3:
			n := make([]byte, 1)
			io.ReadFull(c, n)
			io.ReadFull(c, make([]byte, int(n[0])+2))
		case 4:
			io.ReadFull(c, make([]byte, 16+2))
		}
		c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
	})
}

// (f) Tor's extended SOCKS error codes are mapped to reasons.
func TestSOCKSErrorCodes(t *testing.T) {
	tests := []struct {
		code      byte
		reason    string
		transient bool
	}{
		{0xF0, "descriptor can not be found", true},
		{0xF1, "descriptor is invalid", false},
		{0xF2, "introduction failed", true},
		{0xF3, "rendezvous failed", true},
		{0xF4, "missing client authorization", false},
		{0xF5, "wrong client authorization", false},
		{0xF6, "invalid address", false},
		{0xF7, "introduction timed out", true},
		{0x06, "TTL expired", true},
		{0x04, "host unreachable", true},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			tr, err := newTransport(replySOCKS(t, tc.code), "x", false, 1, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			_, err = (&http.Client{Transport: tr}).Get("http://" + mybbHost + "/")
			var se *SOCKSError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, not a SOCKSError", err)
			}
			if se.Code != int(tc.code) || !strings.Contains(se.Reason, tc.reason) || se.Transient != tc.transient || transient(err) != tc.transient {
				t.Errorf("code 0x%02X: got %+v", tc.code, se)
			}
		})
	}
	t.Run("invalid onion address backs the site off at once", func(t *testing.T) {
		// The extended code comes from the real path: Run through a proxy
		// that answers like Tor and fails every CONNECT with 0xF6.
		s := replyTorSOCKS(t, 0xF6)
		opts := Options{Socks: s, Sites: []SiteConfig{site("bad", "http://"+mybbHost+"/", "mybb", "/forumdisplay.php?fid=2")}, DataDir: t.TempDir(),
			Retries: 3, BackoffBase: time.Millisecond, PollInterval: 5 * time.Millisecond, Now: func() time.Time { return fetchedAt }}
		lg, logs := newTestLogger()
		opts.Logger = lg
		if _, err := collect(t, opts); err != nil {
			t.Fatal(err)
		}
		st, err := loadState(opts.DataDir, "bad")
		if err != nil {
			t.Fatal(err)
		}
		if !st.DeadUntil.After(fetchedAt) || !strings.Contains(logs.String(), "invalid address") {
			t.Errorf("dead until %v; logs:\n%s", st.DeadUntil, logs)
		}
	})
}

// replyTorSOCKS answers a plain HTTP request like Tor and every SOCKS
// CONNECT with code.
func replyTorSOCKS(t *testing.T, code byte) string {
	inner := replySOCKS(t, code)
	return tcpServer(t, func(c net.Conn) {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		if b[0] != 5 {
			io.WriteString(c, "HTTP/1.0 501 Tor is not an HTTP Proxy\r\n\r\n")
			return
		}
		up, err := net.Dial("tcp", inner)
		if err != nil {
			return
		}
		defer up.Close()
		up.Write(b)
		go io.Copy(up, c)
		io.Copy(c, up)
	})
}
