package mochi

import (
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// SysHook makes a device's QoS 1 or 2 PUBLISH to a $SYS topic acknowledged
// and dropped. mochi-mqtt v2.7.9 silently ignores such a PUBLISH without a
// PUBACK, so the device's client waits for the acknowledgement forever and
// stalls its in-flight window. The hook moves the message to VoidTopic,
// where the auth hook drops it with an acknowledgement like any publish the
// device may not make (CONTRACT §2 security: refused, nobody receives it).
type SysHook struct{ mqtt.HookBase }

// VoidTopic is where dropped wills and $SYS publishes go: nobody may
// subscribe to it, so whatever is published there reaches no one.
const VoidTopic = "$hallq/dropped"

// ID names the hook to the broker.
func (h *SysHook) ID() string { return "hallq-sys-publish" }

// Provides says which of the broker's events the hook handles.
func (h *SysHook) Provides(b byte) bool { return b == mqtt.OnPacketRead }

// OnPacketRead redirects an incoming PUBLISH to $SYS.
func (h *SysHook) OnPacketRead(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if pk.FixedHeader.Type == packets.Publish && !cl.Net.Inline && len(pk.TopicName) >= len(mqtt.SysPrefix) &&
		strings.EqualFold(pk.TopicName[:len(mqtt.SysPrefix)], mqtt.SysPrefix) {
		pk.TopicName = VoidTopic
		pk.FixedHeader.Retain = false
	}
	return pk, nil
}
