package mochi

import (
	"errors"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// SessionEvents are what SessionHook reports of device connections, by
// client id; each func runs on the connection's goroutine and must not
// block.
type SessionEvents struct {
	Connected    func(client string)         // a fresh CONNECT was accepted
	Disconnected func(client string)         // the client's current connection ended
	Subscribed   func(client, filter string) // the broker granted a subscription to filter
}

// SessionHook follows device connections on the embedded broker: a fresh
// CONNECT is Connected, the end of the client's current connection is
// Disconnected (one that was taken over, or is no longer the current one,
// reports nothing), and every granted subscription is Subscribed. The
// broker's inline client is not reported.
//
// It also works around a race in mochi-mqtt v2.7.9: when a device
// reconnects right after a disconnect (within about a millisecond), the old
// connection's clean-up deletes the client entry by id after the new
// connection has added its own, and the new connection silently receives
// nothing. So before a new connection with valid credentials is set up,
// OnConnect ends the old connection itself, as a take-over, and waits until
// the broker has cleaned it up; RepairLoop puts back a current connection
// that was deleted all the same. A taken-over connection's Last Will is
// dropped: the device is online.
type SessionHook struct {
	mqtt.HookBase
	srv   *mqtt.Server
	ev    SessionEvents
	valid func(*mqtt.Client, packets.Packet) bool // the credentials are good

	mu      sync.Mutex
	current map[string]*mqtt.Client // the latest established connection per device
	kick    chan struct{}           // asks the repair loop to look soon
}

// NewSessionHook reports to ev; valid says whether a CONNECT's credentials
// are good (only then may it end an older connection). Bind it to its
// broker before the broker serves.
func NewSessionHook(valid func(*mqtt.Client, packets.Packet) bool, ev SessionEvents) *SessionHook {
	return &SessionHook{ev: ev, valid: valid, current: map[string]*mqtt.Client{}, kick: make(chan struct{}, 1)}
}

// Bind gives the hook the broker it was added to.
func (h *SessionHook) Bind(srv *mqtt.Server) { h.srv = srv }

// ID names the hook to the broker.
func (h *SessionHook) ID() string { return "hallq-sessions" }

// Provides says which of the broker's events the hook handles.
func (h *SessionHook) Provides(b byte) bool {
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
// cleaned the old one up (see SessionHook). Only then does the broker look
// for a session to take over, and find none.
func (h *SessionHook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
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
// CONNECT is Connected.
func (h *SessionHook) OnSessionEstablished(cl *mqtt.Client, pk packets.Packet) {
	if cl.Net.Inline {
		return
	}
	h.mu.Lock()
	h.current[cl.ID] = cl
	h.mu.Unlock()
	h.ev.Connected(cl.ID)
}

// OnDisconnect reports Disconnected when the device's current connection
// ends, with or without a Last Will. A connection that was taken over, or
// that is no longer the current one, reports nothing.
func (h *SessionHook) OnDisconnect(cl *mqtt.Client, err error, expire bool) {
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
		h.ev.Disconnected(cl.ID)
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
func (h *SessionHook) OnWill(cl *mqtt.Client, will mqtt.Will) (mqtt.Will, error) {
	if takenOver(cl) {
		will.TopicName = VoidTopic
		will.Retain = false
	}
	return will, nil
}

// OnSubscribed reports every filter the broker granted.
func (h *SessionHook) OnSubscribed(cl *mqtt.Client, pk packets.Packet, codes []byte) {
	if cl.Net.Inline {
		return
	}
	for i, f := range pk.Filters {
		if i < len(codes) && codes[i] < packets.ErrUnspecifiedError.Code {
			h.ev.Subscribed(cl.ID, f.Filter)
		}
	}
}

// RepairLoop puts back current connections whose client entry the broker
// deleted (see SessionHook); it runs until done is closed.
func (h *SessionHook) RepairLoop(done <-chan struct{}) {
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
func (h *SessionHook) repair() {
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
