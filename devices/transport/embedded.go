package transport

import (
	"fmt"
	"net"
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/devices/mochi"
	"github.com/hallq/hallq/netlimit"
)

// MQTT connection cap: far above any hall's devices (a large centre has
// ~400), far below what would starve the journal of file handles.
const (
	maxMQTTConns  = 16384
	mqttFDReserve = 256
)

// Embedded is the embedded broker (mochi-mqtt); hallqd is its inline client.
type Embedded struct {
	log  zerolog.Logger
	srv  *mqtt.Server
	ln   *mochi.GuardedListener
	done chan struct{}
	wg   sync.WaitGroup

	pubMu sync.Mutex // serialises inline publishes
	subID int
}

// writeBuffer is how much mochi gathers for one device before it writes,
// while more packets wait for that device: a hall screen gets each change's
// counter state and announcement together, so one system call carries a
// burst rather than every 2 KiB (mochi's default). The buffer exists only
// while packets wait.
const writeBuffer = 16 << 10

// NewEmbedded builds the broker with hooks (the device contract's auth, and
// devices/mochi's sessions), then its own workarounds (devices/mochi); Serve
// starts listening. maxPacket bounds every packet a device may send.
func NewEmbedded(log zerolog.Logger, maxPacket uint32, hooks ...mqtt.Hook) (*Embedded, error) {
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = maxPacket
	caps.MaximumClientWritesPending = 1024
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Capabilities: caps, ClientNetWriteBufferSize: writeBuffer,
		Logger: mochi.NewLogger(log.With().Str("component", "mqtt").Logger())})
	for _, h := range append(hooks, &mochi.SysHook{}, mochi.NewPacketIDHook()) {
		if err := srv.AddHook(h, nil); err != nil {
			return nil, fmt.Errorf("add mqtt hook %s: %w", h.ID(), err)
		}
	}
	return &Embedded{log: log, srv: srv, done: make(chan struct{})}, nil
}

// Server is the mochi broker, for hooks that act on its clients.
func (e *Embedded) Server() *mqtt.Server { return e.srv }

// Go runs fn until the broker closes (Close waits for it); done is closed
// when it should return.
func (e *Embedded) Go(fn func(done <-chan struct{})) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		fn(e.done)
	}()
}

// Serve accepts devices on addr.
func (e *Embedded) Serve(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen.mqtt %s: %w", addr, err)
	}
	// Cap MQTT connections too, leaving handles for the journal and HTTP
	// (docs/robustness.md); a connection over the cap is closed at once.
	capped := netlimit.New(ln, netlimit.Budget(maxMQTTConns, mqttFDReserve), maxMQTTConns, nil)
	e.ln = mochi.NewGuardedListener(capped, e.log)
	if err := e.srv.AddListener(listeners.NewNet("tcp", e.ln)); err != nil {
		ln.Close()
		return fmt.Errorf("mqtt listener %s: %w", addr, err)
	}
	if err := e.srv.Serve(); err != nil {
		ln.Close()
		return fmt.Errorf("start embedded mqtt broker: %w", err)
	}
	return nil
}

// Addr is the bound listen address.
func (e *Embedded) Addr() string {
	if e.ln == nil {
		return ""
	}
	return e.ln.Addr().String()
}

// Publish implements Transport.
func (e *Embedded) Publish(topic string, payload []byte, retain bool) error {
	e.pubMu.Lock()
	defer e.pubMu.Unlock()
	if err := e.srv.Publish(topic, payload, retain, 1); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// Subscribe implements Transport.
func (e *Embedded) Subscribe(filter string, fn Handler) error {
	e.subID++
	err := e.srv.Subscribe(filter, e.subID, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Origin, pk.Payload)
	})
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", filter, err)
	}
	return nil
}

// Ready reports a listener that is not accepting connections (CONTRACT §4
// readyz).
func (e *Embedded) Ready() error {
	if e.ln == nil {
		return fmt.Errorf("mqtt listener not started")
	}
	return e.ln.AcceptErr()
}

// Close stops the broker and waits for what Go started.
func (e *Embedded) Close() error {
	close(e.done)
	err := e.srv.Close()
	e.wg.Wait()
	return err
}
