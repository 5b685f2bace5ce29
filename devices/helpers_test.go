package devices

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/devauth"
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
	cfg := Config{Hall: h, Auth: devauth.New(creds), Log: log, Listen: addr, Dir: e.dir, Registry: e.reg, Clock: e.devClock.Now,
		Replies: func(since time.Time, fn func(source, reqID string, at time.Time, response []byte)) error {
			return j.Requests(since, func(r store.Request) { fn(r.Source, r.ReqID, r.At, r.Response) })
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

// msg is one message a test client received.
type msg struct {
	Topic    string
	Payload  []byte
	Retained bool
}

// client is a device (or any MQTT client) connected with paho, as seen by
// one test; in a subtest use c.in(t).
type client struct {
	t testing.TB
	*conn
}

// conn is the connection a client's copies share.
type conn struct {
	e    *env
	id   string
	c    paho.Client
	msgs chan msg // everything received on subscriptions other than res

	mu      sync.Mutex
	waiters map[string]chan answer // by req_id
	stray   chan answer            // responses nobody waits for
}

// in is c reporting to t.
func (c *client) in(t testing.TB) *client { return &client{t: t, conn: c.conn} }

// res is a decoded answer.
type answer struct {
	ReqID  string          `json:"req_id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *queue.Error    `json:"error"`
	raw    []byte
}

func (r answer) code() string {
	if r.Error == nil {
		return ""
	}
	return string(r.Error.Code)
}

// result decodes the result into a map.
func (r answer) result(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Result, &m); err != nil {
		tb.Fatalf("result of %s: %v (%s)", r.ReqID, err, r.raw)
	}
	return m
}

// clientOpts tunes a connection.
type clientOpts struct {
	user, pass string // default: the device's id and secret
	clientID   string // default: the device id
	will       bool   // set the contract's Last Will
	noSub      bool   // do not subscribe to res and cmd
	broker     string // default: the env's embedded broker
}

// connect connects device id and subscribes to its res and cmd topics.
func (e *env) connect(id string, o ...clientOpts) *client {
	e.t.Helper()
	c, err := e.dial(id, o...)
	if err != nil {
		e.t.Fatalf("connect %s: %v", id, err)
	}
	return c
}

// dial is connect returning the CONNECT error.
func (e *env) dial(id string, o ...clientOpts) (*client, error) {
	e.t.Helper()
	var opt clientOpts
	if len(o) > 0 {
		opt = o[0]
	}
	if opt.user == "" {
		opt.user = id
	}
	if opt.pass == "" {
		opt.pass = e.secret(id)
	}
	if opt.clientID == "" {
		opt.clientID = opt.user
	}
	if opt.broker == "" {
		opt.broker = e.broker
	}
	if opt.broker == "" {
		opt.broker = "tcp://" + e.addr
	}
	c := &client{t: e.t, conn: &conn{e: e, id: id, msgs: make(chan msg, 1024), waiters: map[string]chan answer{}, stray: make(chan answer, 256)}}
	po := paho.NewClientOptions().AddBroker(opt.broker).SetClientID(opt.clientID).SetUsername(opt.user).SetPassword(opt.pass).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectTimeout(wait).SetOrderMatters(true).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { c.deliver(m) })
	if opt.will {
		po.SetBinaryWill(e.topic("dev/"+id+"/status"), []byte(`{"online":false}`), 1, true)
	}
	c.c = paho.NewClient(po)
	t := c.c.Connect()
	if !t.WaitTimeout(wait) {
		return nil, fmt.Errorf("CONNECT timed out")
	}
	if err := t.Error(); err != nil {
		return nil, err
	}
	e.t.Cleanup(func() { c.c.Disconnect(0) })
	if !opt.noSub {
		c.subscribe(e.topic("dev/"+id+"/res"), e.topic("dev/"+id+"/cmd"))
	}
	return c, nil
}

func (c *conn) deliver(m paho.Message) {
	if strings.HasSuffix(m.Topic(), "/res") {
		var r answer
		if json.Unmarshal(m.Payload(), &r) != nil {
			c.e.t.Errorf("%s: answer is not JSON: %q", c.id, m.Payload())
			return
		}
		r.raw = append([]byte(nil), m.Payload()...)
		c.mu.Lock()
		ch := c.waiters[r.ReqID]
		c.mu.Unlock()
		if ch != nil {
			ch <- r
			return
		}
		select {
		case c.stray <- r:
		default:
		}
		return
	}
	select {
	case c.msgs <- msg{Topic: m.Topic(), Payload: append([]byte(nil), m.Payload()...), Retained: m.Retained()}:
	default:
		c.e.t.Errorf("%s: message buffer full", c.id)
	}
}

// subscribe subscribes at QoS 1 and fails the test if the broker refuses.
func (c *client) subscribe(filters ...string) {
	c.t.Helper()
	if codes := c.trySubscribe(filters...); len(codes) > 0 {
		for f, code := range codes {
			if code >= 0x80 {
				c.t.Fatalf("%s: subscribe %s refused (0x%x)", c.id, f, code)
			}
		}
	}
}

// trySubscribe subscribes and returns the SUBACK code per filter.
func (c *client) trySubscribe(filters ...string) map[string]byte {
	c.t.Helper()
	m := map[string]byte{}
	for _, f := range filters {
		m[f] = 1
	}
	t := c.c.SubscribeMultiple(m, nil)
	if !t.WaitTimeout(wait) {
		c.t.Fatalf("%s: subscribe %v timed out", c.id, filters)
	}
	if err := t.Error(); err != nil {
		c.t.Fatalf("%s: subscribe %v: %v", c.id, filters, err)
	}
	return t.(*paho.SubscribeToken).Result()
}

// publish publishes at QoS 1 to a topic (no hall prefix is added).
func (c *client) publish(topic string, payload []byte, retain bool) {
	c.t.Helper()
	t := c.c.Publish(topic, 1, retain, payload)
	if !t.WaitTimeout(wait) {
		c.t.Fatalf("%s: publish to %s timed out", c.id, topic)
	}
}

// reqID returns a fresh req_id.
func (c *client) reqID() string { return fmt.Sprintf("%s-%d", c.id, c.e.n.Add(1)) }

// expect registers for the answer to reqID.
func (c *client) expect(reqID string) chan answer {
	ch := make(chan answer, 4)
	c.mu.Lock()
	c.waiters[reqID] = ch
	c.mu.Unlock()
	return ch
}

// send publishes a raw request payload to the device's own req topic.
func (c *client) send(payload []byte) {
	c.t.Helper()
	c.publish(c.e.topic("dev/"+c.id+"/req"), payload, false)
}

// request publishes {"req_id":reqID,"op":op,...args} and waits for the answer.
func (c *client) request(reqID, op string, args map[string]any) answer {
	c.t.Helper()
	body := map[string]any{"req_id": reqID, "op": op}
	for k, v := range args {
		body[k] = v
	}
	payload, _ := json.Marshal(body)
	ch := c.expect(reqID)
	c.send(payload)
	return c.await(reqID, ch)
}

// await waits for the answer on ch.
func (c *client) await(reqID string, ch chan answer) answer {
	c.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(wait):
		c.t.Fatalf("%s: no answer to %s within %v", c.id, reqID, wait)
		return answer{}
	}
}

// do sends op with a fresh req_id and waits for the answer.
func (c *client) do(op string, args map[string]any) answer {
	c.t.Helper()
	return c.request(c.reqID(), op, args)
}

// ok is do that fails the test unless the answer is ok.
func (c *client) ok(op string, args map[string]any) map[string]any {
	c.t.Helper()
	r := c.do(op, args)
	if !r.OK {
		c.t.Fatalf("%s %s: %s", c.id, op, r.raw)
	}
	return r.result(c.t)
}

// next waits for the next message on a topic for which match is true,
// skipping others.
func (c *client) next(match func(msg) bool) msg {
	c.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case m := <-c.msgs:
			if match(m) {
				return m
			}
		case <-timeout:
			c.t.Fatalf("%s: no matching message within %v", c.id, wait)
			return msg{}
		}
	}
}

// on matches messages on one topic.
func on(topic string) func(msg) bool { return func(m msg) bool { return m.Topic == topic } }

// disconnect disconnects cleanly (no Last Will).
func (c *client) disconnect() { c.c.Disconnect(0) }

// decode unmarshals a message's payload.
func decode(tb testing.TB, m msg) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Payload, &v); err != nil {
		tb.Fatalf("message on %s is not a JSON object: %q", m.Topic, m.Payload)
	}
	return v
}

// want compares one field.
func want[T comparable](tb testing.TB, what string, got, want T) {
	tb.Helper()
	if got != want {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
