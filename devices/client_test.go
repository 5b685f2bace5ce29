package devices

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/queue"
)

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
			select { // never block paho's delivery goroutine
			case ch <- r:
			default:
			}
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
