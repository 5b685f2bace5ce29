package devices

import (
	"bytes"
	"errors"
	"net"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/devices/mochi"
)

// authHook is the embedded broker's only auth hook: it checks every CONNECT
// against the configured devices and every publish and subscribe against the
// device's ACL. Hooks are ORed, so it is the only one and it denies by default
// (CONTRACT §2 security).
type authHook struct {
	mqtt.HookBase
	auth    *devauth.Checker
	acls    map[string]*acl // by device id; built once, read-only
	log     zerolog.Logger
	refused func(reason string)
}

func (h *authHook) ID() string { return "hallq-auth" }

func (h *authHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPublish, mqtt.OnWill:
		return true
	}
	return false
}

// OnConnectAuthenticate refuses unknown devices and wrong secrets at CONNECT;
// the client id must equal the user name (CONTRACT §2 security). Failed
// logins are limited per address and per device id (devauth.Limiter), which
// logs them as a summary; refusals are counted in
// hallq_device_mqtt_refused_total, not logged one by one.
func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	reason := h.check(cl, pk, true)
	if reason == "" {
		if pk.Connect.WillFlag && !h.acls[cl.ID].allows(pk.Connect.WillTopic, true) {
			h.log.Warn().Str("device", cl.ID).Str("will_topic", clip(pk.Connect.WillTopic, 120)).
				Msg("Last Will on a topic the device may not publish to; it will be dropped")
		}
		return true
	}
	if h.refused != nil {
		h.refused(reason)
	}
	return false
}

// check says why a CONNECT is refused, or "" if it is a known device with
// its own secret. With count, a failure counts against the address and the
// device id, and a login from a blocked one is refused unchecked.
func (h *authHook) check(cl *mqtt.Client, pk packets.Packet, count bool) string {
	user := string(pk.Connect.Username)
	switch {
	case user == "":
		return "no user name"
	case cl.ID != user:
		return "client id differs from user name"
	case user == mqtt.InlineClientId:
		return "unknown device"
	}
	if !count {
		if _, ok := h.auth.Check(user, string(pk.Connect.Password)); !ok || h.acls[user] == nil {
			return "wrong secret"
		}
		return ""
	}
	_, err := h.auth.CheckFrom(user, string(pk.Connect.Password), remoteHost(cl.Net.Remote))
	switch {
	case errors.Is(err, devauth.ErrLimited):
		return "too many failed logins"
	case err != nil && h.acls[user] == nil:
		return "unknown device"
	case err != nil:
		return "wrong secret"
	case h.acls[user] == nil:
		return "unknown device"
	}
	return ""
}

// remoteHost is the address part of host:port.
func remoteHost(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

// OnACLCheck allows a topic (or, on subscribe, a filter) only if the
// device's rules name it; no rule means no. An MQTT 3.1.1 client's PUBLISH
// to another topic passes here and is dropped by OnPublish instead: 3.1.1
// can refuse a PUBLISH only by closing the connection [MQTT-3.3.5-2], and a
// positive PUBACK keeps a misconfigured device connected, as Mosquitto does.
// MQTT 5 clients get PUBACK 0x87 (not authorized) from the broker.
func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	a := h.acls[cl.ID]
	if a == nil {
		return false
	}
	if a.allows(topic, write) {
		return true
	}
	return write && cl.Properties.ProtocolVersion < 5
}

// OnPublish drops a device's PUBLISH to a topic it may not publish to: it is
// acknowledged, not retained and delivered to nobody (CONTRACT §2 security).
func (h *authHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	if a := h.acls[cl.ID]; a == nil || !a.allows(pk.TopicName, true) {
		if h.refused != nil {
			h.refused("publish not allowed")
		}
		return pk, packets.CodeSuccessIgnore
	}
	return pk, nil
}

// OnWill drops a Last Will on a topic the device may not publish to: a will
// could otherwise forge another device's status or retained hall state.
func (h *authHook) OnWill(cl *mqtt.Client, will mqtt.Will) (mqtt.Will, error) {
	if a := h.acls[cl.ID]; a == nil || !a.allows(will.TopicName, true) {
		will.TopicName = mochi.VoidTopic
		will.Retain = false
	}
	return will, nil
}

// clip shortens s for a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return string(bytes.ToValidUTF8([]byte(s[:n]), nil)) + "…"
}
