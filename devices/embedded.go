package devices

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

// embedded is the embedded broker (mochi-mqtt); hallqd is its inline client.
type embedded struct {
	log      zerolog.Logger
	srv      *mqtt.Server
	sessions *sessionHook
	ln       *mochi.GuardedListener
	done     chan struct{}
	wg       sync.WaitGroup

	pubMu sync.Mutex // serialises inline publishes
	subID int
}

// writeBuffer is how much mochi gathers for one device before it writes,
// while more packets wait for that device: a hall screen gets each change's
// counter state and announcement together, so one system call carries a
// burst rather than every 2 KiB (mochi's default). The buffer exists only
// while packets wait.
const writeBuffer = 16 << 10

// newEmbedded builds the broker with its hooks; serve starts listening.
func newEmbedded(log zerolog.Logger, auth *authHook, sessions *sessionHook) (*embedded, error) {
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = maxPacket
	caps.MaximumClientWritesPending = 1024
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Capabilities: caps, ClientNetWriteBufferSize: writeBuffer,
		Logger: mochi.NewLogger(log.With().Str("component", "mqtt").Logger())})
	sessions.srv = srv
	if err := srv.AddHook(auth, nil); err != nil {
		return nil, fmt.Errorf("add mqtt auth hook: %w", err)
	}
	if err := srv.AddHook(sessions, nil); err != nil {
		return nil, fmt.Errorf("add mqtt session hook: %w", err)
	}
	if err := srv.AddHook(&mochi.SysHook{}, nil); err != nil {
		return nil, fmt.Errorf("add mqtt $SYS hook: %w", err)
	}
	if err := srv.AddHook(mochi.NewPacketIDHook(), nil); err != nil {
		return nil, fmt.Errorf("add mqtt packet id hook: %w", err)
	}
	return &embedded{log: log, srv: srv, sessions: sessions, done: make(chan struct{})}, nil
}

// serve accepts devices on addr.
func (e *embedded) serve(addr string) error {
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
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.sessions.repairLoop(e.done)
	}()
	return nil
}

// addr is the bound listen address.
func (e *embedded) addr() string {
	if e.ln == nil {
		return ""
	}
	return e.ln.Addr().String()
}

func (e *embedded) publish(topic string, payload []byte, retain bool) error {
	e.pubMu.Lock()
	defer e.pubMu.Unlock()
	if err := e.srv.Publish(topic, payload, retain, 1); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

func (e *embedded) subscribe(filter string, fn handler) error {
	e.subID++
	err := e.srv.Subscribe(filter, e.subID, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Origin, pk.Payload)
	})
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", filter, err)
	}
	return nil
}

// ready reports a listener that is not accepting connections (CONTRACT §4
// readyz).
func (e *embedded) ready() error {
	if e.ln == nil {
		return fmt.Errorf("mqtt listener not started")
	}
	return e.ln.AcceptErr()
}

func (e *embedded) close() error {
	close(e.done)
	err := e.srv.Close()
	e.wg.Wait()
	return err
}
