package tornet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// SOCKSError is a SOCKS5 reply code other than success. With ExtendedErrors
// on the SocksPort, Tor answers a failed onion connection with 0xF0–0xF7.
type SOCKSError struct {
	Code byte
}

func (e *SOCKSError) Error() string {
	return fmt.Sprintf("socks5: reply 0x%02X: %s", e.Code, SOCKSReason(e.Code))
}

// Onion reports whether the code is one of Tor's extended onion-service
// codes (0xF0–0xF7).
func (e *SOCKSError) Onion() bool { return e.Code >= 0xF0 && e.Code <= 0xF7 }

// SOCKSReason names a SOCKS5 reply code, including Tor's extended codes
// (tor's socks-extensions.txt).
func SOCKSReason(code byte) string {
	switch code {
	case 0x00:
		return "succeeded"
	case 0x01:
		return "general failure"
	case 0x02:
		return "not allowed by ruleset"
	case 0x03:
		return "network unreachable"
	case 0x04:
		return "host unreachable"
	case 0x05:
		return "connection refused"
	case 0x06:
		return "TTL expired"
	case 0x07:
		return "command not supported"
	case 0x08:
		return "address type not supported"
	case 0xF0:
		return "onion service descriptor not found"
	case 0xF1:
		return "onion service descriptor is invalid"
	case 0xF2:
		return "onion service introduction failed"
	case 0xF3:
		return "onion service rendezvous failed"
	case 0xF4:
		return "onion service missing client authorization"
	case 0xF5:
		return "onion service wrong client authorization"
	case 0xF6:
		return "onion service address is invalid"
	case 0xF7:
		return "onion service introduction timed out"
	}
	return "unknown code"
}

// DialSOCKS connects to host:port through the SOCKS5 proxy at socksAddr,
// sending the host name unresolved (ATYP 3) so that Tor, not the local
// resolver, looks it up. A non-empty user selects username/password
// authentication (RFC 1929); Tor uses the pair only to isolate circuits
// (IsolateSOCKSAuth), so the password may be empty. A refused request
// returns a *SOCKSError.
func DialSOCKS(ctx context.Context, socksAddr, user, password, host string, port int) (net.Conn, error) {
	if len(host) == 0 || len(host) > 255 {
		return nil, fmt.Errorf("socks5: bad host name length %d", len(host))
	}
	if len(user) > 255 || len(password) > 255 {
		return nil, errors.New("socks5: user name or password longer than 255 bytes")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", socksAddr)
	if err != nil {
		return nil, fmt.Errorf("socks5: %w", err)
	}
	// Interrupt the handshake when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	err = handshake(c, user, password, host, port)
	if !stop() {
		err = errors.Join(ctx.Err(), err)
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

func handshake(c net.Conn, user, password, host string, port int) error {
	method := byte(0x00)
	if user != "" {
		method = 0x02
	}
	if _, err := c.Write([]byte{5, 1, method}); err != nil {
		return fmt.Errorf("socks5: greeting: %w", err)
	}
	var b [4]byte
	if _, err := io.ReadFull(c, b[:2]); err != nil {
		return fmt.Errorf("socks5: greeting reply: %w", err)
	}
	if b[0] != 5 {
		return fmt.Errorf("socks5: server speaks version %d, not a SOCKS5 proxy", b[0])
	}
	if b[1] != method {
		return fmt.Errorf("socks5: server refused method 0x%02X (chose 0x%02X)", method, b[1])
	}
	if method == 0x02 {
		msg := []byte{1, byte(len(user))}
		msg = append(msg, user...)
		msg = append(msg, byte(len(password)))
		msg = append(msg, password...)
		if _, err := c.Write(msg); err != nil {
			return fmt.Errorf("socks5: auth: %w", err)
		}
		if _, err := io.ReadFull(c, b[:2]); err != nil {
			return fmt.Errorf("socks5: auth reply: %w", err)
		}
		if b[1] != 0 {
			return fmt.Errorf("socks5: authentication refused (status %d)", b[1])
		}
	}
	req := []byte{5, 1, 0, 3, byte(len(host))}
	req = append(req, host...)
	req = append(req, byte(port>>8), byte(port))
	if _, err := c.Write(req); err != nil {
		return fmt.Errorf("socks5: connect: %w", err)
	}
	if _, err := io.ReadFull(c, b[:4]); err != nil {
		return fmt.Errorf("socks5: connect reply: %w", err)
	}
	if b[1] != 0 {
		return &SOCKSError{Code: b[1]}
	}
	var skip int
	switch b[3] {
	case 1:
		skip = 4 + 2
	case 4:
		skip = 16 + 2
	case 3:
		if _, err := io.ReadFull(c, b[:1]); err != nil {
			return fmt.Errorf("socks5: connect reply: %w", err)
		}
		skip = int(b[0]) + 2
	default:
		return fmt.Errorf("socks5: bad address type %d in reply", b[3])
	}
	if _, err := io.CopyN(io.Discard, c, int64(skip)); err != nil {
		return fmt.Errorf("socks5: connect reply: %w", err)
	}
	return nil
}

// maxBody caps what Get reads.
const maxBody = 64 << 20

// Get fetches http://<onion><path> with HTTP/1.0 through the client's SOCKS
// port (no SOCKS authentication) and returns the status and body.
func (n *Network) Get(ctx context.Context, path string) (status int, body []byte, err error) {
	return getVia(ctx, n.SocksAddr, "", n.Onion, path)
}

// GetAs is Get with a SOCKS user name, hence on the circuit Tor keeps for
// that user name (IsolateSOCKSAuth).
func (n *Network) GetAs(ctx context.Context, user, path string) (status int, body []byte, err error) {
	return getVia(ctx, n.SocksAddr, user, n.Onion, path)
}

func getVia(ctx context.Context, socksAddr, user, host, path string) (int, []byte, error) {
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	c, err := DialSOCKS(ctx, socksAddr, user, "", host, 80)
	if err != nil {
		return 0, nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: tornet\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return 0, nil, fmt.Errorf("http over socks: %w", errors.Join(ctx.Err(), err))
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, nil, fmt.Errorf("http over socks: %w", errors.Join(ctx.Err(), err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("http over socks: body: %w", errors.Join(ctx.Err(), err))
	}
	return resp.StatusCode, body, nil
}

// hostPort splits "127.0.0.1:9050" style addresses.
func hostPort(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", addr)
	}
	return h, n, nil
}
