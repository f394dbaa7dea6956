package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// Sentinel errors a caller (the CLI) branches on.
var (
	// ErrNoSocks: Run and CheckTor refuse to start without a SOCKS proxy.
	ErrNoSocks = errors.New("no SOCKS proxy given: the crawler only runs through Tor (give --socks 127.0.0.1:9050)")
	// ErrProxyDown: the SOCKS proxy stopped answering. The crawler stops
	// rather than going direct.
	ErrProxyDown = errors.New("the SOCKS proxy is not answering")
	// ErrDirectDial: something tried to dial a host other than the proxy.
	// It never leaves the process; seeing it means a bug, and the run stops.
	ErrDirectDial = errors.New("refused a direct connection (only the SOCKS proxy may be dialled)")
	// ErrOnionDirect: a direct_clearnet site tried to reach an onion.
	ErrOnionDirect = errors.New("refused to reach an .onion host outside Tor")
)

// guardDialer is the only dialer under the SOCKS client: it dials the
// proxy's address and nothing else, so no request can go direct whatever
// colly, net/http or a redirect asks for.
type guardDialer struct {
	socks string
	d     net.Dialer
}

// Dial is there because proxy.SOCKS5 takes a proxy.Dialer; the SOCKS
// client calls DialContext, so the background context is never used.
func (g *guardDialer) Dial(network, addr string) (net.Conn, error) {
	return g.DialContext(context.Background(), network, addr)
}

func (g *guardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != g.socks || (network != "tcp" && network != "tcp4" && network != "tcp6") {
		return nil, fmt.Errorf("%w: asked for %s %s, proxy is %s", ErrDirectDial, network, addr, g.socks)
	}
	c, err := g.d.DialContext(ctx, network, addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w at %s: %w", ErrProxyDown, g.socks, err)
	}
	return c, nil
}

// socksUser is the SOCKS username of a site's circuit. Tor's
// IsolateSOCKSAuth (on by default) gives each distinct username its own
// circuit; keeping it stable for the whole run keeps a DDoS front's
// cookie bound to the circuit it was issued on.
func socksUser(site string) string { return "semak-" + site }

// newTransport builds the http.Transport of one site: DialContext from
// x/net/proxy's SOCKS5 client over guardDialer, Proxy nil (no
// environment proxies, no second hop). Hostnames go to the SOCKS server
// unresolved, so there is no local DNS. With direct, clearnet hosts are
// dialled directly (local DNS) and onions are refused.
func newTransport(socks, site string, direct bool, parallel int, timeout time.Duration) (*http.Transport, error) {
	if socks == "" {
		return nil, ErrNoSocks
	}
	var dial func(ctx context.Context, network, addr string) (net.Conn, error)
	if direct {
		d := &net.Dialer{Timeout: timeout}
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if isOnion(host) {
				return nil, fmt.Errorf("%w: %s (site %s is direct_clearnet)", ErrOnionDirect, host, site)
			}
			return d.DialContext(ctx, network, addr)
		}
	} else {
		sd, err := proxy.SOCKS5("tcp", socks, &proxy.Auth{User: socksUser(site), Password: "x"}, &guardDialer{socks: socks, d: net.Dialer{Timeout: 30 * time.Second}})
		if err != nil {
			return nil, fmt.Errorf("socks5 %s: %w", socks, err)
		}
		cd, ok := sd.(proxy.ContextDialer)
		if !ok {
			return nil, errors.New("x/net/proxy SOCKS5 dialer has no DialContext")
		}
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := cd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, classifySOCKS(err)
			}
			return c, nil
		}
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		MaxIdleConnsPerHost:   max(parallel, 1),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}, nil
}

func isOnion(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "onion" || strings.HasSuffix(host, ".onion")
}

// SOCKSError is a SOCKS5 reply that was not "succeeded", with Tor's
// meaning of the code (proposal 304 for the extended 0xF0-0xF7 codes).
type SOCKSError struct {
	Code      int
	Reason    string
	Transient bool // worth retrying later
	Dead      bool // the onion is gone or malformed: back off the site
	Err       error
}

func (e *SOCKSError) Error() string {
	return fmt.Sprintf("tor socks reply 0x%02X: %s", e.Code, e.Reason)
}
func (e *SOCKSError) Unwrap() error { return e.Err }

var socksCodes = map[int]SOCKSError{
	0x01: {Reason: "general SOCKS server failure", Transient: true},
	0x02: {Reason: "connection not allowed by ruleset (Tor's exit policy)"},
	0x03: {Reason: "network unreachable", Transient: true},
	0x04: {Reason: "host unreachable", Transient: true},
	0x05: {Reason: "connection refused by the destination", Transient: true},
	0x06: {Reason: "TTL expired (Tor: the circuit or the connection to the destination timed out)", Transient: true},
	0x07: {Reason: "command not supported"},
	0x08: {Reason: "address type not supported"},
	0xF0: {Reason: "onion service descriptor can not be found (the onion is offline or does not exist)", Transient: true, Dead: true},
	0xF1: {Reason: "onion service descriptor is invalid"},
	0xF2: {Reason: "onion service introduction failed", Transient: true},
	0xF3: {Reason: "onion service rendezvous failed", Transient: true},
	0xF4: {Reason: "onion service missing client authorization (a restricted onion: add its key to Tor)"},
	0xF5: {Reason: "onion service wrong client authorization"},
	0xF6: {Reason: "onion service invalid address (a malformed .onion name)", Dead: true},
	0xF7: {Reason: "onion service introduction timed out", Transient: true},
}

// x/net/internal/socks names the standard codes and shows the rest as
// "unknown code: N".
var (
	reUnknownCode = regexp.MustCompile(`unknown code: (\d+)`)
	knownReplies  = map[string]int{"general SOCKS server failure": 1, "connection not allowed by ruleset": 2, "network unreachable": 3, "host unreachable": 4, "connection refused": 5, "TTL expired": 6, "command not supported": 7, "address type not supported": 8}
)

// classifySOCKS turns an error of the SOCKS client into a *SOCKSError
// when it is a SOCKS reply; other errors pass through.
func classifySOCKS(err error) error {
	if err == nil || errors.Is(err, ErrProxyDown) || errors.Is(err, ErrDirectDial) {
		return err
	}
	msg := err.Error()
	code := 0
	if m := reUnknownCode.FindStringSubmatch(msg); m != nil {
		code, _ = strconv.Atoi(m[1])
	} else if strings.Contains(msg, "socks") {
		for s, c := range knownReplies {
			if strings.HasSuffix(msg, s) {
				code = c
			}
		}
	}
	if code == 0 {
		return err
	}
	e, ok := socksCodes[code]
	if !ok {
		e = SOCKSError{Reason: "unknown SOCKS reply", Transient: true}
	}
	e.Code, e.Err = code, err
	return &e
}
