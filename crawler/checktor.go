package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Errors of CheckTor, each with what to do in its message.
var (
	ErrTorNotRunning = errors.New("Tor is not running") //nolint:staticcheck // ST1005: Tor is a proper name
	ErrHTTPProxy     = errors.New("an HTTP proxy or web server, not Tor's SOCKS port")
	ErrNotSOCKS      = errors.New("not a SOCKS5 server")
	// ErrNotTor is a working SOCKS5 server that is not Tor: .onion names
	// and per-site circuits will not work. Run refuses it unless
	// Options.AllowNonTor (tests) and then only warns.
	ErrNotTor = errors.New("a SOCKS5 server, but not Tor")
)

const torHTTPAnswer = "HTTP/1.0 501 Tor is not an HTTP Proxy"

// CheckTor checks that socks is Tor's SOCKS port, the way OnionScan does:
// a plain HTTP request to Tor's SOCKS port gets "HTTP/1.0 501 Tor is not
// an HTTP Proxy"; then a SOCKS5 greeting must be answered. Nothing else
// is contacted.
func CheckTor(ctx context.Context, socks string) error {
	if socks == "" {
		return ErrNoSocks
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", socks)
	if err != nil {
		return fmt.Errorf("%w on %s: start tor, or give --socks (%w)", ErrTorNotRunning, socks, err)
	}
	answer := exchange(c, []byte("GET / HTTP/1.0\r\nHost: semak.invalid\r\n\r\n"), len(torHTTPAnswer))
	_ = c.Close()
	isTor := bytes.HasPrefix(answer, []byte(torHTTPAnswer))
	if !isTor && bytes.HasPrefix(answer, []byte("HTTP/")) {
		line, _, _ := bytes.Cut(answer, []byte("\r\n"))
		return fmt.Errorf("%s is %w (it answered %q): give Tor's SocksPort, usually 127.0.0.1:9050 (9150 for Tor Browser)", socks, ErrHTTPProxy, line)
	}

	c, err = d.DialContext(ctx, "tcp", socks)
	if err != nil {
		return fmt.Errorf("%w on %s: start tor, or give --socks (%w)", ErrTorNotRunning, socks, err)
	}
	// Offer "no auth" and "username/password" as the crawler's client does.
	reply := exchange(c, []byte{0x05, 0x02, 0x00, 0x02}, 2)
	_ = c.Close()
	if len(reply) < 2 || reply[0] != 0x05 || (reply[1] != 0x00 && reply[1] != 0x02) {
		return fmt.Errorf("%s is %w (greeting answered %x): give Tor's SocksPort, usually 127.0.0.1:9050", socks, ErrNotSOCKS, reply)
	}
	if !isTor {
		return fmt.Errorf("%s is %w (a plain HTTP request did not get Tor's %q): .onion sites and per-site circuits need Tor", socks, ErrNotTor, torHTTPAnswer)
	}
	return nil
}

// exchange writes req and reads up to n bytes (less if the peer closes),
// within a few seconds.
func exchange(c net.Conn, req []byte, n int) []byte {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(req); err != nil {
		return nil
	}
	buf := make([]byte, n)
	got, _ := io.ReadFull(c, buf)
	return buf[:got]
}
