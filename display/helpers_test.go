package display

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// testHallYAML is a small hall: three services, four counters, a few devices.
const testHallYAML = `
hall:
  id: t1
  name: {zh: 测试大厅, en: Test hall}
  timezone: Asia/Shanghai
services:
  - {id: general, prefix: A, name: {zh: 综合受理, en: General intake}}
  - {id: social, prefix: B, name: {zh: 社会保险, en: Social insurance}}
  - {id: tax, prefix: C, name: {zh: 税务, en: Taxation}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [general]}
  - {id: "2", name: {zh: 2号窗口, en: Window 2}, services: [general, social]}
  - {id: "3", name: {zh: 3号窗口, en: Window 3}, services: [social, tax]}
  - {id: "4", name: {zh: 4号窗口, en: Window 4}, services: [tax]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
  - {id: screen-01, kind: hall_screen, secret: s1}
  - {id: caller-1, kind: caller, counter: "1", secret: c1}
`

// testClock is a settable clock for halls whose business day a test changes.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// testHall is an open hall on a journal in dir.
type testHall struct {
	*hall.Hall
	journal *store.Journal
}

// MustOpenHall opens the test hall on dir (a new t.TempDir() when empty);
// clock may be nil. The hall and journal close at cleanup or with Close.
func MustOpenHall(tb testing.TB, dir string, clock func() time.Time) *testHall {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	cfg, err := config.Parse("test.yaml", []byte(testHallYAML))
	if err != nil {
		tb.Fatal(err)
	}
	j, err := store.Open(dir, cfg.Hall.ID, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	h, err := hall.Open(hall.Config{Spec: cfg.Spec(), Journal: j, Clock: clock, Log: zerolog.Nop()})
	if err != nil {
		j.Close()
		tb.Fatal(err)
	}
	th := &testHall{Hall: h, journal: j}
	tb.Cleanup(th.Close)
	return th
}

// Close stops the hall and closes its journal; it may be called twice.
func (th *testHall) Close() {
	th.Hall.Close()
	th.journal.Close()
}

// do runs cmd and fails tb if the hall refuses it.
func (th *testHall) do(tb testing.TB, cmd queue.Command) hall.Reply {
	tb.Helper()
	rep := th.Do(context.Background(), hall.Request{Source: "test", Cmd: cmd})
	if !rep.OK {
		tb.Fatalf("%T: %v", cmd, rep.Error)
	}
	return rep
}

// testHub is a hub served on a loopback httptest server.
type testHub struct {
	*Hub
	srv *httptest.Server
	reg *prometheus.Registry
}

// MustStartHub starts a hub for h with cfg (Hall, Registry and Log are
// filled in) on 127.0.0.1; it closes at cleanup. wrap, when set, wraps the
// server's listener.
func MustStartHub(tb testing.TB, h Source, cfg HubConfig, wrap func(net.Listener) net.Listener) *testHub {
	tb.Helper()
	reg := prometheus.NewRegistry()
	cfg.Hall, cfg.Registry, cfg.Log = h, reg, zerolog.Nop()
	hub := NewHub(cfg)
	mux := http.NewServeMux()
	mux.Handle("GET /ws/v1/halls/{hall}", hub)
	srv := httptest.NewUnstartedServer(mux)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	th := &testHub{Hub: hub, srv: srv, reg: reg}
	tb.Cleanup(func() {
		hub.Close()
		srv.Close()
	})
	return th
}

// url is the hub's websocket URL with an optional query.
func (th *testHub) url(hallID, query string) string {
	u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws/v1/halls/" + hallID
	if query != "" {
		u += "?" + query
	}
	return u
}

// metric returns the value of a gauge or counter (with label value lv, if any).
func (th *testHub) metric(tb testing.TB, name, lv string) float64 {
	tb.Helper()
	mfs, err := th.reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if lv != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != lv) {
				continue
			}
			if m.Gauge != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// screen is a test websocket client.
type screen struct {
	tb   testing.TB
	conn *websocket.Conn
	raw  [][]byte // every message read, in order
}

// wsMsg is a websocket message as the contract describes it.
type wsMsg struct {
	Type  string          `json:"type"`
	Seq   int64           `json:"seq"`
	State json.RawMessage `json:"state"`
	Event map[string]any  `json:"event"`
}

// readLimit bounds a test's wait for one message; it is a safety net for a
// broken hub, not a timing assertion.
const testReadLimit = 20 * time.Second

// dialScreen connects to url; it closes at cleanup.
func dialScreen(tb testing.TB, url string, d *websocket.Dialer) *screen {
	tb.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	conn, resp, err := d.Dial(url, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	s := &screen{tb: tb, conn: conn}
	tb.Cleanup(func() { conn.Close() })
	return s
}

// next reads one message.
func (s *screen) next() wsMsg {
	s.tb.Helper()
	m, err := s.tryNext()
	if err != nil {
		s.tb.Fatalf("read: %v", err)
	}
	return m
}

func (s *screen) tryNext() (wsMsg, error) {
	s.conn.SetReadDeadline(time.Now().Add(testReadLimit))
	_, data, err := s.conn.ReadMessage()
	if err != nil {
		return wsMsg{}, err
	}
	s.raw = append(s.raw, data)
	var m wsMsg
	if err := json.Unmarshal(data, &m); err != nil {
		s.tb.Fatalf("message is not JSON: %v: %s", err, data)
	}
	return m, nil
}

// snapshot reads the first message and checks it is a snapshot.
func (s *screen) snapshot() wsMsg {
	s.tb.Helper()
	m := s.next()
	if m.Type != "snapshot" {
		s.tb.Fatalf("first message is %q (seq %d), want a snapshot", m.Type, m.Seq)
	}
	return m
}

// eventsThrough reads events until seq last, checking that each seq is one
// more than the one before, starting after prev. It returns the events.
func (s *screen) eventsThrough(prev, last int64) []wsMsg {
	s.tb.Helper()
	var out []wsMsg
	for prev < last {
		m := s.next()
		if m.Type != "event" {
			s.tb.Fatalf("after seq %d got a %q message, want an event", prev, m.Type)
		}
		if m.Seq != prev+1 {
			s.tb.Fatalf("after seq %d got seq %d: a gap or a repeat", prev, m.Seq)
		}
		if m.Event["kind"] == nil {
			s.tb.Fatalf("event %d has no kind: %s", m.Seq, s.raw[len(s.raw)-1])
		}
		out = append(out, m)
		prev = m.Seq
	}
	return out
}

// checkGoroutines fails tb if, after its other cleanups, more goroutines run
// than before the test. Register it first so that it runs last.
func checkGoroutines(tb testing.TB) {
	tb.Helper()
	before := runtime.NumGoroutine()
	tb.Cleanup(func() {
		// Exiting goroutines signal nothing, so poll the count.
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				tb.Errorf("goroutines leaked: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
				return
			}
			<-tick.C
		}
	})
}

// itoa formats a seq for a query string.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// smallSendBuffers makes the server's sockets buffer little, so that a
// screen that does not read fills them after a few hundred events.
func smallSendBuffers(l net.Listener) net.Listener { return smallBufListener{l} }

type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// dialSmallReceiveBuffer dials with a small socket receive buffer.
func dialSmallReceiveBuffer(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Control: nil}
	c, err := d.DialContext(ctx, network, addr)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	return c, err
}
