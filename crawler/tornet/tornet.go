package tornet

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Sizes of the network: the authorities are relays too, and an onion round
// trip needs about five relays besides the endpoints.
const (
	numAuthorities = 3
	numRelays      = 5
)

// Network is a private Tor network on loopback: 3 directory authorities
// (also relays), 5 more relays, 1 client with a SocksPort, and 1 onion
// service in front of a local TCP port.
type Network struct {
	SocksAddr string // "127.0.0.1:port" of the client
	Onion     string // "<56 chars>.onion" of the service
	Dir       string

	// Timings of Start, measured from its call.
	Timings Timings

	nodes []*node
	logf  func(format string, args ...any)

	stopOnce sync.Once
	stopErr  error
}

// Timings says where Start spent its time. Each duration is measured from
// the call of Start.
type Timings struct {
	Keys      time.Duration // authority keys generated, torrc files written
	Launched  time.Duration // the 8 relays (authorities included) daemonised
	Consensus time.Duration // every relay serves a consensus listing all and their microdescriptors
	Bootstrap time.Duration // the client logged "Bootstrapped 100%"
	Onion     time.Duration // the onion service answered an HTTP GET (= total)
	Attempts  int           // HTTP GETs made until the onion answered
}

// Options configure Start.
type Options struct {
	Target  string        // "127.0.0.1:port" the onion service forwards port 80 to (e.g. an httptest server's listener)
	Dir     string        // working dir (t.TempDir() in tests)
	Timeout time.Duration // whole start-up deadline, default 3 min
	Logf    func(format string, args ...any)
}

// DefaultTimeout bounds Start when Options.Timeout is zero.
const DefaultTimeout = 3 * time.Minute

type role int

const (
	authority role = iota
	relay
	client
	service
)

type node struct {
	name  string
	role  role
	dir   string // <Dir>/<name>
	torrc string
	pidFn string
	log   string
	or    int
	dirP  int
	socks int

	v3ident, fingerprint string // authorities only

	pid int
}

func (nd *node) data() string { return filepath.Join(nd.dir, "data") }

// Available returns nil when tor and tor-gencert can be run, else an error
// naming what to install.
func Available() error {
	var missing []string
	if _, err := torBinary("tor"); err != nil {
		missing = append(missing, "tor")
	}
	if _, err := torBinary("tor-gencert"); err != nil {
		missing = append(missing, "tor-gencert")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("tornet: %s not found on PATH (nor in /usr/sbin, /usr/bin): install the Debian package tor "+
		"(apt-get install -y tor; scripts/setup.sh does it)", strings.Join(missing, " and "))
}

// torBinary finds a program on PATH, falling back to Debian's locations:
// tor lives in /usr/sbin, which is not on every user's PATH.
func torBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// Start builds and starts the network, waits for the client to bootstrap
// and then polls the onion service over HTTP until it answers. On failure
// every started process is stopped and the error carries the tail of the
// relevant tor logs.
func Start(ctx context.Context, o Options) (*Network, error) {
	begin := time.Now()
	if err := Available(); err != nil {
		return nil, err
	}
	torPath, _ := torBinary("tor")
	gencertPath, _ := torBinary("tor-gencert")
	if o.Dir == "" {
		return nil, errors.New("tornet: Options.Dir is required")
	}
	if _, _, err := hostPort(o.Target); err != nil {
		return nil, fmt.Errorf("tornet: Options.Target %q: %w", o.Target, err)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := filepath.Abs(o.Dir) // tor daemons chdir to /
	if err != nil {
		return nil, fmt.Errorf("tornet: %w", err)
	}
	// Ports are picked by binding :0 and closing, then bound again by tor:
	// another network starting at the same time (go test runs packages in
	// parallel) could take one in between. One network starts at a time on
	// a machine; the lock is held until every daemon has bound its ports.
	unlock, err := startLock(ctx, logf)
	if err != nil {
		return nil, fmt.Errorf("tornet: %w", err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	n := &Network{Dir: dir, logf: logf}
	fail := func(err error, logs ...*node) (*Network, error) {
		var b strings.Builder
		b.WriteString(err.Error())
		for _, nd := range logs {
			fmt.Fprintf(&b, "\n--- tail of %s ---\n%s", nd.log, tail(nd.log, 25))
		}
		if serr := n.Stop(); serr != nil {
			fmt.Fprintf(&b, "\nstopping: %v", serr)
		}
		return nil, errors.New(b.String())
	}

	ports, err := freePorts(2*(numAuthorities+numRelays) + 1)
	if err != nil {
		return nil, fmt.Errorf("tornet: picking ports: %w", err)
	}
	for i := range numAuthorities {
		n.nodes = append(n.nodes, &node{name: fmt.Sprintf("auth%d", i), role: authority, or: ports[0], dirP: ports[1]})
		ports = ports[2:]
	}
	for i := range numRelays {
		n.nodes = append(n.nodes, &node{name: fmt.Sprintf("relay%d", i), role: relay, or: ports[0], dirP: ports[1]})
		ports = ports[2:]
	}
	cl := &node{name: "client", role: client, socks: ports[0]}
	sv := &node{name: "service", role: service}
	n.nodes = append(n.nodes, cl, sv)
	for _, nd := range n.nodes {
		nd.dir = filepath.Join(dir, nd.name)
		nd.torrc = filepath.Join(nd.dir, "torrc")
		nd.pidFn = filepath.Join(nd.dir, "tor.pid")
		nd.log = filepath.Join(nd.dir, "notice.log")
		if err := os.MkdirAll(nd.data(), 0o700); err != nil {
			return nil, fmt.Errorf("tornet: %w", err)
		}
	}
	n.SocksAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(cl.socks))
	empty := filepath.Join(dir, "torrc-defaults")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		return nil, fmt.Errorf("tornet: %w", err)
	}

	// Authority keys and fingerprints, in parallel (RSA key generation is
	// the slow part).
	auths := n.nodes[:numAuthorities]
	errs := make([]error, len(auths))
	var wg sync.WaitGroup
	for i, nd := range auths {
		wg.Go(func() { errs[i] = authorityKeys(ctx, gencertPath, torPath, empty, nd) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(fmt.Errorf("tornet: authority keys: %w", err))
	}
	var dirAuth strings.Builder
	for _, nd := range auths {
		fmt.Fprintf(&dirAuth, "DirAuthority %s orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s\n",
			nd.name, nd.or, nd.v3ident, nd.dirP, nd.fingerprint)
	}
	for _, nd := range n.nodes {
		if err := os.WriteFile(nd.torrc, []byte(torrc(nd, dirAuth.String(), o.Target, empty)), 0o600); err != nil {
			return fail(fmt.Errorf("tornet: %w", err))
		}
	}
	if err := os.MkdirAll(filepath.Join(sv.dir, "hs"), 0o700); err != nil {
		return fail(fmt.Errorf("tornet: %w", err))
	}
	n.Timings.Keys = time.Since(begin)
	logf("tornet: keys and torrc files ready in %s (%s)", n.Timings.Keys.Round(time.Millisecond), dir)

	// Launch the relays (authorities included) first. With RunAsDaemon 1,
	// `tor -f torrc` returns once the daemon is up (or has failed to parse
	// its configuration).
	relays := n.nodes[:numAuthorities+numRelays]
	if err := n.launchAll(ctx, torPath, empty, relays); err != nil {
		return fail(err, n.deadOr(auths[0])...)
	}
	n.Timings.Launched = time.Since(begin)
	logf("tornet: %d relays running after %s", len(relays), n.Timings.Launched.Round(time.Millisecond))

	// Start the client and the service only once every relay serves a
	// consensus that lists all of them, with their microdescriptors: started
	// earlier, they back off exponentially between consensus fetches, ask
	// caches for microdescriptors they lack (retried only at the next
	// consensus), and the service's descriptor lands on HSDirs that the
	// client may not know yet. Started now, both bootstrap in about 2 s.
	count, err := n.waitConsensus(ctx, begin)
	if err != nil {
		return fail(fmt.Errorf("tornet: first consensus: %w", err), n.deadOr(auths[0])...)
	}
	n.Timings.Consensus = time.Since(begin)
	logf("tornet: consensus with %d relays after %s", count, n.Timings.Consensus.Round(time.Millisecond))
	if err := n.launchAll(ctx, torPath, empty, []*node{cl, sv}); err != nil {
		return fail(err, n.deadOr(cl)...)
	}

	host, err := waitFile(ctx, filepath.Join(sv.dir, "hs", "hostname"), n)
	if err != nil {
		return fail(fmt.Errorf("tornet: onion service hostname: %w", err), sv)
	}
	n.Onion = strings.TrimSpace(host)

	// Bootstrap of the client.
	if err := n.waitLog(ctx, cl, "Bootstrapped 100%"); err != nil {
		return fail(fmt.Errorf("tornet: client bootstrap: %w", err), n.deadOr(cl)...)
	}
	n.Timings.Bootstrap = time.Since(begin)
	logf("tornet: client bootstrapped after %s", n.Timings.Bootstrap.Round(time.Millisecond))

	// Poll the onion until it answers. "Bootstrapped" does not mean that the
	// descriptor is published, nor that the client's consensus lists the
	// HSDirs that hold it; Tor re-asks an HSDir after 5 s in a testing
	// network, so plain retries converge.
	var last error
	for {
		n.Timings.Attempts++
		actx, acancel := context.WithTimeout(ctx, 30*time.Second)
		t0 := time.Now()
		status, _, err := n.Get(actx, "/")
		acancel()
		if err == nil {
			n.Timings.Onion = time.Since(begin)
			logf("tornet: %s answered %d after %s (attempt %d)", n.Onion, status, n.Timings.Onion.Round(time.Millisecond), n.Timings.Attempts)
			return n, nil
		}
		last = err
		logf("tornet: onion attempt %d failed after %s: %v", n.Timings.Attempts, time.Since(t0).Round(time.Millisecond), err)
		if dead := n.dead(); len(dead) > 0 {
			return fail(fmt.Errorf("tornet: %s exited", dead[0].name), dead...)
		}
		select {
		case <-ctx.Done():
			return fail(fmt.Errorf("tornet: onion %s did not answer within %s (%d attempts): %w", n.Onion, o.Timeout, n.Timings.Attempts, last), cl, sv)
		case <-time.After(time.Second):
		}
	}
}

// launchAll launches nodes in parallel.
func (n *Network) launchAll(ctx context.Context, torPath, empty string, nodes []*node) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, nd := range nodes {
		wg.Go(func() { errs[i] = launch(ctx, torPath, empty, nd) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("tornet: starting %s: %w", nodes[i].name, err)
		}
	}
	return nil
}

// waitConsensus polls the DirPort of every relay (authorities included)
// until each serves a consensus listing every relay and the microdescriptors
// of all of them. A client started earlier asks a cache for microdescriptors
// it does not have yet and retries only at the next consensus, 10 s later.
// After 45 s, a consensus that the authorities serve with at least three
// relays is enough.
func (n *Network) waitConsensus(ctx context.Context, begin time.Time) (int, error) {
	want := numAuthorities + numRelays
	relays := n.nodes[:want]
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	ready := make([]bool, len(relays))
	best := 0
	for {
		all := true
		for i, nd := range relays {
			if ready[i] {
				continue
			}
			k, mds := cacheState(ctx, hc, nd.dirP)
			best = max(best, k)
			ready[i] = k == want && mds == want
			all = all && ready[i]
			if nd.role == authority && k >= 3 && time.Since(begin) > 45*time.Second {
				n.logf("tornet: going on with %s's consensus of %d relays", nd.name, k)
				return k, nil
			}
		}
		if all {
			return want, nil
		}
		if dead := n.dead(); len(dead) > 0 {
			return 0, fmt.Errorf("%s exited", dead[0].name)
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("best consensus lists %d of %d relays: %w", best, want, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// cacheState fetches the current microdesc consensus from a DirPort and
// returns how many relays it lists and how many of their microdescriptors
// the cache serves; zeros when it has no consensus yet.
func cacheState(ctx context.Context, hc *http.Client, dirPort int) (relays, mds int) {
	base := fmt.Sprintf("http://127.0.0.1:%d/tor/", dirPort)
	cons := dirGet(ctx, hc, base+"status-vote/current/consensus-microdesc.z")
	var digests []string
	for line := range strings.Lines(cons) {
		if strings.HasPrefix(line, "r ") {
			relays++
		}
		if f := strings.Fields(line); len(f) == 2 && f[0] == "m" {
			digests = append(digests, f[1])
		}
	}
	if len(digests) == 0 {
		return relays, 0
	}
	body := dirGet(ctx, hc, base+"micro/d/"+strings.Join(digests, "-")+".z")
	return relays, strings.Count(body, "\nntor-onion-key ")
}

// dirGet fetches a ".z" (zlib) document from a DirPort: Tor keeps what it
// serves compressed and answers 404 to a plain request. "" on any error.
func dirGet(ctx context.Context, hc *http.Client, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return ""
	}
	resp, err := hc.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	zr, err := zlib.NewReader(resp.Body)
	if err != nil {
		return ""
	}
	defer zr.Close()
	body, err := io.ReadAll(io.LimitReader(zr, 4<<20))
	if err != nil {
		return ""
	}
	return string(body)
}

// authorityKeys makes the v3 authority key and certificate and the relay
// identity of an authority, and reads both fingerprints.
func authorityKeys(ctx context.Context, gencert, tor, defaults string, nd *node) error {
	keys := filepath.Join(nd.data(), "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, gencert, "--create-identity-key", "-m", "12",
		"-a", fmt.Sprintf("127.0.0.1:%d", nd.dirP),
		"-i", "authority_identity_key", "-s", "authority_signing_key", "-c", "authority_certificate",
		"--passphrase-fd", "0")
	cmd.Dir = keys
	cmd.Stdin = strings.NewReader("") // empty passphrase
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: tor-gencert: %w: %s", nd.name, err, bytes.TrimSpace(out))
	}
	cert, err := os.ReadFile(filepath.Join(keys, "authority_certificate"))
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(cert)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "fingerprint" {
			nd.v3ident = f[1]
			break
		}
	}
	if len(nd.v3ident) != 40 {
		return fmt.Errorf("%s: no fingerprint line in authority_certificate", nd.name)
	}
	cmd = exec.CommandContext(ctx, tor, "--defaults-torrc", defaults, "-f", defaults, "--quiet",
		"--list-fingerprint", "--orport", "1", "--address", "127.0.0.1",
		"--dirserver", "x 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff",
		"--datadirectory", nd.data())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: tor --list-fingerprint: %w: %s", nd.name, err, bytes.TrimSpace(out))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	if len(f) < 2 {
		return fmt.Errorf("%s: tor --list-fingerprint printed %q", nd.name, out)
	}
	nd.fingerprint = strings.Join(f[1:], "")
	if len(nd.fingerprint) != 40 {
		return fmt.Errorf("%s: tor --list-fingerprint printed %q", nd.name, out)
	}
	return nil
}

// torrc renders the configuration of one node (settings of tor-testnet.md).
func torrc(nd *node, dirAuthorities, target, empty string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# written by github.com/semak/semak/crawler/tornet")
	p("TestingTorNetwork 1")
	p("PathsNeededToBuildCircuits 0.25")
	p("TestingDirAuthVoteExit *")
	p("TestingDirAuthVoteHSDir *")
	p("TestingDirAuthVoteGuard *")
	p("TestingMinExitFlagThreshold 0")
	p("V3AuthNIntervalsValid 2")
	p("AssumeReachable 1")
	p("Nickname %s", nd.name)
	p("DataDirectory %s", nd.data())
	p("RunAsDaemon 1")
	p("PidFile %s", nd.pidFn)
	p("Log notice file %s", nd.log)
	p("LogTimeGranularity 1")
	p("SafeLogging 0")
	// Parsing the GeoIP files costs each tor about 2 s of CPU; a loopback
	// network has no use for them.
	p("GeoIPFile %s", empty)
	p("GeoIPv6File %s", empty)
	p("ShutdownWaitLength 0")
	// Exit on its own if the process that started it dies (e.g. a test
	// binary killed by a timeout), checked by tor every 15 s.
	p("__OwningControllerProcess %d", os.Getpid())
	b.WriteString(dirAuthorities)
	switch nd.role {
	case authority:
		p("AuthoritativeDirectory 1")
		p("V3AuthoritativeDirectory 1")
		p("ORPort 127.0.0.1:%d", nd.or)
		p("DirPort 127.0.0.1:%d", nd.dirP)
		p("Address 127.0.0.1")
		p("ContactInfo %s@tornet.invalid", nd.name)
		p("ExitPolicy accept 127.0.0.0/8:*, reject *:*")
		p("ExitPolicyRejectPrivate 0")
		p("SocksPort 0")
		p("TestingV3AuthInitialVotingInterval 5")
		p("TestingV3AuthInitialVoteDelay 2")
		p("TestingV3AuthInitialDistDelay 2")
		p("V3AuthVotingInterval 10")
		p("V3AuthVoteDelay 2")
		p("V3AuthDistDelay 2")
	case relay:
		p("ORPort 127.0.0.1:%d", nd.or)
		p("DirPort 127.0.0.1:%d", nd.dirP) // lets Start see what this cache serves
		p("Address 127.0.0.1")
		p("ContactInfo %s@tornet.invalid", nd.name)
		p("SocksPort 0")
		p("ExitPolicy accept 127.0.0.0/8:*, reject *:*")
		p("ExitPolicyRejectPrivate 0")
	case client:
		p("SocksPort 127.0.0.1:%d ExtendedErrors IsolateSOCKSAuth", nd.socks)
		endpoint(p)
	case service:
		p("SocksPort 0")
		endpoint(p)
		p("HiddenServiceDir %s", filepath.Join(nd.dir, "hs"))
		p("HiddenServicePort 80 %s", target)
	}
	return b.String()
}

// endpoint adds the client and service settings for a network of eight
// relays. With entry guards and vanguards-lite, tor pins a one-guard
// primary list and a few layer-2 guards early, and in so small a network
// it then keeps building paths that extend back to their own guard (the
// middle relay destroys them), for tens of seconds. Fresh random paths
// avoid that.
func endpoint(p func(string, ...any)) {
	p("UseEntryGuards 0")
	p("VanguardsLiteEnabled 0")
}

// launch starts one daemonised tor and reads its PidFile.
func launch(ctx context.Context, tor, defaults string, nd *node) error {
	out, err := os.Create(filepath.Join(nd.dir, "launch.out"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, tor, "--defaults-torrc", defaults, "-f", nd.torrc)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%w: %s", err, lastLines(string(msg), 10))
	}
	// The daemon writes its PidFile right after forking.
	for {
		b, err := os.ReadFile(nd.pidFn)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				nd.pid = pid
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no PidFile %s: %w", nd.pidFn, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitFile waits for a non-empty file, failing early if a node dies.
func waitFile(ctx context.Context, path string, n *Network) (string, error) {
	for {
		if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return string(b), nil
		}
		if dead := n.dead(); len(dead) > 0 {
			return "", fmt.Errorf("%s exited", dead[0].name)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitLog waits until nd's log contains s, failing early if a node dies.
func (n *Network) waitLog(ctx context.Context, nd *node, s string) error {
	for {
		if b, err := os.ReadFile(nd.log); err == nil && bytes.Contains(b, []byte(s)) {
			return nil
		}
		if dead := n.dead(); len(dead) > 0 {
			return fmt.Errorf("%s exited", dead[0].name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no %q in %s: %w", s, nd.log, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dead lists the nodes whose process is gone.
func (n *Network) dead() []*node {
	var d []*node
	for _, nd := range n.nodes {
		if nd.pid > 0 && !alive(nd.pid, nd.torrc) {
			d = append(d, nd)
		}
	}
	return d
}

// deadOr returns the dead nodes, or nd when none died.
func (n *Network) deadOr(nd *node) []*node {
	if d := n.dead(); len(d) > 0 {
		return append(d, nd)
	}
	return []*node{nd}
}

// Pids returns the process ids of the running tor daemons, read from their
// PidFiles at start.
func (n *Network) Pids() []int {
	var pids []int
	for _, nd := range n.nodes {
		if nd.pid > 0 {
			pids = append(pids, nd.pid)
		}
	}
	return pids
}

// Stop terminates every tor process by the pid of its PidFile (SIGTERM,
// then SIGKILL after 5 s) and waits until each has exited. It removes no
// files. Calling it again is a no-op.
func (n *Network) Stop() error {
	n.stopOnce.Do(func() {
		var wg sync.WaitGroup
		errs := make([]error, len(n.nodes))
		for i, nd := range n.nodes {
			if nd.pid <= 0 {
				continue
			}
			wg.Go(func() { errs[i] = stopPid(nd.pid, nd.torrc) })
		}
		wg.Wait()
		n.stopErr = errors.Join(errs...)
	})
	return n.stopErr
}

func stopPid(pid int, torrc string) error {
	if !alive(pid, torrc) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("tornet: kill %d: %w", pid, err)
	}
	if waitGone(pid, torrc, 5*time.Second) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("tornet: kill -9 %d: %w", pid, err)
	}
	if waitGone(pid, torrc, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("tornet: tor pid %d still running after SIGKILL", pid)
}

func waitGone(pid int, torrc string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !alive(pid, torrc) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// alive reports whether pid is a running (not zombie) process started with
// our torrc, so that a recycled pid is never signalled.
func alive(pid int, torrc string) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	for arg := range bytes.SplitSeq(cmdline, []byte{0}) {
		if string(arg) == torrc {
			return true
		}
	}
	return false
}

// startLock takes the machine-wide start lock (flock on a file in the
// temporary directory), polling so that ctx can end the wait.
func startLock(ctx context.Context, logf func(string, ...any)) (func(), error) {
	path := filepath.Join(os.TempDir(), "semak-tornet-start.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start lock: %w", err)
	}
	waited := time.Now()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("start lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another private Tor network to start (%s): %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if d := time.Since(waited); d > time.Second {
		logf("tornet: waited %s for another network to finish starting", d.Round(time.Millisecond))
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// freePorts picks k distinct free loopback TCP ports by binding :0 and
// closing after all are picked.
func freePorts(k int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, k)
	for range k {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
