package mochi

import (
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// PacketIDHook keeps the device's packet identifiers apart from the broker's.
// MQTT gives each direction its own identifiers, but mochi-mqtt v2.7.9 keeps
// both in one inflight table: a SUBSCRIBE whose id equals that of a retained
// QoS 1 message still awaiting its PUBACK is refused (0x91, 0x80 for MQTT
// 3.1.1), and such a QoS 1 PUBLISH from the device wipes the broker's own
// inflight entry. With the contract's retained QoS 1 state, a device that
// subscribes to state/# and then to announce would hit this at random.
//
// The hook gives such an incoming packet a free identifier while the broker
// handles it and puts the device's identifier back into the SUBACK, UNSUBACK
// or PUBACK. Both happen on the device's read goroutine, one after the other.
type PacketIDHook struct {
	mqtt.HookBase
	mu    sync.Mutex
	remap map[*mqtt.Client]map[uint16]uint16 // temporary id -> the device's id
}

// NewPacketIDHook returns the hook, with no identifiers moved yet.
func NewPacketIDHook() *PacketIDHook {
	return &PacketIDHook{remap: map[*mqtt.Client]map[uint16]uint16{}}
}

// ID names the hook to the broker.
func (h *PacketIDHook) ID() string { return "hallq-packet-ids" }

// Provides says which of the broker's events the hook handles.
func (h *PacketIDHook) Provides(b byte) bool {
	return b == mqtt.OnPacketRead || b == mqtt.OnPacketEncode || b == mqtt.OnDisconnect
}

// OnPacketRead moves an incoming packet off an identifier the broker is
// using for an outgoing message.
func (h *PacketIDHook) OnPacketRead(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	switch pk.FixedHeader.Type {
	case packets.Subscribe, packets.Unsubscribe:
	case packets.Publish:
		if pk.FixedHeader.Qos != 1 {
			return pk, nil
		}
	default:
		return pk, nil
	}
	if _, busy := cl.State.Inflight.Get(pk.PacketID); !busy || pk.PacketID == 0 {
		return pk, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.remap[cl]
	if m == nil {
		m = map[uint16]uint16{}
		h.remap[cl] = m
	}
	for id := uint16(65535); id > 0; id-- {
		if _, used := m[id]; used {
			continue
		}
		if _, busy := cl.State.Inflight.Get(id); busy {
			continue
		}
		m[id] = pk.PacketID
		pk.PacketID = id
		return pk, nil
	}
	return pk, nil
}

// OnPacketEncode puts the device's identifier back into the acknowledgement.
func (h *PacketIDHook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	switch pk.FixedHeader.Type {
	case packets.Suback, packets.Unsuback, packets.Puback:
	default:
		return pk
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.remap[cl]
	if orig, ok := m[pk.PacketID]; ok {
		delete(m, pk.PacketID)
		if len(m) == 0 {
			delete(h.remap, cl)
		}
		pk.PacketID = orig
	}
	return pk
}

// OnDisconnect forgets the client.
func (h *PacketIDHook) OnDisconnect(cl *mqtt.Client, err error, expire bool) {
	h.mu.Lock()
	delete(h.remap, cl)
	h.mu.Unlock()
}
