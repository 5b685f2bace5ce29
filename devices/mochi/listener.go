package mochi

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// connectTimeout is how long a new connection has to send its CONNECT.
const connectTimeout = 10 * time.Second

// GuardedListener protects the embedded broker from connections that never
// send CONNECT. mochi-mqtt sets no deadline before the CONNECT, so such a
// connection would hold a goroutine forever and make the broker's Close wait
// for it. Each accepted connection gets a deadline for its CONNECT (the
// broker replaces it with the keep-alive deadline once connected), and
// closing the listener closes every connection still open.
//
// It also keeps accepting after an accept error: mochi-mqtt's listener
// loop returns on the first one and never accepts again, so one moment
// without file handles (accept4: too many open files) would lock every
// device out until a restart. Accept retries with a capped backoff instead,
// and Ready reports the listener as not accepting while errors go on.
type GuardedListener struct {
	net.Listener
	log    zerolog.Logger
	mu     sync.Mutex
	conns  map[*guardedConn]struct{}
	closed bool
	done   chan struct{}

	lastErr   error     // the last accept error
	lastErrAt time.Time // when it happened
	errs      int       // accept errors since the last log line
}

// Accept retry timings: the first retry is quick, later ones back off.
const (
	acceptRetryFirst = 5 * time.Millisecond
	acceptRetryMax   = time.Second
	// acceptErrRecent is how long after an accept error Ready still says the
	// listener is not accepting.
	acceptErrRecent = 2 * time.Second
)

// NewGuardedListener guards l; accept errors are logged to log.
func NewGuardedListener(l net.Listener, log zerolog.Logger) *GuardedListener {
	return &GuardedListener{Listener: l, log: log, conns: map[*guardedConn]struct{}{}, done: make(chan struct{})}
}

// Accept returns the next connection, retrying after errors until the
// listener is closed.
func (l *GuardedListener) Accept() (net.Conn, error) {
	backoff := acceptRetryFirst
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			return l.track(c)
		}
		if errors.Is(err, net.ErrClosed) || l.isClosed() {
			return nil, err
		}
		l.failed(err)
		select {
		case <-time.After(backoff):
		case <-l.done:
			return nil, net.ErrClosed
		}
		backoff = min(2*backoff, acceptRetryMax)
	}
}

func (l *GuardedListener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// failed records an accept error, logging at most one line a second.
func (l *GuardedListener) failed(err error) {
	now := time.Now()
	l.mu.Lock()
	first := l.lastErrAt.IsZero() || now.Sub(l.lastErrAt) >= acceptErrRecent
	logNow := first || now.Sub(l.lastErrAt) >= time.Second
	l.errs++
	n := l.errs
	if logNow {
		l.errs = 0
	}
	l.lastErr, l.lastErrAt = err, now
	l.mu.Unlock()
	if logNow {
		l.log.Error().Err(err).Int("errors", n).Msg("mqtt listener cannot accept; retrying 无法接受设备连接，重试中")
	}
}

// AcceptErr is the accept error of the last acceptErrRecent, or nil.
func (l *GuardedListener) AcceptErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lastErr == nil || time.Since(l.lastErrAt) > acceptErrRecent {
		return nil
	}
	return fmt.Errorf("mqtt listener not accepting: %w", l.lastErr)
}

// track gives a new connection its CONNECT deadline and remembers it.
func (l *GuardedListener) track(c net.Conn) (net.Conn, error) {
	_ = c.SetDeadline(time.Now().Add(connectTimeout))
	gc := &guardedConn{Conn: c, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[gc] = struct{}{}
	return gc, nil
}

// Close stops accepting and closes every connection still open.
func (l *GuardedListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	if !l.closed {
		close(l.done)
	}
	l.closed = true
	conns := l.conns
	l.conns = map[*guardedConn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		c.Conn.Close()
	}
	return err
}

// guardedConn is a connection its listener keeps track of.
type guardedConn struct {
	net.Conn
	l    *GuardedListener
	once sync.Once
}

func (c *guardedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
