package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// portsPerSource is how many connections one source address may hold
// towards one destination: Linux's default ephemeral range 32768–60999
// gives 28,232 ports, minus a margin for the sockets in TIME_WAIT.
const portsPerSource = 25000

// ipBindAddressNoPort is IP_BIND_ADDRESS_NO_PORT (Linux 4.2+): with it a
// socket bound to a source address gets its port at connect time, so the
// port is unique per 4-tuple instead of per source address.
const ipBindAddressNoPort = 24

// loopback is 127.0.0.0/8, the only network the load generator talks to.
var loopback = netip.MustParsePrefix("127.0.0.0/8")

// checkLoopback fails unless host (an IP literal or "localhost", with or
// without a port) is in 127.0.0.0/8. The load generator refuses every other
// target: it deletes enrollments and floods what it points at.
func checkLoopback(what, hostport string) error {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil || !loopback.Contains(ip.Unmap()) {
		return fmt.Errorf("%s %q: the load generator targets only 127.0.0.0/8 (an IP literal or localhost)", what, hostport)
	}
	return nil
}

// hostPort returns the host:port of an http(s) or ws(s) URL, checked to be
// on loopback.
func hostPort(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s %q: want a URL such as http://127.0.0.1:8080", what, raw)
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("%s %q: only http:// (loopback, no TLS)", what, raw)
	}
	hp := u.Host
	if u.Port() == "" {
		hp = net.JoinHostPort(u.Hostname(), "80")
	}
	if strings.HasPrefix(hp, "localhost:") {
		hp = "127.0.0.1:" + strings.TrimPrefix(hp, "localhost:")
	}
	return hp, checkLoopback(what, hp)
}

// Sources spreads outgoing connections over several loopback source
// addresses, so that more than one address's worth of ephemeral ports can
// be open towards one server. Safe for concurrent use.
type Sources struct {
	addrs []*net.TCPAddr
	next  atomic.Uint64
	open  atomic.Int64 // connections dialed and not yet closed
}

// NewSources returns n source addresses starting at first (for example
// 127.0.0.2, 127.0.0.3, …); every one must stay inside 127.0.0.0/8.
func NewSources(first string, n int) (*Sources, error) {
	ip, err := netip.ParseAddr(first)
	if err != nil || !loopback.Contains(ip) {
		return nil, fmt.Errorf("source address %q: want an address in 127.0.0.0/8", first)
	}
	if n < 1 {
		n = 1
	}
	s := &Sources{}
	for i := 0; i < n; i++ {
		if !loopback.Contains(ip) {
			return nil, fmt.Errorf("%d source addresses from %s leave 127.0.0.0/8", n, first)
		}
		s.addrs = append(s.addrs, &net.TCPAddr{IP: ip.AsSlice()})
		ip = ip.Next()
	}
	return s, nil
}

// SourcesFor returns how many source addresses conns connections to one
// destination need, at least min.
func SourcesFor(conns, min int) int {
	return max(min, (conns+portsPerSource-1)/portsPerSource)
}

// Len returns the number of source addresses.
func (s *Sources) Len() int { return len(s.addrs) }

// Addr returns source address i (mod Len), as a string.
func (s *Sources) Addr(i int) string { return s.addrs[i%len(s.addrs)].IP.String() }

// Open returns the number of connections dialed through s and still open.
func (s *Sources) Open() int64 { return s.open.Load() }

// Dial connects to addr (host:port, checked to be loopback) from source
// address i mod Len, or round-robin when i < 0.
func (s *Sources) Dial(ctx context.Context, i int, addr string) (net.Conn, error) {
	if err := checkLoopback("target", addr); err != nil {
		return nil, err
	}
	if i < 0 {
		i = int(s.next.Add(1))
	}
	d := net.Dialer{
		LocalAddr: s.addrs[i%len(s.addrs)],
		Timeout:   10 * time.Second,
		KeepAlive: -1, // loopback; the servers ping where they need to
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s.open.Add(1)
	return &countedConn{Conn: c, s: s}, nil
}

// countedConn decrements its Sources' open count once when closed.
type countedConn struct {
	net.Conn
	s      *Sources
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.s.open.Add(-1)
	}
	return c.Conn.Close()
}
