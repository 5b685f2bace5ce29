// Package netlimit caps the connections a listener keeps open, overall and
// per remote address, so that idle or slow clients cannot use up the
// process's file handles (docs/robustness.md).
package netlimit

import (
	"net"
	"sync"
	"syscall"
)

// Listener accepts at most Max connections at a time, and at most PerIP
// from one address; a connection over a cap is closed at once.
type Listener struct {
	net.Listener
	max, perIP int
	refused    func(reason string) // nil = not counted

	mu   sync.Mutex
	open int
	byIP map[string]int
}

// New wraps l. refused, when set, is called for each connection closed over
// a cap with the reason "max_conns" or "max_conns_per_ip".
func New(l net.Listener, max, perIP int, refused func(reason string)) *Listener {
	return &Listener{Listener: l, max: max, perIP: perIP, refused: refused, byIP: map[string]int{}}
}

// Accept returns the next connection within the caps.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err // http.Server retries temporary errors (EMFILE) with backoff
		}
		ip := host(c.RemoteAddr())
		reason := ""
		l.mu.Lock()
		switch {
		case l.open >= l.max:
			reason = "max_conns"
		case l.byIP[ip] >= l.perIP:
			reason = "max_conns_per_ip"
		default:
			l.open++
			l.byIP[ip]++
		}
		l.mu.Unlock()
		if reason == "" {
			return &conn{Conn: c, l: l, ip: ip}, nil
		}
		c.Close()
		if l.refused != nil {
			l.refused(reason)
		}
	}
}

// Open is the number of connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

func (l *Listener) release(ip string) {
	l.mu.Lock()
	l.open--
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
	l.mu.Unlock()
}

func host(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// conn gives its place back when closed, once.
type conn struct {
	net.Conn
	l    *Listener
	ip   string
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}

// Budget is the connection cap that leaves reserve file handles of the
// process's limit (RLIMIT_NOFILE, raised to its hard limit first) for
// everything else: at most want, at least 16.
func Budget(want, reserve int) int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return want
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
			_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
		}
	}
	avail := int(min(r.Cur, 1<<30)) - reserve
	return max(16, min(want, avail))
}
