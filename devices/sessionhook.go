package devices

import (
	"errors"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hallq/hallq/devices/mochi"
)

// sessionEvents is what the embedded broker tells the rest of devices/.
type sessionEvents interface {
	connected(device string)
	disconnected(device string)
	subscribedCmd(device string)
}

// sessionHook follows device connections on the embedded broker: a fresh
// CONNECT means online, a disconnect of the device's current connection
// means offline (CONTRACT §2 presence), and a subscription to its cmd topic
// is when pending commands are sent again.
//
// It also works around a race in mochi-mqtt v2.7.9: when a device
// reconnects right after a disconnect (within about a millisecond), the old
// connection's clean-up deletes the client entry by id after the new
// connection has added its own, and the new connection silently receives
// nothing. So before a new connection with valid credentials is set up,
// OnConnect ends the old connection itself, as a take-over, and waits until
// the broker has cleaned it up; repair puts back a current connection that
// was deleted all the same.
type sessionHook struct {
	mqtt.HookBase
	srv    *mqtt.Server
	ev     sessionEvents
	topics Topics
	valid  func(*mqtt.Client, packets.Packet) bool // the credentials are good

	mu      sync.Mutex
	current map[string]*mqtt.Client // the latest established connection per device
	kick    chan struct{}           // asks the repair loop to look soon
}

func newSessionHook(ev sessionEvents, topics Topics, valid func(*mqtt.Client, packets.Packet) bool) *sessionHook {
	return &sessionHook{ev: ev, topics: topics, valid: valid, current: map[string]*mqtt.Client{}, kick: make(chan struct{}, 1)}
}

func (h *sessionHook) ID() string { return "hallq-sessions" }

func (h *sessionHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnect, mqtt.OnSessionEstablished, mqtt.OnDisconnect, mqtt.OnSubscribed, mqtt.OnWill:
		return true
	}
	return false
}

// cleanupWait bounds how long a new connection waits for an old one's clean-up.
const cleanupWait = time.Second

// OnConnect ends an expiring connection with the same client id before a
// new one with valid credentials is set up, and waits until the broker has
// cleaned the old one up (see sessionHook). Only then does the broker look
// for a session to take over, and find none.
func (h *sessionHook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
	old, ok := h.srv.Clients.Get(cl.ID)
	if !ok || old == cl || old.Net.Inline || old.IsTakenOver() || !expires(old) || !h.valid(cl, pk) {
		return nil
	}
	if !old.Closed() {
		_ = h.srv.DisconnectClient(old, packets.ErrSessionTakenOver)
	}
	deadline := time.Now().Add(cleanupWait)
	for pause := 20 * time.Microsecond; time.Now().Before(deadline); pause = min(2*pause, time.Millisecond) {
		if cur, ok := h.srv.Clients.Get(cl.ID); !ok || cur != old {
			return nil
		}
		time.Sleep(pause) // the broker offers nothing to wait on; its clean-up takes microseconds
	}
	return nil
}

// expires reports whether the broker deletes the client's session when it
// disconnects (mochi's own rule in attachClient).
func expires(cl *mqtt.Client) bool {
	if cl.Properties.ProtocolVersion == 5 {
		return cl.Properties.Props.SessionExpiryInterval == 0
	}
	return cl.Properties.Clean
}

// OnSessionEstablished records the device's current connection: a fresh
// CONNECT is online.
func (h *sessionHook) OnSessionEstablished(cl *mqtt.Client, pk packets.Packet) {
	if cl.Net.Inline {
		return
	}
	h.mu.Lock()
	h.current[cl.ID] = cl
	h.mu.Unlock()
	h.ev.connected(cl.ID)
}

// OnDisconnect marks the device offline when its current connection ends,
// with or without a Last Will. A connection that was taken over, or that is
// no longer the current one, changes nothing.
func (h *sessionHook) OnDisconnect(cl *mqtt.Client, err error, expire bool) {
	if cl.Net.Inline {
		return
	}
	h.mu.Lock()
	cur := h.current[cl.ID]
	if cur == cl {
		delete(h.current, cl.ID)
	}
	h.mu.Unlock()
	if cur == cl && !takenOver(cl) {
		h.ev.disconnected(cl.ID)
		return
	}
	select { // the old connection's clean-up may yet delete the new one's entry
	case h.kick <- struct{}{}:
	default:
	}
}

func takenOver(cl *mqtt.Client) bool {
	return cl.IsTakenOver() || errors.Is(cl.StopCause(), packets.ErrSessionTakenOver)
}

// OnWill drops the Last Will of a connection that another connection of the
// same device took over: the device is online, and its retained status must
// not say otherwise.
func (h *sessionHook) OnWill(cl *mqtt.Client, will mqtt.Will) (mqtt.Will, error) {
	if takenOver(cl) {
		will.TopicName = mochi.VoidTopic
		will.Retain = false
	}
	return will, nil
}

// OnSubscribed tells when a device has (re)subscribed to its cmd topic.
func (h *sessionHook) OnSubscribed(cl *mqtt.Client, pk packets.Packet, codes []byte) {
	if cl.Net.Inline {
		return
	}
	cmd := h.topics.Dev(cl.ID, leafCmd)
	for i, f := range pk.Filters {
		if f.Filter == cmd && i < len(codes) && codes[i] < packets.ErrUnspecifiedError.Code {
			h.ev.subscribedCmd(cl.ID)
		}
	}
}

// repairLoop puts back current connections whose client entry the broker
// deleted (see sessionHook); it runs until done is closed.
func (h *sessionHook) repairLoop(done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		case <-h.kick:
			select { // let the old connection finish its clean-up first
			case <-time.After(10 * time.Millisecond):
			case <-done:
				return
			}
		}
		h.repair()
	}
}

// repair re-adds every live current connection missing from the broker's
// client list, with its subscriptions.
func (h *sessionHook) repair() {
	h.mu.Lock()
	var lost []*mqtt.Client
	for id, cl := range h.current {
		if got, ok := h.srv.Clients.Get(id); (!ok || got != cl) && !cl.Closed() {
			lost = append(lost, cl)
		}
	}
	h.mu.Unlock()
	for _, cl := range lost {
		h.srv.Clients.Add(cl)
		for _, sub := range cl.State.Subscriptions.GetAll() {
			h.srv.Topics.Subscribe(cl.ID, sub)
		}
		h.srv.Log.Warn("restored a device connection the broker had dropped", "client", cl.ID)
	}
}
