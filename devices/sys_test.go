package devices

import (
	"testing"
)

// TestSysPublishAcknowledged: a QoS 1 or 2 PUBLISH to $SYS/... is
// acknowledged and dropped; the device's client does not hang and the
// connection keeps working (CONTRACT §2 security).
func TestSysPublishAcknowledged(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	watcher := e.connect("screen-01", clientOpts{noSub: true})
	watcher.subscribe(e.topic("state/#"))
	for _, qos := range []byte{1, 2} {
		for _, topic := range []string{"$SYS/broker/clients/connected", "$sys/x", e.topic("state/counters/1")} {
			if topic[0] != '$' && qos == 2 {
				continue
			}
			tok := k.c.Publish(topic, qos, true, []byte(`{"forged":true}`))
			if !tok.WaitTimeout(wait) {
				t.Fatalf("QoS %d publish to %s never acknowledged", qos, topic)
			}
		}
	}
	r := k.ok("ticket.take", map[string]any{"service": "general"})
	want(t, "ticket after the $SYS publishes", r["number"], any("A001"))
	for {
		select {
		case m := <-watcher.msgs:
			if string(m.Payload) == `{"forged":true}` {
				t.Fatalf("forged message delivered on %s", m.Topic)
			}
			continue
		default:
		}
		break
	}
}
