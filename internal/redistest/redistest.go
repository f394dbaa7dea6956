// Package redistest starts a throw-away redis-server for tests: on a free
// loopback port, as a child process of the test, without persistence,
// stopped by pid when the test ends. The crawl frontier's tests and the
// crawler's two-worker test share it.
package redistest

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Start starts a throw-away redis-server on a free loopback port as a
// child process of the test (no persistence) and stops it by pid when t ends.
// It returns the server's address.
//
// A missing redis-server fails the test: scripts/setup.sh installs it. Set
// SEMAK_SKIP_REDIS=1 to skip the Redis tests explicitly.
func Start(t testing.TB) string {
	t.Helper()
	if os.Getenv("SEMAK_SKIP_REDIS") == "1" {
		t.Skip("SEMAK_SKIP_REDIS=1: skipping the tests against a real redis-server")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not on PATH (%v): scripts/setup.sh installs it "+
			"(apt-get install redis-server); set SEMAK_SKIP_REDIS=1 to skip these tests explicitly", err)
	}
	var lastErr string
	for attempt := 0; attempt < 3; attempt++ {
		addr, ok, why := tryStartRedis(t, bin)
		if ok {
			return addr
		}
		lastErr = why // most likely the free port was taken in between: try another
	}
	t.Fatalf("could not start redis-server: %s", lastErr)
	return ""
}

func tryStartRedis(t testing.TB, bin string) (addr string, ok bool, why string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin,
		"--save", "", "--appendonly", "no",
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--daemonize", "no", "--dir", t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", false, "redis-server exited at start: " + out.String()
		default:
		}
		if ping(addr) {
			t.Cleanup(stop)
			return addr, true, ""
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return "", false, "redis-server did not answer PING within 5s: " + out.String()
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// ping speaks just enough RESP to know the server is up.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}
