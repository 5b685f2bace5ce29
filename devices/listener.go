package devices

import (
	"net"
	"sync"
	"time"
)

// connectTimeout is how long a new connection has to send its CONNECT.
const connectTimeout = 10 * time.Second

// guardedListener protects the embedded broker from connections that never
// send CONNECT. mochi-mqtt sets no deadline before the CONNECT, so such a
// connection would hold a goroutine forever and make the broker's Close wait
// for it. Each accepted connection gets a deadline for its CONNECT (the
// broker replaces it with the keep-alive deadline once connected), and
// closing the listener closes every connection still open.
type guardedListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[*guardedConn]struct{}
	closed bool
}

func newGuardedListener(l net.Listener) *guardedListener {
	return &guardedListener{Listener: l, conns: map[*guardedConn]struct{}{}}
}

func (l *guardedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
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

func (l *guardedListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
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
	l    *guardedListener
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
