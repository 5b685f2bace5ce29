package transport

import (
	"errors"
	"fmt"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/rs/zerolog"
)

// External joins an external broker (config broker.url) as hallqd's own
// user, subscribes again after every (re)connect and then calls onConnect,
// which publishes all retained state again.
type External struct {
	c         paho.Client
	log       zerolog.Logger
	url       string
	onConnect func()
	lost      chan struct{} // a connection was lost
	stop      chan struct{}
	done      chan struct{}

	mu    sync.Mutex
	subs  []externalSub
	up    chan struct{} // closed at the first connection
	first sync.Once
}

type externalSub struct {
	filter string
	fn     Handler
}

// ErrNotConnected is returned while the external broker is unreachable; the
// retained state is published again on reconnect.
var ErrNotConnected = errors.New("external mqtt broker not connected")

// External broker timings. paho's own reconnect sleeps a second before its
// second attempt and doubles from there, which made a Mosquitto restart
// cost hallqd 2.7-4.0 s; hallqd reconnects itself: at once, then after
// extRetryFirst, doubling up to extMaxReconnect.
const (
	extKeepAlive      = 30 * time.Second
	extRetryFirst     = 25 * time.Millisecond
	extMaxReconnect   = 5 * time.Second
	extConnectTimeout = 5 * time.Second
	extWait           = 10 * time.Second
	ExtFirstConnect   = 3 * time.Second // how long start-up waits for the broker (Start)
)

// NewExternal joins the broker at url as user when Start is called; onConnect
// runs after every (re)connect and resubscription.
func NewExternal(url, user, pass string, log zerolog.Logger, onConnect func()) *External {
	x := &External{log: log, url: url, onConnect: onConnect, lost: make(chan struct{}, 1), stop: make(chan struct{}),
		done: make(chan struct{}), up: make(chan struct{})}
	opts := paho.NewClientOptions().AddBroker(url).SetClientID(user).SetUsername(user).SetPassword(pass).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(extConnectTimeout).
		SetKeepAlive(extKeepAlive).SetWriteTimeout(extWait).
		SetStore(nullStore{}). // nothing is resent after a reconnect: it could land after the fresher republish
		SetOnConnectHandler(x.connected).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn().Err(err).Str("broker", url).Msg("lost the external mqtt broker; reconnecting 与外部 MQTT 服务器断开")
			select {
			case x.lost <- struct{}{}:
			default:
			}
		})
	x.c = paho.NewClient(opts)
	return x
}

// Start connects in the background, waiting up to wait for the first
// connection; without one hallqd keeps trying and /readyz says so.
func (x *External) Start(wait time.Duration) {
	go x.run()
	select {
	case <-x.up:
	case <-time.After(wait):
		x.log.Warn().Msg("external mqtt broker not reachable yet; still trying 外部 MQTT 服务器暂不可达")
	}
}

// run (re)connects until close: the first retry at once, then backing off.
func (x *External) run() {
	defer close(x.done)
	backoff := time.Duration(0)
	for {
		t := x.c.Connect()
		select {
		case <-t.Done():
		case <-x.stop:
			return
		}
		if t.Error() == nil {
			backoff = 0
			select {
			case <-x.lost:
			case <-x.stop:
				return
			}
			continue // at once
		}
		x.log.Debug().Err(t.Error()).Str("broker", x.url).Dur("retry_in", backoff).Msg("external mqtt broker connect failed")
		if backoff == 0 {
			backoff = extRetryFirst
		} else {
			backoff = min(2*backoff, extMaxReconnect)
		}
		select {
		case <-time.After(backoff):
		case <-x.stop:
			return
		}
	}
}

// connected runs after every (re)connect: subscribe again, then republish.
func (x *External) connected(c paho.Client) {
	x.mu.Lock()
	subs := append([]externalSub(nil), x.subs...)
	x.mu.Unlock()
	for _, s := range subs {
		if err := x.sub(s); err != nil {
			x.log.Error().Err(err).Msg("resubscribe on the external mqtt broker")
		}
	}
	x.first.Do(func() { close(x.up) }) // start returns once hallqd's subscriptions are in place
	x.log.Info().Msg("connected to the external mqtt broker 已连接外部 MQTT 服务器")
	if x.onConnect != nil {
		x.onConnect()
	}
}

func (x *External) sub(s externalSub) error {
	t := x.c.Subscribe(s.filter, 1, func(_ paho.Client, m paho.Message) {
		s.fn(m.Topic(), "", m.Payload())
	})
	if !t.WaitTimeout(extWait) {
		return fmt.Errorf("subscribe %s: timed out", s.filter)
	}
	if err := t.Error(); err != nil {
		return fmt.Errorf("subscribe %s: %w", s.filter, err)
	}
	if st, ok := t.(*paho.SubscribeToken); ok {
		for f, code := range st.Result() {
			if code >= 0x80 {
				return fmt.Errorf("subscribe %s: refused by the broker (check its ACL for hallqd)", f)
			}
		}
	}
	return nil
}

// Subscribe registers fn; it takes effect now if connected and after every
// reconnect.
func (x *External) Subscribe(filter string, fn Handler) error {
	s := externalSub{filter, fn}
	x.mu.Lock()
	x.subs = append(x.subs, s)
	x.mu.Unlock()
	if x.c.IsConnectionOpen() {
		return x.sub(s)
	}
	return nil
}

// Publish sends one QoS 1 message. While disconnected it refuses instead of
// queueing, so that no stale retained state arrives after the republish.
func (x *External) Publish(topic string, payload []byte, retain bool) error {
	if !x.c.IsConnectionOpen() {
		return ErrNotConnected
	}
	// The PUBACK is not awaited: a message lost with the connection is made
	// good by the republish on reconnect, the device's retry of its req_id,
	// or the resend of pending commands.
	if t := x.c.Publish(topic, 1, retain, payload); t.Error() != nil {
		return fmt.Errorf("publish %s: %w", topic, t.Error())
	}
	return nil
}

// Ready implements Transport: the broker connection is open.
func (x *External) Ready() error {
	if !x.c.IsConnectionOpen() {
		return ErrNotConnected
	}
	return nil
}

// Close stops reconnecting and disconnects.
func (x *External) Close() error {
	close(x.stop)
	<-x.done
	x.c.Disconnect(250)
	return nil
}

// nullStore keeps no messages for resending after a reconnect.
type nullStore struct{}

func (nullStore) Open()                             {}
func (nullStore) Put(string, packets.ControlPacket) {}
func (nullStore) Get(string) packets.ControlPacket  { return nil }
func (nullStore) All() []string                     { return nil }
func (nullStore) Del(string)                        {}
func (nullStore) Close()                            {}
func (nullStore) Reset()                            {}
