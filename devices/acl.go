package devices

import "strings"

// acl is what one device may publish and subscribe to (CONTRACT §2 security):
// publish only to its own dev/{device}/status|req|ack; subscribe only to its
// own dev/{device}/res|cmd|config|firmware, to state/# and to announce. No
// rule means no.
type acl struct {
	write map[string]bool
	read  map[string]bool
	state string // hallq/v1/{hall}/state
	// alerts is hallq/v1/{hall}/alerts for an alarm device, else "".
	alerts string
}

// AlarmKind is the device kind that may subscribe to alerts/#: a hall's own
// alert lights and sounders (电子监察 报警器; docs/supervision.md).
const AlarmKind = "alarm"

// AlarmTopics lists the filters an alarm device may subscribe to besides
// those of DeviceTopics.
func AlarmTopics(t Topics) []string { return []string{t.AlertsAll()} }

// newDeviceACL is newACL for a device of kind: alarms also read alerts/#.
func newDeviceACL(t Topics, device, kind string) *acl {
	a := newACL(t, device)
	if kind == AlarmKind {
		a.alerts = t.Prefix() + "alerts"
	}
	return a
}

// DeviceTopics lists the topics a device may publish to and the filters it may
// subscribe to; the embedded broker and the generated Mosquitto ACL file both
// follow it.
func DeviceTopics(t Topics, device string) (write, read []string) {
	write = []string{t.Dev(device, leafStatus), t.Dev(device, leafReq), t.Dev(device, leafAck)}
	read = []string{t.Dev(device, leafRes), t.Dev(device, leafCmd), t.Dev(device, leafConfig), t.StateAll(), t.Announce(),
		t.Dev(device, leafFirmware)} // CONTRACT §2 security (1.1): its own firmware
	return write, read
}

// HallqdTopics lists the filters hallqd subscribes to and the topics it
// publishes to, for the external broker's ACL.
func HallqdTopics(t Topics) (read, write []string) {
	read = []string{t.DevFilter(leafReq), t.DevFilter(leafStatus), t.DevFilter(leafAck)}
	// Every topic hallqd publishes to, or Mosquitto drops it silently:
	// dev/+/firmware carries the retained firmware offers (CONTRACT §6),
	// alerts/# the supervision alerts (docs/supervision.md).
	write = []string{t.DevFilter(leafRes), t.DevFilter(leafCmd), t.DevFilter(leafConfig), t.StateAll(), t.Announce(),
		t.DevFilter(leafFirmware), t.AlertsAll()}
	return read, write
}

func newACL(t Topics, device string) *acl {
	a := &acl{write: map[string]bool{}, read: map[string]bool{}, state: t.Prefix() + "state"}
	write, read := DeviceTopics(t, device)
	for _, w := range write {
		a.write[w] = true
	}
	for _, r := range read {
		if r != t.StateAll() {
			a.read[r] = true
		}
	}
	return a
}

// allows reports whether topic (a filter, on subscribe) may be written or read.
// A read filter is allowed only if every topic it matches is allowed, so
// wildcards are allowed only below state/.
func (a *acl) allows(topic string, write bool) bool {
	if write {
		return a.write[topic]
	}
	if a.read[topic] {
		return true
	}
	if a.alerts != "" && (topic == a.alerts || strings.HasPrefix(topic, a.alerts+"/")) {
		return true
	}
	return topic == a.state || strings.HasPrefix(topic, a.state+"/")
}
