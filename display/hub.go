package display

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// Source is the hall a hub shows; *hall.Hall is one.
type Source interface {
	Spec() *queue.Spec
	View() *queue.View
	Subscribe(fn func(hall.Batch))
	EventsAfter(seq int64, limit int) ([]queue.Event, error)
}

// HubConfig wires a hub. Zero durations and sizes take the defaults.
type HubConfig struct {
	Hall     Source
	Log      zerolog.Logger
	Registry prometheus.Registerer // nil = metrics not registered
	// Supervisor admits ?view=supervisor (CONTRACT §3 alerts): it returns
	// 200 for a supervisor's or admin's session, 401 without a session, 403
	// for another role. nil = no one (401).
	Supervisor func(r *http.Request) int
	// Origins are the browser origins (scheme://host[:port]) allowed besides
	// the server's own; "*" allows any. See checkOrigin.
	Origins []string

	SendBuffer   int           // messages queued per screen before it counts as slow; default 256
	MaxHeld      int           // events held for ?since=; default 200,000 (a busy day is about 100,000)
	MaxHeldBytes int           // memory for those events; older ones are read back from the journal; default 2 MiB
	WriteTimeout time.Duration // per write; default 10 s
	PingEvery    time.Duration // default 20 s
	PongWait     time.Duration // the read deadline, renewed by each pong; default 60 s
}

func (c *HubConfig) defaults() {
	if c.SendBuffer <= 0 {
		c.SendBuffer = 256
	}
	if c.MaxHeld <= 0 {
		c.MaxHeld = 200000
	}
	if c.MaxHeldBytes <= 0 {
		c.MaxHeldBytes = 2 << 20
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.PingEvery <= 0 {
		c.PingEvery = 20 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = 60 * time.Second
	}
}

// readLimit bounds what a screen may send; screens only answer pings.
const readLimit = 512

// closeGrace is how long Close lets screens take their close frame before
// their connections are cut.
const closeGrace = 2 * time.Second

// message is one encoded websocket message, framed once for every screen.
type message struct {
	seq  int64
	data []byte
	once sync.Once
	pm   *websocket.PreparedMessage // framed on the first write, so no screen means no framing
	priv *message                   // the supervisor stream's variant of a restricted event
}

func newMessage(seq int64, data []byte) *message {
	return &message{seq: seq, data: data}
}

// prepared is the message framed for the screens' writers.
func (m *message) prepared() *websocket.PreparedMessage {
	m.once.Do(func() {
		m.pm, _ = websocket.NewPreparedMessage(websocket.TextMessage, m.data) // cannot fail for text without compression
	})
	return m.pm
}

// Hub is the websocket hub of one hall (CONTRACT §3). It is an http.Handler
// for GET /ws/v1/halls/{hall}.
type Hub struct {
	cfg  HubConfig
	src  Source
	hall string
	log  zerolog.Logger
	m    *metrics
	up   websocket.Upgrader
	// corkPool holds the buffers screens gather frames in (see corkConn).
	corkPool *sync.Pool
	wg       sync.WaitGroup // every screen's reader and writer

	loadMu sync.Mutex // one journal read at a time (extend)

	mu       sync.Mutex // taken by the fan-out; held briefly
	closed   bool
	clients  map[*client]struct{}
	held     backlog      // the current business day's events, up to MaxHeld
	dayStart int64        // seq of the current day's day.started; 0 = not known
	view     *queue.View  // the hall as of held.last()
	snap     *message     // view encoded, made on first need
	supSnap  *message     // view with its alerts encoded, made on first need
	dropped  atomic.Int64 // screens dropped as slow readers
}

// NewHub starts a hub for cfg.Hall and subscribes it to the hall's durable
// batches.
func NewHub(cfg HubConfig) *Hub {
	cfg.defaults()
	h := &Hub{cfg: cfg, src: cfg.Hall, hall: cfg.Hall.Spec().HallID, log: cfg.Log.With().Str("part", "hub").Logger(),
		m: newMetrics(cfg.Registry), clients: map[*client]struct{}{}, corkPool: newCorkPool()}
	h.held.reset(-1) // -1: nothing seen yet
	h.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   256, // screens send only pongs and a close
		WriteBufferPool:  &sync.Pool{},
		CheckOrigin:      h.checkOrigin,
		Error:            upgradeError,
	}
	h.src.Subscribe(h.publish)
	h.mu.Lock()
	if h.view == nil { // no batch yet: start from the hall's current view
		v := h.src.View()
		h.view = v
		h.held.reset(v.Seq)
	}
	h.mu.Unlock()
	return h
}

// publish is the hall's subscriber: it runs on the hall's writer goroutine,
// so it encodes outside the lock and never waits for a screen.
func (h *Hub) publish(b hall.Batch) {
	msgs := make([]*message, 0, len(b.Events))
	for _, e := range b.Events {
		data, err := json.Marshal(hall.EventOf(e))
		if err != nil {
			h.log.Error().Err(err).Int64("seq", e.Seq).Msg("encode event")
			data = []byte(`{"type":"event","seq":` + strconv.FormatInt(e.Seq, 10) + `,"event":{"kind":"` + string(e.Kind) + `"}}`)
		}
		m := newMessage(e.Seq, data)
		if e.Restricted() { // CONTRACT §3: public {"kind":"restricted"}, the supervisor's in full
			priv, err := json.Marshal(hall.SupervisorEventOf(e))
			if err != nil {
				h.log.Error().Err(err).Int64("seq", e.Seq).Msg("encode event")
				priv = data
			}
			m.priv = newMessage(e.Seq, priv)
		}
		msgs = append(msgs, m)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if h.view == nil { // the first batch came before NewHub read the view
		h.held.reset(b.Events[0].Seq - 1)
	}
	for i, m := range msgs {
		last := h.held.last()
		if m.seq <= last {
			continue // already in the view NewHub started from
		}
		if m.seq != last+1 {
			// Cannot happen while the hall delivers every batch; if it
			// does, no screen may see the gap as a continuation.
			h.log.Error().Int64("want", last+1).Int64("got", m.seq).Msg("event gap; reconnecting screens")
			h.held.reset(m.seq - 1)
			h.dayStart = 0
			for c := range h.clients {
				h.dropLocked(c, reasonGap)
			}
		}
		if b.Events[i].Kind == queue.EvDayStarted {
			h.held.reset(m.seq - 1) // a new business day: earlier events resume no one
			h.dayStart = m.seq
		}
		if m.priv != nil {
			h.held.pushPriv(m.data, m.priv.data)
		} else {
			h.held.push(m.data)
		}
		for c := range h.clients {
			select {
			case c.send <- m:
			default:
				h.dropLocked(c, reasonSlow)
			}
		}
	}
	h.held.trim(h.cfg.MaxHeld)
	h.held.trimBytes(h.cfg.MaxHeldBytes)
	h.view, h.snap, h.supSnap = b.View, nil, nil
}

// dropLocked lets go of c: its writer closes the connection, and a pending
// write is cut short. Called with h.mu held.
func (h *Hub) dropLocked(c *client, reason string) {
	delete(h.clients, c)
	c.reason = reason
	close(c.send)
	h.m.connected.Dec()
	if reason != reasonShutdown {
		h.m.dropped.WithLabelValues(reason).Inc()
		h.dropped.Add(1)
		c.conn.NetConn().Close() // a slow screen's write may be blocked
		h.log.Warn().Str("screen", c.addr).Str("reason", reason).Msg("screen disconnected 屏幕已断开")
	}
}

// snapshotLocked is the snapshot message of the current view, encoded once.
func (h *Hub) snapshotLocked() *message {
	if h.snap == nil {
		h.snap = encodeSnapshot(h.view, h.log)
	}
	return h.snap
}

// supervisorSnapshotLocked is the supervisor stream's snapshot of the
// current view, with state.alerts (CONTRACT §3).
func (h *Hub) supervisorSnapshotLocked() *message {
	if h.supSnap == nil {
		data, err := json.Marshal(hall.SupervisorSnapshotOf(h.view))
		if err != nil {
			h.log.Error().Err(err).Msg("encode supervisor snapshot")
		}
		h.supSnap = newMessage(h.view.Seq, data)
	}
	return h.supSnap
}

// encodeSnapshot makes the snapshot message of v (CONTRACT §3).
func encodeSnapshot(v *queue.View, log zerolog.Logger) *message {
	data, err := json.Marshal(hall.SnapshotOf(v))
	if err != nil {
		log.Error().Err(err).Msg("encode snapshot")
	}
	return newMessage(v.Seq, data)
}

// Stats is what the hub holds now.
type Stats struct {
	Connected int   // screens connected
	Dropped   int64 // screens dropped as slow readers since start
	Seq       int64 // the last seq sent
	HeldFrom  int64 // ?since= at or after this resumes from memory
}

// Stats reports the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Connected: len(h.clients), Dropped: h.dropped.Load(), Seq: h.held.last(), HeldFrom: h.held.from}
}

// errClosed refuses screens after Close.
var errClosed = errors.New("display hub is closed")

// Close disconnects every screen (close code 1001, going away) and waits
// for their goroutines. The hub takes no screens afterwards.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.wg.Wait()
		return nil
	}
	h.closed = true
	var all []*client
	for c := range h.clients {
		all = append(all, c)
		h.dropLocked(c, reasonShutdown)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		for _, c := range all { // writes stuck on slow screens
			c.conn.NetConn().Close()
		}
		<-done
	}
	return nil
}

// upgradeError answers a failed websocket handshake.
func upgradeError(w http.ResponseWriter, r *http.Request, status int, reason error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(reason.Error() + "\n"))
}
