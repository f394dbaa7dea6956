package crawler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	socks5 "github.com/armon/go-socks5"
	"github.com/semak/semak/crawler/posting"
)

type postingT = posting.Posting

// testSOCKS is an in-process SOCKS5 server that stands in for Tor: it
// answers a plain HTTP request with Tor's 501 (so CheckTor passes), and
// records every hostname it is asked to resolve and every SOCKS username
// with the host it connected for. Hostnames resolve through its own
// table only (fake onions → fixture servers); nothing reaches real DNS.
type testSOCKS struct {
	Addr string
	ln   net.Listener

	mu       sync.Mutex
	backends map[string]string // hostname -> fixture server address
	resolved []string          // hostnames asked, in order
	connects []connectRecord
	torLike  bool
}

type connectRecord struct{ User, Host string }

type ctxKey struct{}

func startSOCKS(t *testing.T, torLike bool) *testSOCKS {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testSOCKS{Addr: ln.Addr().String(), ln: ln, backends: map[string]string{}, torLike: torLike}
	srv, err := socks5.New(&socks5.Config{
		AuthMethods: []socks5.Authenticator{socks5.UserPassAuthenticator{Credentials: anyCreds{}}},
		Resolver:    s,
		Rules:       s,
		Dial:        s.dial,
		Logger:      log.New(io.Discard, "", 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(srv, c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *testSOCKS) serve(srv *socks5.Server, c net.Conn) {
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		c.Close()
		return
	}
	if first[0] != 0x05 {
		if s.torLike {
			io.WriteString(c, "HTTP/1.0 501 Tor is not an HTTP Proxy\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<html><body><h1>This is a SOCKS Proxy, Not An HTTP Proxy</h1></body></html>")
		}
		c.Close()
		return
	}
	srv.ServeConn(&bufConn{Conn: c, r: br})
}

type bufConn struct {
	net.Conn
	r io.Reader
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

type anyCreds struct{}

func (anyCreds) Valid(user, password string) bool { return true }

// route sends hostname to a fixture server.
func (s *testSOCKS) route(hostname, addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backends[hostname] = addr
}

// Resolve records the name and gives a fake address that dial maps back.
func (s *testSOCKS) Resolve(ctx context.Context, name string) (context.Context, net.IP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resolved = append(s.resolved, name)
	if _, ok := s.backends[name]; !ok {
		return ctx, nil, fmt.Errorf("unknown host %s", name)
	}
	return context.WithValue(ctx, hostKey{}, name), net.IPv4(10, 255, 255, 1), nil
}

type hostKey struct{}

// Allow records the username and destination of each CONNECT.
func (s *testSOCKS) Allow(ctx context.Context, req *socks5.Request) (context.Context, bool) {
	user := ""
	if req.AuthContext != nil {
		user = req.AuthContext.Payload["Username"]
	}
	host := req.DestAddr.FQDN
	if host == "" {
		host = req.DestAddr.IP.String()
	}
	s.mu.Lock()
	s.connects = append(s.connects, connectRecord{User: user, Host: host})
	s.mu.Unlock()
	return context.WithValue(ctx, ctxKey{}, host), req.Command == socks5.ConnectCommand
}

func (s *testSOCKS) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	host, _ := ctx.Value(ctxKey{}).(string)
	s.mu.Lock()
	addr, ok := s.backends[host]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no route to %s", host)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (s *testSOCKS) resolvedNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.resolved...)
}

func (s *testSOCKS) connectRecords() []connectRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]connectRecord(nil), s.connects...)
}

// fixtureServer serves one fixture forum from testdata/forums/<engine>
// (routes.txt), matching path and query with the session id dropped,
// and records every request.
type fixtureServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	hits     atomic.Int64
}

func startFixture(t *testing.T, engine string) *fixtureServer {
	t.Helper()
	dir := filepath.Join("testdata", "forums", engine)
	routes := readRoutes(t, dir)
	fs := &fixtureServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.record(r)
		rt, ok := routes[normalizeRoute(r.URL.RequestURI())]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(filepath.Join(dir, rt.file))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", rt.contentType)
		w.Write(body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fixtureServer) record(r *http.Request) {
	fs.hits.Add(1)
	fs.mu.Lock()
	fs.requests = append(fs.requests, r.Clone(context.Background()))
	fs.mu.Unlock()
}

func (fs *fixtureServer) requestsCopy() []*http.Request {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]*http.Request(nil), fs.requests...)
}

type route struct{ file, contentType string }

func readRoutes(t *testing.T, dir string) map[string]route {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]route{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		r := route{file: f[1], contentType: "text/html; charset=utf-8"}
		if len(f) > 2 {
			r.contentType = f[2]
		}
		m[normalizeRoute(f[0])] = r
	}
	return m
}

func normalizeRoute(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	q := u.Query()
	q.Del("sid")
	return u.Path + "?" + q.Encode()
}

// handlerServer is a fixture server from a handler, recording requests.
func handlerServer(t *testing.T, h http.HandlerFunc) *fixtureServer {
	t.Helper()
	fs := &fixtureServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.record(r)
		h(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// closedAddr is a loopback address with nothing listening.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// testLogger captures log lines for assertions.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// fetchedAt is the pinned clock of the crawl tests: Saturday 16 December
// 2023, noon in Kuala Lumpur (the extraction goldens use the same).
var fetchedAt = time.Date(2023, 12, 16, 4, 0, 0, 0, time.UTC)

// baseOptions are fast options through s for one or more sites.
func baseOptions(t *testing.T, s *testSOCKS, sites ...SiteConfig) Options {
	t.Helper()
	lg, _ := newTestLogger()
	return Options{
		Socks:        s.Addr,
		Sites:        sites,
		DataDir:      t.TempDir(),
		UserAgent:    "semak-test/1.0",
		Now:          func() time.Time { return fetchedAt },
		Logger:       lg,
		Retries:      2,
		BackoffBase:  5 * time.Millisecond,
		BackoffMax:   50 * time.Millisecond,
		PollInterval: 5 * time.Millisecond,
	}
}

// site is a fast site config.
func site(name, base, engine string, start ...string) SiteConfig {
	return SiteConfig{Name: name, BaseURL: base, Engine: engine, Start: start, Rate: 1000, Parallelism: 2, Timeout: Duration(5 * time.Second)}
}

func collect(t *testing.T, opts Options) ([]postingT, error) {
	t.Helper()
	var mu sync.Mutex
	var got []postingT
	err := Run(context.Background(), opts, func(p postingT) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
		return nil
	})
	return got, err
}

var errStop = errors.New("stop")

// localDNS counts DNS queries sent by the process's default resolver;
// TestMain makes every such query fail. It is installed once, before
// any goroutine starts: swapping net.DefaultResolver around a crawl
// raced with dials still finishing after it (every net.Dialer reads
// the global), which -race reported in CI.
var localDNS atomic.Int64

func TestMain(m *testing.M) {
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		localDNS.Add(1)
		return nil, errors.New("local DNS is not allowed in the crawler's tests")
	}}
	os.Exit(m.Run())
}
