package devices

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hallq/hallq/devices/mochi"
)

// TestConnectRefused: unknown devices and wrong secrets are refused at
// CONNECT; the client id must be the device id (CONTRACT §2 security).
func TestConnectRefused(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		id   string
		o    clientOpts
	}{
		{"WrongSecret", "kiosk-01", clientOpts{pass: "s-kiosk-02"}},
		{"UnknownDevice", "kiosk-99", clientOpts{pass: "s-kiosk-01"}},
		{"ClientIDNotUser", "kiosk-01", clientOpts{clientID: "kiosk-02"}},
		{"InlineClientName", "inline", clientOpts{pass: "x"}},
		{"OtherDevicesSecret", "caller-1", clientOpts{pass: "s-kiosk-01"}},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			c, err := e.dial(tc.id, tc.o)
			if err == nil {
				c.disconnect()
				t.Fatalf("%s connected", tc.id)
			}
			if !strings.Contains(strings.ToLower(err.Error()), "not authori") && !strings.Contains(strings.ToLower(err.Error()), "bad user name") {
				t.Errorf("error %q, want a refusal at CONNECT", err)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		e.connect("kiosk-01").in(t).ok("ticket.take", map[string]any{"service": "general"})
	})
}

// TestACLPublish: a device may publish only to its own status, req and ack;
// anything else is not carried out (CONTRACT §2 security).
func TestACLPublish(t *testing.T) {
	e := newEnv(t)
	victim := e.connect("kiosk-02")
	watcher := e.connect("screen-01", clientOpts{noSub: true})
	watcher.subscribe(e.topic("state/#"))
	for _, tc := range []struct{ name, topic, payload string }{
		{"OtherDevicesReq", "dev/kiosk-02/req", `{"req_id":"evil-1","op":"ticket.take","service":"general"}`},
		{"OtherDevicesRes", "dev/kiosk-02/res", `{"req_id":"evil-2","ok":true,"result":{}}`},
		{"OtherDevicesStatus", "dev/kiosk-02/status", `{"online":false}`},
		{"State", "state/counters/1", `{"counter":"1","status":"serving","ticket":"Z999","service":"general","seq":1}`},
		{"Announce", "announce", `{"seq":1,"ticket":"Z999","counter":"1"}`},
		{"OwnRes", "dev/kiosk-01/res", `{"req_id":"evil-3","ok":true}`},
	} {
		t.Run("Refused"+tc.name, func(t *testing.T) {
			evil := e.connect("kiosk-01").in(t)
			for _, qos := range []byte{0, 1} {
				if tok := evil.c.Publish(e.topic(tc.topic), qos, true, []byte(tc.payload)); !tok.WaitTimeout(wait) || tok.Error() != nil {
					t.Fatalf("QoS %d publish not acknowledged: %v", qos, tok.Error())
				}
			}
			// MQTT 3.1.1: acknowledged and dropped; the connection stays usable.
			evil.ok("ticket.take", map[string]any{"service": "tax"})
			evil.disconnect()
		})
	}
	t.Run("RefusedForgedWill", func(t *testing.T) {
		dropped := make(chan string, 4)
		if err := e.srv.emb.Server().Subscribe(mochi.VoidTopic, 77, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
			dropped <- pk.Origin
		}); err != nil {
			t.Fatal(err)
		}
		for _, topic := range []string{"state/counters/1", "dev/kiosk-02/status"} {
			var raw net.Conn
			o := paho.NewClientOptions().AddBroker("tcp://"+e.addr).SetClientID("kiosk-01").SetUsername("kiosk-01").
				SetPassword(e.secret("kiosk-01")).SetAutoReconnect(false).
				SetBinaryWill(e.topic(topic), []byte(`{"counter":"1","status":"serving","ticket":"Z999","service":"general","online":false}`), 1, true).
				SetCustomOpenConnectionFn(func(u *url.URL, _ paho.ClientOptions) (net.Conn, error) {
					c, err := net.Dial("tcp", u.Host)
					raw = c
					return c, err
				})
			c := paho.NewClient(o)
			if tok := c.Connect(); !tok.WaitTimeout(wait) || tok.Error() != nil {
				t.Fatalf("connect: %v", tok.Error())
			}
			raw.Close() // the broker sends the will: to nobody
			select {
			case origin := <-dropped:
				want(t, "will dropped for", origin, "kiosk-01")
			case <-time.After(wait):
				t.Fatalf("will on %s not dropped", topic)
			}
			c.Disconnect(0)
		}
	})
	t.Run("NothingCarriedOut", func(t *testing.T) {
		v := victim.in(t)
		r := v.ok("ticket.take", map[string]any{"service": "general"})
		want(t, "kiosk-02's first ticket", r["number"], any("A001"))
		select {
		case s := <-v.stray:
			t.Errorf("kiosk-02 got a response it did not ask for: %s", s.raw)
		default:
		}
		for _, d := range e.hall.View().Devices {
			if d.ID == "kiosk-02" && !d.Online {
				t.Errorf("kiosk-02 marked offline by another device's status message")
			}
		}
		late := e.connect("screen-01", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/counters/1"))
		m := decode(t, late.next(on(e.topic("state/counters/1"))))
		want(t, "retained counter 1 status", m["status"], any("closed"))
	})
}

// TestACLSubscribe: a device may subscribe only to its own res, cmd and
// config, to state/# and to announce.
func TestACLSubscribe(t *testing.T) {
	e := newEnv(t)
	c := e.connect("caller-1", clientOpts{noSub: true})
	for _, f := range []string{"dev/caller-1/res", "dev/caller-1/cmd", "dev/caller-1/config", "state/#", "state/counters/+",
		"state/services/general", "announce", "dev/caller-1/firmware"} {
		t.Run("OK/"+f, func(t *testing.T) {
			if code := c.in(t).trySubscribe(e.topic(f))[e.topic(f)]; code >= 0x80 {
				t.Errorf("subscribe %s refused (0x%x)", f, code)
			}
		})
	}
	for _, f := range []string{"dev/caller-2/res", "dev/caller-2/cmd", "dev/caller-2/config", "dev/caller-2/firmware", "dev/+/firmware", "dev/caller-1/req", "dev/caller-1/+",
		"dev/+/res", "dev/#", "#", "hallq/v1/+/state/#", "$SYS/#"} {
		topic := f
		if !strings.HasPrefix(f, "#") && !strings.HasPrefix(f, "hallq/") && !strings.HasPrefix(f, "$") {
			topic = e.topic(f)
		}
		t.Run("Refused/"+f, func(t *testing.T) {
			if code := c.in(t).trySubscribe(topic)[topic]; code < 0x80 {
				t.Errorf("subscribe %s granted (QoS %d)", topic, code)
			}
		})
	}
	t.Run("OtherDevicesResNotDelivered", func(t *testing.T) {
		k := e.connect("caller-2").in(t)
		k.ok("counter.open", nil)
		for {
			select {
			case m := <-c.msgs:
				if strings.Contains(m.Topic, "caller-2") {
					t.Errorf("caller-1 received %s", m.Topic)
				}
				continue
			default:
			}
			break
		}
	})
}
