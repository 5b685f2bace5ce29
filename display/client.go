package display

import (
	"time"

	"github.com/gorilla/websocket"
)

// client is one connected screen. Two goroutines serve it: write (the only
// writer of data frames) and read (pongs and the close handshake).
type client struct {
	conn *websocket.Conn
	cork *corkConn // conn's network connection
	addr string
	send chan *message // closed by the hub when it lets go of the client
	// reason says why send was closed; written under the hub's lock before
	// the close, read by write after it.
	reason string
	gone   chan struct{} // closed by read when the screen goes away
	// supervisor is set for ?view=supervisor: alerts in full (CONTRACT §3).
	supervisor bool
}

func newClient(conn *websocket.Conn, cork *corkConn, addr string, buffer int) *client {
	return &client{conn: conn, cork: cork, addr: addr, send: make(chan *message, buffer), gone: make(chan struct{})}
}

// write sends the start, then live messages and pings, until the hub lets
// go of the client, the screen goes away or a write fails.
func (h *Hub) write(c *client, st start) {
	defer h.wg.Done()
	defer c.conn.Close()
	defer h.leave(c)
	deadline := func() time.Time { return time.Now().Add(h.cfg.WriteTimeout) }
	c.conn.SetWriteDeadline(deadline())
	c.cork.cork() // the start goes out in as few writes as it fills
	if st.snapshot != nil && c.conn.WritePreparedMessage(st.snapshot.prepared()) != nil {
		return
	}
	for _, data := range st.replay {
		if c.conn.WriteMessage(websocket.TextMessage, data) != nil {
			return
		}
		c.conn.SetWriteDeadline(deadline()) // for the next flush of a long replay
	}
	if c.cork.flush() != nil {
		return
	}
	ping := time.NewTicker(h.cfg.PingEvery)
	defer ping.Stop()
	for {
		select {
		case m, ok := <-c.send:
			if !ok {
				h.closeFrame(c)
				return
			}
			// Write m and whatever else is queued already with one write.
			c.conn.SetWriteDeadline(deadline())
			c.cork.cork()
			for more := true; more; {
				pm := m.prepared()
				if c.supervisor && m.priv != nil {
					pm = m.priv.prepared()
				}
				if c.conn.WritePreparedMessage(pm) != nil {
					return
				}
				select {
				case m, more = <-c.send:
				default:
					more = false
				}
			}
			if c.cork.flush() != nil {
				return
			}
			if m == nil { // send was closed while draining
				h.closeFrame(c)
				return
			}
		case <-ping.C:
			if c.conn.WriteControl(websocket.PingMessage, nil, deadline()) != nil {
				return
			}
		case <-c.gone:
			return
		}
	}
}

// closeFrame tells a screen the server is going away, when that is why the
// hub let go of it; a slow screen's connection is simply cut.
func (h *Hub) closeFrame(c *client) {
	if c.reason == reasonShutdown {
		msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "hallqd is stopping")
		c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
}

// read reads until the screen goes away; it only needs to see pongs, which
// renew the read deadline, and the close handshake.
func (h *Hub) read(c *client) {
	defer h.wg.Done()
	defer close(c.gone)
	c.conn.SetReadLimit(readLimit)
	c.conn.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	})
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			return
		}
	}
}

// leave unregisters c unless the hub already let go of it.
func (h *Hub) leave(c *client) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.send)
		h.m.connected.Dec()
	}
	h.mu.Unlock()
}
