package devices

import (
	"bytes"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/devauth"
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
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

// OnConnectAuthenticate refuses unknown devices and wrong secrets at CONNECT;
// the client id must equal the user name (CONTRACT §2 security).
func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	reason := h.check(cl, pk)
	if reason == "" {
		return true
	}
	// Never log the secret.
	h.log.Warn().Str("device", clip(string(pk.Connect.Username), 64)).Str("client_id", clip(cl.ID, 64)).
		Str("remote", cl.Net.Remote).Str("reason", reason).Msg("device refused at CONNECT 设备认证失败")
	if h.refused != nil {
		h.refused(reason)
	}
	return false
}

// check says why a CONNECT is refused, or "" if it is a known device with
// its own secret.
func (h *authHook) check(cl *mqtt.Client, pk packets.Packet) string {
	user := string(pk.Connect.Username)
	switch {
	case user == "":
		return "no user name"
	case cl.ID != user:
		return "client id differs from user name"
	case user == mqtt.InlineClientId || h.acls[user] == nil:
		return "unknown device"
	}
	if _, ok := h.auth.Check(user, string(pk.Connect.Password)); !ok {
		return "wrong secret"
	}
	return ""
}

// OnACLCheck allows a topic (or, on subscribe, a filter) only if the
// device's rules name it; no rule means no.
func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	a := h.acls[cl.ID]
	return a != nil && a.allows(topic, write)
}

// clip shortens s for a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return string(bytes.ToValidUTF8([]byte(s[:n]), nil)) + "…"
}
