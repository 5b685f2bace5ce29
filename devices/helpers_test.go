package devices

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/devauth"
	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// wait bounds every wait for a message in these tests.
const wait = 10 * time.Second

// testYAML is the hall the tests run: counter 12 serves social (quota 2)
// and tax, counters 1 and 2 general; recall limit 1; rating window 10 s.
const testYAML = `
hall:
  id: t1
  name: {zh: 测试政务服务中心, en: Test Centre}
  timezone: Asia/Shanghai
  recall_limit: 1
  rating_window_s: 10
services:
  - {id: general, prefix: A, name: {zh: 综合受理, en: General}}
  - {id: social, prefix: B, name: {zh: 社会保险, en: Social}, daily_quota: 2}
  - {id: tax, prefix: C, name: {zh: 税务, en: Tax}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [general]}
  - {id: "2", name: {zh: 2号窗口, en: Window 2}, services: [general]}
  - {id: "3", name: {zh: 3号窗口, en: Window 3}, services: [general]}
  - {id: "12", name: {zh: 12号窗口, en: Window 12}, services: [social, tax]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: s-kiosk-01}
  - {id: kiosk-02, kind: kiosk, secret: s-kiosk-02}
  - {id: caller-1, kind: caller, counter: "1", secret: s-caller-1}
  - {id: caller-2, kind: caller, counter: "2", secret: s-caller-2}
  - {id: caller-3, kind: caller, counter: "3", secret: s-caller-3}
  - {id: caller-12, kind: caller, counter: "12", secret: s-caller-12}
  - {id: led-1, kind: counter_display, counter: "1", secret: s-led-1}
  - {id: led-12, kind: counter_display, counter: "12", secret: s-led-12}
  - {id: rater-1, kind: rater, counter: "1", secret: s-rater-1}
  - {id: rater-12, kind: rater, counter: "12", secret: s-rater-12}
  - {id: screen-01, kind: hall_screen, secret: s-screen-01}
`

// testClock is a wall clock that a test can move forward.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *testClock) Set(d time.Duration)     { c.offset.Store(int64(d)) }

// env is a hallqd-like setup: a journal on a temp dir, the hall writer and
// the devices server with its embedded broker on 127.0.0.1.
type env struct {
	t         testing.TB
	dir       string
	cfg       *config.Config
	journal   *store.Journal
	hall      *hall.Hall
	srv       *Server
	addr      string
	hallClock *testClock
	devClock  *testClock // the devices server's clock, for rating-window timers
	reg       *prometheus.Registry
	extra     func(*Config)
	broker    string       // tcp://host:port devices connect to; "" = the embedded broker
	n         atomic.Int64 // req_id sequence: req_ids stay unique across reconnects
}

// envOption adjusts an env before it starts.
type envOption func(*env)

// withYAML runs another hall config.
func withYAML(y string) envOption {
	return func(e *env) { e.cfg = mustParse(e.t, y) }
}

// withConfig changes the devices server's config.
func withConfig(f func(*Config)) envOption { return func(e *env) { e.extra = f } }

func mustParse(tb testing.TB, y string) *config.Config {
	tb.Helper()
	c, err := config.Parse("test.yaml", []byte(y))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newEnv starts a hall and its devices server on a temp dir; Cleanup stops them.
func newEnv(tb testing.TB, opts ...envOption) *env {
	tb.Helper()
	e := &env{t: tb, dir: tb.TempDir(), hallClock: &testClock{}, devClock: &testClock{}}
	e.cfg = mustParse(tb, testYAML)
	for _, o := range opts {
		o(e)
	}
	e.start()
	tb.Cleanup(e.stop)
	return e
}

func testLog(tb testing.TB) zerolog.Logger {
	if testing.Verbose() {
		return zerolog.New(zerolog.NewTestWriter(tb)).Level(zerolog.InfoLevel)
	}
	return zerolog.Nop()
}

func (e *env) start() {
	e.t.Helper()
	log := testLog(e.t)
	j, err := store.Open(e.dir, e.cfg.Hall.ID, log)
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := hall.Open(hall.Config{Spec: e.cfg.Spec(), Journal: j, Log: log, Clock: e.hallClock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.journal, e.hall = j, h
	e.reg = prometheus.NewRegistry()
	var creds []devauth.Cred
	for _, d := range e.cfg.Devices {
		creds = append(creds, devauth.Cred{ID: d.ID, Kind: d.Kind, Counter: d.Counter, Secret: d.Secret})
	}
	addr := "127.0.0.1:0"
	if e.addr != "" {
		addr = e.addr // a restart keeps the port
	}
	rt := &firmwareconfig.Retained{BaseURL: func() string { return "http://127.0.0.1:1" }}
	sp := h.Spec()
	cfg := Config{Hall: h, Auth: devauth.New(creds), Log: log, Listen: addr, Registry: e.reg, Clock: e.devClock.Now,
		Desired: func(evs []queue.Event, v *queue.View, all bool, emit func(string, string, []byte)) {
			rt.Messages(sp, evs, v, all, emit)
		}}
	if e.extra != nil {
		e.extra(&cfg)
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = s
	if s.Addr() != "" {
		e.addr = s.Addr()
	}
}

func (e *env) stop() {
	if e.srv != nil {
		if err := e.srv.Close(); err != nil {
			e.t.Errorf("close devices server: %v", err)
		}
		e.srv = nil
	}
	if e.hall != nil {
		e.hall.Close()
		e.hall = nil
	}
	if e.journal != nil {
		e.journal.Close()
		e.journal = nil
	}
}

// restart stops everything and starts again on the same dir and port, as
// hallqd does after a restart.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

// secret is a configured device's secret.
func (e *env) secret(id string) string {
	for _, d := range e.cfg.Devices {
		if d.ID == id {
			return d.Secret
		}
	}
	return "no-such-device"
}

// topic is hallq/v1/{hall}/rest.
func (e *env) topic(rest string) string { return "hallq/v1/" + e.cfg.Hall.ID + "/" + rest }

// do sends a command to the hall directly, as the HTTP API would.
func (e *env) do(cmd queue.Command) hall.Reply {
	e.t.Helper()
	rep := e.hall.Do(context.Background(), hall.Request{Source: "test", Cmd: cmd})
	return rep
}
