package devices

import (
	"testing"

	"github.com/hallq/hallq/queue"
)

// TestExternalBrokerFirmwareOffer: through Mosquitto with the generated ACL,
// hallqd's retained dev/{id}/firmware offer reaches the device (CONTRACT §6).
// Mosquitto drops a publish the ACL does not allow without telling the
// publisher, so only the device's side shows the ACL is right.
func TestExternalBrokerFirmwareOffer(t *testing.T) {
	m := startMosquitto(t)
	offer := []byte(`{"version":"1.1.0","url":"http://127.0.0.1/fw","sha256":"00"}`)
	e := newEnv(t, withConfig(func(c *Config) {
		c.BrokerURL, c.Username, c.Password = m.URL, "hallqd", "s-hallqd"
		c.Desired = func(_ []queue.Event, _ *queue.View, all bool, emit func(device, leaf string, payload []byte)) {
			if all { // on every (re)connect
				emit("kiosk-01", leafFirmware, offer)
			}
		}
	}))
	e.broker = m.URL
	if err := e.srv.Ready(); err != nil {
		t.Fatalf("not connected to mosquitto: %v", err)
	}
	k := e.connect("kiosk-01", clientOpts{noSub: true}).in(t)
	k.subscribe(e.topic("dev/kiosk-01/firmware"))
	// The first delivery may be the live publish (if the device subscribed
	// before hallqd's republish); a later subscriber gets it retained.
	got := k.next(on(e.topic("dev/kiosk-01/firmware")))
	want(t, "payload", string(got.Payload), string(offer))
	k2 := e.connect("kiosk-01", clientOpts{noSub: true}).in(t)
	k2.subscribe(e.topic("dev/kiosk-01/firmware"))
	got = k2.next(on(e.topic("dev/kiosk-01/firmware")))
	want(t, "retained", got.Retained, true)
	want(t, "payload", string(got.Payload), string(offer))
}
