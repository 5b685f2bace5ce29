package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/config"
)

// topics names the contract's MQTT topics for one hall (CONTRACT §2: all
// topics start with hallq/v1/{hall}/).
type topics struct{ root string }

func newTopics(hall string) topics { return topics{root: "hallq/v1/" + hall + "/"} }

// dev is a device's own topic: status, req, res, cmd, ack or config.
func (t topics) dev(id, leaf string) string { return t.root + "dev/" + id + "/" + leaf }

// counterState is the retained LED state of one counter.
func (t topics) counterState(counter string) string { return t.root + "state/counters/" + counter }

// serviceStatePrefix starts the retained per-service waiting counts.
func (t topics) serviceStatePrefix() string { return t.root + "state/services/" }

// allState is every retained state topic.
func (t topics) allState() string { return t.root + "state/#" }

// announce is the call announcements topic.
func (t topics) announce() string { return t.root + "announce" }

// response is one reply on dev/{id}/res (CONTRACT §2 requests and responses).
type response struct {
	ReqID  string          `json:"req_id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *apiError       `json:"error"`
	At     time.Time       `json:"-"` // when it arrived
}

// apiError is a response's error: a stable code and a message for people.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	if e == nil {
		return "error response without an error object"
	}
	return e.Code + ": " + e.Message
}

// code is the error code of r, or "" when r is ok.
func (r response) code() string {
	if r.OK {
		return ""
	}
	if r.Error == nil {
		return "(no error object)"
	}
	return r.Error.Code
}

// command is one message on dev/{id}/cmd (CONTRACT §2, e.g. rate.prompt).
type command struct {
	CmdID     string `json:"cmd_id"`
	Op        string `json:"op"`
	TicketID  string `json:"ticket_id"`
	Ticket    string `json:"ticket"`
	Counter   string `json:"counter"`
	StaffID   string `json:"staff_id"`
	ExpiresAt string `json:"expires_at"`
}

// errTimeout is a request that got no response in time.
var errTimeout = errors.New("no response in time")

// waiters matches responses to the requests waiting for them, by req_id.
// A response nobody waits for (late, after a timeout, or a QoS 1 duplicate)
// is counted and dropped.
type waiters struct {
	mu     sync.Mutex
	m      map[string]chan response
	strays atomic.Int64
}

func newWaiters() *waiters { return &waiters{m: map[string]chan response{}} }

// add registers req_id id and returns where its response will arrive.
func (w *waiters) add(id string) <-chan response {
	ch := make(chan response, 1)
	w.mu.Lock()
	w.m[id] = ch
	w.mu.Unlock()
	return ch
}

// remove forgets id, for a request that gave up.
func (w *waiters) remove(id string) {
	w.mu.Lock()
	delete(w.m, id)
	w.mu.Unlock()
}

// deliver hands r to its waiter; it never blocks. It reports false for a
// response nobody waits for.
func (w *waiters) deliver(r response) bool {
	w.mu.Lock()
	ch, ok := w.m[r.ReqID]
	delete(w.m, r.ReqID)
	w.mu.Unlock()
	if !ok {
		w.strays.Add(1)
		return false
	}
	ch <- r // buffered, and each channel gets at most one response
	return true
}

// pending is the number of requests still waiting.
func (w *waiters) pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.m)
}

// deviceOptions are how a simulated device connects and what it listens to.
type deviceOptions struct {
	Broker        string
	RunID         string        // makes req_ids unique across runs (CONTRACT §2: unique per device for 24 h)
	Timeout       time.Duration // how long a request waits for its response
	AutoReconnect bool
	// Subs are extra subscriptions (LED state, announcements) and their
	// handlers; each handler must return quickly.
	Subs map[string]mqtt.MessageHandler
	// OnCmd gets each new command (duplicates are acked again, not passed on);
	// it runs on the client's delivery goroutine and must not block.
	OnCmd func(command)
	// OnLost is told when the connection drops.
	OnLost func(id string, err error)
	// Firmware, when set, makes the device take firmware offered on
	// dev/{id}/firmware (CONTRACT §6); see firmware.go.
	Firmware *FirmwareOptions
	// Answered, when set, counts the responses that matched a request.
	Answered *atomic.Int64
}

// Device is one configured device connected to the broker with its own
// credentials: it announces itself online with a retained status and a Last
// Will, sends requests and matches their responses, and acks commands.
type Device struct {
	cfg     config.Device
	t       topics
	o       deviceOptions
	client  mqtt.Client
	waiters *waiters
	seq     atomic.Uint64
	ready   chan error // the first OnConnect's outcome
	once    sync.Once
	cfgVer  atomic.Int64 // the config version last reported in status
	cmdMu   sync.Mutex
	cmdSeen map[string]bool // cmd_ids already passed on (QoS 1 may redeliver)
	cmdFIFO []string
	fw      fwStatus // the firmware it runs and its fw_state (firmware.go)
	// inflight holds a slot per request in flight: a device keeps at most
	// deviceInFlight, as CONTRACT §2 admission asks, and queues the rest.
	inflight chan struct{}
}

// deviceInFlight is the most requests one device has in flight; hallq may
// answer more with rate_limited (CONTRACT §2 admission).
const deviceInFlight = 8

// Dial connects device d and returns once it is subscribed to its own
// topics and has published its online status (CONTRACT §2 status).
func Dial(ctx context.Context, d config.Device, t topics, o deviceOptions) (*Device, error) {
	if strings.HasPrefix(d.Secret, "$2") {
		return nil, fmt.Errorf("device %s: its secret in the config is a bcrypt hash; the simulator needs the plain secret", d.ID)
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	dev := &Device{cfg: d, t: t, o: o, waiters: newWaiters(), ready: make(chan error, 1), cmdSeen: map[string]bool{},
		inflight: make(chan struct{}, deviceInFlight)}
	dev.fw.init(o.Firmware)
	opts := mqtt.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(d.ID). // CONTRACT §2: client id = username = device id
		SetUsername(d.ID).
		SetPassword(d.Secret).
		SetProtocolVersion(4). // MQTT 3.1.1
		SetCleanSession(true).
		SetKeepAlive(30*time.Second).
		SetConnectTimeout(10*time.Second).
		SetWriteTimeout(10*time.Second).
		SetAutoReconnect(o.AutoReconnect).
		SetMaxReconnectInterval(5*time.Second).
		// CONTRACT §2 status: a Last Will of {"online":false}, retained.
		SetBinaryWill(t.dev(d.ID, "status"), []byte(`{"online":false}`), 1, true).
		SetOnConnectHandler(dev.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			if o.OnLost != nil {
				o.OnLost(d.ID, err)
			}
		})
	dev.client = mqtt.NewClient(opts)
	tok := dev.client.Connect()
	if err := waitToken(ctx, tok); err != nil {
		return nil, fmt.Errorf("device %s: connect to %s: %w", d.ID, o.Broker, err)
	}
	select {
	case err := <-dev.ready:
		if err != nil {
			dev.client.Disconnect(0)
			return nil, err
		}
	case <-ctx.Done():
		dev.client.Disconnect(0)
		return nil, fmt.Errorf("device %s: set up: %w", d.ID, ctx.Err())
	}
	return dev, nil
}

// ID is the device id.
func (d *Device) ID() string { return d.cfg.ID }

// onConnect subscribes (a clean session forgets subscriptions, so again
// after every reconnect) and then says the device is online.
func (d *Device) onConnect(c mqtt.Client) {
	err := d.setUp(c)
	d.once.Do(func() { d.ready <- err })
	if err != nil && d.o.OnLost != nil {
		d.o.OnLost(d.cfg.ID, err)
	}
}

func (d *Device) setUp(c mqtt.Client) error {
	filters := map[string]byte{d.t.dev(d.cfg.ID, "res"): 1, d.t.dev(d.cfg.ID, "cmd"): 1, d.t.dev(d.cfg.ID, "config"): 1}
	if d.cfg.Kind == "counter_display" || d.cfg.Kind == "hall_screen" {
		filters = map[string]byte{d.t.dev(d.cfg.ID, "config"): 1} // they only subscribe (CONTRACT §2)
	}
	for f := range d.o.Subs {
		filters[f] = 1
	}
	if d.o.Firmware != nil {
		filters[d.t.dev(d.cfg.ID, "firmware")] = 1 // CONTRACT §6, allowed by §2 security
	}
	handler := func(_ mqtt.Client, m mqtt.Message) { d.route(m) }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok := c.SubscribeMultiple(filters, handler)
	if err := waitToken(ctx, tok); err != nil {
		return fmt.Errorf("device %s: subscribe: %w", d.cfg.ID, err)
	}
	for f, code := range tok.(*mqtt.SubscribeToken).Result() {
		if code == 0x80 {
			return fmt.Errorf("device %s: subscribe %s: refused by the broker", d.cfg.ID, f)
		}
	}
	return d.publishStatus(true)
}

// publishStatus publishes the retained status (CONTRACT §2 status) and
// waits up to 10 s for the broker to take it.
func (d *Device) publishStatus(online bool) error {
	var payload []byte
	if online {
		payload = d.fw.status(d.cfgVer.Load())
	} else {
		payload = []byte(`{"online":false}`)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok := d.client.Publish(d.t.dev(d.cfg.ID, "status"), 1, true, payload)
	if err := waitToken(ctx, tok); err != nil {
		return fmt.Errorf("device %s: publish status: %w", d.cfg.ID, err)
	}
	return nil
}

// route dispatches one incoming message. It runs on the client's delivery
// goroutine, so it never blocks.
func (d *Device) route(m mqtt.Message) {
	topic := m.Topic()
	switch topic {
	case d.t.dev(d.cfg.ID, "res"):
		r := response{At: time.Now()}
		if json.Unmarshal(m.Payload(), &r) != nil || r.ReqID == "" {
			d.waiters.strays.Add(1)
			return
		}
		if d.waiters.deliver(r) && d.o.Answered != nil {
			d.o.Answered.Add(1)
		}
		return
	case d.t.dev(d.cfg.ID, "cmd"):
		d.handleCmd(m.Payload())
		return
	case d.t.dev(d.cfg.ID, "config"):
		d.handleConfig(m.Payload())
		return
	case d.t.dev(d.cfg.ID, "firmware"):
		d.handleFirmware(m.Payload())
		return
	}
	for f, h := range d.o.Subs {
		if topicMatches(f, topic) {
			h(d.client, m)
		}
	}
}

// handleCmd passes a new command on and acks duplicates again.
func (d *Device) handleCmd(payload []byte) {
	var c command
	if json.Unmarshal(payload, &c) != nil || c.CmdID == "" {
		return // nothing to ack
	}
	d.cmdMu.Lock()
	dup := d.cmdSeen[c.CmdID]
	if !dup {
		d.cmdSeen[c.CmdID] = true
		d.cmdFIFO = append(d.cmdFIFO, c.CmdID)
		if len(d.cmdFIFO) > 256 {
			delete(d.cmdSeen, d.cmdFIFO[0])
			d.cmdFIFO = d.cmdFIFO[1:]
		}
	}
	d.cmdMu.Unlock()
	if dup || d.o.OnCmd == nil {
		d.Ack(c.CmdID) // carried out already (or nothing to do)
		return
	}
	d.o.OnCmd(c)
}

// handleConfig takes the desired config's version and reports it in the
// status, as a device that applied it would (CONTRACT §2 config).
func (d *Device) handleConfig(payload []byte) {
	var c struct {
		Version int64 `json:"version"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Version == d.cfgVer.Load() {
		return
	}
	d.cfgVer.Store(c.Version)
	go d.publishStatus(true) // not on the delivery goroutine; a failure shows at the next reconnect
}

// Ack tells hallq a command was carried out (CONTRACT §2 ack). It does not
// wait for the broker, so it may be called from a message handler.
func (d *Device) Ack(cmdID string) {
	payload, _ := json.Marshal(map[string]any{"cmd_id": cmdID, "ok": true})
	d.client.Publish(d.t.dev(d.cfg.ID, "ack"), 1, false, payload)
}

// Request sends op with args and waits for its response (matched by req_id),
// ctx or the device's timeout. The response's At minus the returned start is
// the round trip, including any wait for one of the device's in-flight slots.
func (d *Device) Request(ctx context.Context, op string, args map[string]any) (response, time.Time, error) {
	queued := time.Now()
	select {
	case d.inflight <- struct{}{}:
	case <-ctx.Done():
		return response{}, queued, fmt.Errorf("%s %s: %w", d.cfg.ID, op, ctx.Err())
	}
	defer func() { <-d.inflight }()
	msg := make(map[string]any, len(args)+2)
	for k, v := range args {
		msg[k] = v
	}
	id := d.o.RunID + "-" + strconv.FormatUint(d.seq.Add(1), 36)
	msg["req_id"] = id
	msg["op"] = op
	payload, err := json.Marshal(msg)
	if err != nil {
		return response{}, time.Time{}, fmt.Errorf("%s %s: encode: %w", d.cfg.ID, op, err)
	}
	r, _, err := d.roundTrip(ctx, id, op, payload)
	return r, queued, err
}

// roundTrip publishes payload, whose req_id is id, and waits for the response.
func (d *Device) roundTrip(ctx context.Context, id, op string, payload []byte) (response, time.Time, error) {
	ch := d.waiters.add(id)
	timer := time.NewTimer(d.o.Timeout)
	defer timer.Stop()
	start := time.Now()
	tok := d.client.Publish(d.t.dev(d.cfg.ID, "req"), 1, false, payload)
	published := tok.Done()
	for {
		select {
		case r := <-ch:
			return r, start, nil
		case <-published:
			published = nil
			if err := tok.Error(); err != nil {
				d.waiters.remove(id)
				return response{}, start, fmt.Errorf("%s %s: publish: %w", d.cfg.ID, op, err)
			}
		case <-timer.C:
			d.waiters.remove(id)
			return response{}, start, fmt.Errorf("%s %s (req_id %s): %w after %s", d.cfg.ID, op, id, errTimeout, d.o.Timeout)
		case <-ctx.Done():
			d.waiters.remove(id)
			return response{}, start, fmt.Errorf("%s %s: %w", d.cfg.ID, op, ctx.Err())
		}
	}
}

// Close says the device is going offline (a clean disconnect does not fire
// the Last Will, so the device publishes it itself) and disconnects.
func (d *Device) Close() error {
	err := d.publishStatus(false)
	d.client.Disconnect(250)
	return err
}

// waitToken waits for an MQTT token or ctx.
func waitToken(ctx context.Context, tok mqtt.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// topicMatches reports whether topic matches the MQTT filter (+ and #).
func topicMatches(filter, topic string) bool {
	fs, ts := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, f := range fs {
		if f == "#" {
			return true
		}
		if i >= len(ts) || (f != "+" && f != ts[i]) {
			return false
		}
	}
	return len(fs) == len(ts)
}
