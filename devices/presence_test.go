package devices

import (
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// deviceEvents delivers the hall's device.online and device.offline events.
func (e *env) deviceEvents() <-chan queue.Event {
	ch := make(chan queue.Event, 256)
	var mu sync.Mutex
	closed := false
	e.hall.Subscribe(func(b hall.Batch) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range b.Events {
			if (ev.Kind == queue.EvDeviceOnline || ev.Kind == queue.EvDeviceOffline) && !closed {
				select {
				case ch <- ev:
				default:
				}
			}
		}
	})
	e.t.Cleanup(func() { mu.Lock(); closed = true; mu.Unlock() })
	return ch
}

// nextPresence waits for the next presence event of device.
func nextPresence(tb testing.TB, ch <-chan queue.Event, device string) queue.Event {
	tb.Helper()
	timeout := time.After(wait)
	for {
		select {
		case ev := <-ch:
			if ev.Device == device {
				return ev
			}
		case <-timeout:
			tb.Fatalf("no presence event for %s within %v", device, wait)
			return queue.Event{}
		}
	}
}

// metric is the value of a gauge or counter with one label, or -1.
func (e *env) metric(name, label, value string) float64 {
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					if m.GetGauge() != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// online reports whether the hall's view has device online.
func (e *env) online(device string) bool {
	for _, d := range e.hall.View().Devices {
		if d.ID == device {
			return d.Online
		}
	}
	return false
}

func TestPresence(t *testing.T) {
	e := newEnv(t)
	evs := e.deviceEvents()
	gauge := func(kind string) float64 { return e.metric("hallq_devices_connected", "kind", kind) }
	var k *client
	t.Run("OKConnectIsOnline", func(t *testing.T) {
		k = e.connect("kiosk-01", clientOpts{will: true})
		want(t, "event", nextPresence(t, evs, "kiosk-01").Kind, queue.EvDeviceOnline)
		want(t, "hallq_devices_connected{kind=kiosk}", gauge("kiosk"), 1.0)
	})
	t.Run("OKStatus", func(t *testing.T) {
		k.in(t).publish(e.topic("dev/kiosk-01/status"), []byte(`{"online":true,"fw":"1.0.3","config_version":4}`), true)
		ev := nextPresence(t, evs, "kiosk-01")
		want(t, "event", ev.Kind, queue.EvDeviceOnline)
		want(t, "fw", ev.FW, "1.0.3")
		want(t, "config_version", ev.ConfigVersion, 4)
	})
	t.Run("OKCleanDisconnectIsOffline", func(t *testing.T) {
		k.disconnect()
		ev := nextPresence(t, evs, "kiosk-01")
		want(t, "event", ev.Kind, queue.EvDeviceOffline)
		want(t, "fw kept", ev.FW, "1.0.3")
		want(t, "hallq_devices_connected{kind=kiosk}", gauge("kiosk"), 0.0)
	})
	t.Run("OKLastWill", func(t *testing.T) {
		var raw net.Conn
		o := paho.NewClientOptions().AddBroker("tcp://"+e.addr).SetClientID("caller-1").SetUsername("caller-1").
			SetPassword(e.secret("caller-1")).SetAutoReconnect(false).
			SetBinaryWill(e.topic("dev/caller-1/status"), []byte(`{"online":false}`), 1, true).
			SetCustomOpenConnectionFn(func(u *url.URL, _ paho.ClientOptions) (net.Conn, error) {
				c, err := net.Dial("tcp", u.Host)
				raw = c
				return c, err
			})
		c := paho.NewClient(o)
		if tok := c.Connect(); !tok.WaitTimeout(wait) || tok.Error() != nil {
			t.Fatalf("connect: %v", tok.Error())
		}
		want(t, "connect", nextPresence(t, evs, "caller-1").Kind, queue.EvDeviceOnline)
		raw.Close() // the device loses power: no DISCONNECT, the broker sends the will
		want(t, "will", nextPresence(t, evs, "caller-1").Kind, queue.EvDeviceOffline)
		late := e.connect("screen-01", clientOpts{noSub: true}).in(t)
		_ = late
		c.Disconnect(0)
	})
	t.Run("OKRestartResetsPresence", func(t *testing.T) {
		e.connect("led-1")
		want(t, "led online", nextPresence(t, evs, "led-1").Kind, queue.EvDeviceOnline)
		e.restart()
		if e.online("led-1") {
			t.Errorf("led-1 still online after a restart of the embedded broker")
		}
	})
}

// TestFastReconnect: a device that reconnects right after a clean
// disconnect is served, and ends online (mochi-mqtt v2.7.9 could drop it
// silently; see mochi.SessionHook).
func TestFastReconnect(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 40; i++ {
		k := e.connect("kiosk-01", clientOpts{noSub: true})
		k.disconnect()
		k = e.connect("kiosk-01")
		r := k.in(t).do("ticket.take", map[string]any{"service": "general"})
		if !r.OK {
			t.Fatalf("round %d: %s", i, r.raw)
		}
		k.disconnect()
	}
	k := e.connect("kiosk-01")
	k.ok("ticket.take", map[string]any{"service": "general"})
	evs := e.deviceEvents()
	for !e.online("kiosk-01") {
		nextPresence(t, evs, "kiosk-01")
	}
}
