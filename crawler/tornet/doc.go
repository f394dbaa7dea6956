// Package tornet starts a real, private Tor network on loopback for tests:
// the crawler's end-to-end test fetches a fixture forum through a real
// onion service with it, without the internet.
//
// Start runs ten daemonised tor processes (Debian's tor 0.4.9, which ships
// tor-gencert; scripts/setup.sh installs it): three directory authorities
// that are also relays, five more relays, one client with a SocksPort and
// one onion service forwarding its port 80 to Options.Target. All settings
// are those of TestingTorNetwork (see the torrc function); every node lives
// in <Dir>/<name> (torrc, data/, notice.log, tor.pid), the service's keys
// and hostname in <Dir>/service/hs.
//
// Ports: every ORPort, DirPort and the SocksPort is a free 127.0.0.1 port,
// picked by binding port 0 and closing it just before tor starts; nothing
// listens beyond loopback and nothing leaves the machine. The client's
// port is "SocksPort 127.0.0.1:<port> ExtendedErrors IsolateSOCKSAuth":
// onion failures come back as SOCKS reply codes 0xF0–0xF7 (SOCKSError,
// SOCKSReason), and each distinct SOCKS user name/password pair gets its
// own circuits. The exits accept 127.0.0.0/8 only, so clearnet fixtures on
// loopback are reachable through Tor too, and nothing else is.
//
// Start-up, in order, with the time of each step kept in Network.Timings:
// authority keys (tor-gencert, in parallel), the eight relays, a wait
// until every relay serves a consensus listing all eight and their
// microdescriptors (polled on their DirPorts), the client and the service,
// the client's "Bootstrapped 100%", then HTTP GETs through the SOCKS port
// until the onion answers. On this project's 2-core machines the onion
// answers 20–35 s after Start is called: keys ≈3–5 s, relays up ≈5 s,
// consensus ready ≈16–25 s, bootstrap +2 s, onion +3 s. Start gives up
// after Options.Timeout (3 min by default), stops everything and returns
// the tail of the relevant logs.
//
// Teardown: Stop sends SIGTERM, then SIGKILL after 5 s, to the pid each
// tor wrote to its PidFile (never by process name; a pid is signalled only
// while /proc shows it running with our torrc, so a recycled pid is left
// alone), waits until each has exited and removes no file: t.TempDir()
// does that. Every torrc also names the starting process as
// __OwningControllerProcess, so the daemons exit by themselves within
// about 15 s if the test binary dies without calling Stop.
//
// The package uses the standard library only; its SOCKS5 client sends the
// host name unresolved (ATYP 3), so an onion name never reaches a local
// resolver.
package tornet
