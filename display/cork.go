package display

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// corkConn lets a screen's writer put several websocket frames on the wire
// with one write: between cork and flush, writes are gathered. A call is
// two events (the previous ticket finished, the next called) and a resume
// replays many, so this halves or better the system calls of the fan-out.
// Frames written by other goroutines (pongs, the close handshake) are
// gathered too while corked, whole, since gorilla/websocket writes each
// frame with one Write under its own lock.
type corkConn struct {
	net.Conn
	pool   *sync.Pool // of *[]byte, shared by the hub's screens
	mu     sync.Mutex
	corked bool
	buf    *[]byte // from pool while corked, so idle screens hold none
}

// flushAt is how much a corked writer gathers before it writes anyway.
const flushAt = 64 << 10

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.corked {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = c.pool.Get().(*[]byte)
	}
	*c.buf = append(*c.buf, p...)
	if len(*c.buf) >= flushAt {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// cork starts gathering writes.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// flush writes what was gathered, with the deadline last set, and stops gathering.
func (c *corkConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.buf)
	*c.buf = (*c.buf)[:0]
	c.pool.Put(c.buf)
	c.buf = nil
	return err
}

// newCorkPool makes the pool of gathering buffers for corkConn.
func newCorkPool() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}
}

// corkingWriter hands the websocket upgrader a corkConn when it hijacks the
// connection.
type corkingWriter struct {
	http.ResponseWriter
	pool *sync.Pool
	conn *corkConn
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: conn, pool: w.pool}
	return w.conn, rw, nil
}
