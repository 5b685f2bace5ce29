package devices

import "strings"

// Topic leaves under dev/{device}/ (CONTRACT §2 topic table).
const (
	leafStatus = "status"
	leafReq    = "req"
	leafRes    = "res"
	leafCmd    = "cmd"
	leafAck    = "ack"
	leafConfig = "config"
	// leafFirmware is dev/{device}/firmware (CONTRACT §6).
	leafFirmware = "firmware"
)

// Topics names the MQTT topics of one hall; all start with hallq/v1/{hall}/.
type Topics struct{ prefix string }

// NewTopics returns the topic names of hall.
func NewTopics(hall string) Topics { return Topics{prefix: "hallq/v1/" + hall + "/"} }

// Prefix is hallq/v1/{hall}/.
func (t Topics) Prefix() string { return t.prefix }

// Dev is dev/{device}/{leaf}.
func (t Topics) Dev(device, leaf string) string { return t.prefix + "dev/" + device + "/" + leaf }

// DevFilter is dev/+/{leaf}, what hallqd subscribes to.
func (t Topics) DevFilter(leaf string) string { return t.prefix + "dev/+/" + leaf }

// CounterState is state/counters/{counter}.
func (t Topics) CounterState(counter string) string { return t.prefix + "state/counters/" + counter }

// ServiceState is state/services/{service}.
func (t Topics) ServiceState(service string) string { return t.prefix + "state/services/" + service }

// StateAll is state/#, which every device may subscribe to.
func (t Topics) StateAll() string { return t.prefix + "state/#" }

// Alert is alerts/{alert}, retained per standing alert (docs/supervision.md).
func (t Topics) Alert(id string) string { return t.prefix + "alerts/" + id }

// AlertsAll is alerts/#, which only alarm devices may subscribe to.
func (t Topics) AlertsAll() string { return t.prefix + "alerts/#" }

// Announce is the topic of call announcements.
func (t Topics) Announce() string { return t.prefix + "announce" }

// ParseDev splits hallq/v1/{hall}/dev/{device}/{leaf} into device and leaf.
func (t Topics) ParseDev(topic string) (device, leaf string, ok bool) {
	rest, found := strings.CutPrefix(topic, t.prefix+"dev/")
	if !found {
		return "", "", false
	}
	device, leaf, ok = strings.Cut(rest, "/")
	if !ok || device == "" || leaf == "" || strings.Contains(leaf, "/") {
		return "", "", false
	}
	return device, leaf, true
}
