package devices

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// alarmYAML is testYAML with two alarm devices.
var alarmYAML = testYAML + `
  - {id: alarm-01, kind: alarm, secret: s-alarm-01}
  - {id: alarm-02, kind: alarm, secret: s-alarm-02}
`

// TestAlertTopic: a standing alert is retained on alerts/{id} for alarm
// devices, its level change republished, and its clear is an empty
// retained payload; only alarm devices may subscribe (docs/supervision.md).
func TestAlertTopic(t *testing.T) {
	e := newEnv(t, withYAML(alarmYAML))
	t.Run("ACL", func(t *testing.T) {
		a := e.connect("alarm-01", clientOpts{noSub: true})
		for _, f := range []string{"alerts/#", "alerts/+", "state/#", "announce"} {
			if code := a.in(t).trySubscribe(e.topic(f))[e.topic(f)]; code >= 0x80 {
				t.Errorf("alarm: subscribe %s refused", f)
			}
		}
		for _, id := range []string{"screen-01", "caller-1", "kiosk-01", "led-1", "rater-1"} {
			c := e.connect(id, clientOpts{noSub: true})
			if code := c.in(t).trySubscribe(e.topic("alerts/#"))[e.topic("alerts/#")]; code < 0x80 {
				t.Errorf("%s: subscribe alerts/# granted", id)
			}
		}
		if code := a.in(t).trySubscribe(e.topic("dev/alarm-02/cmd"))[e.topic("dev/alarm-02/cmd")]; code < 0x80 {
			t.Errorf("alarm: another device's cmd granted")
		}
	})

	live := e.connect("alarm-01", clientOpts{noSub: true})
	live.subscribe(e.topic("alerts/#"))
	if rep := e.do(queue.TakeTicket{Service: "tax"}); !rep.OK {
		t.Fatal(rep.Error)
	}
	e.hallClock.Advance(31 * time.Minute) // past the 30 min default target
	e.hall.Query(context.Background(), func(*queue.State) {})
	al := e.hall.View().Alerts
	if len(al) != 1 {
		t.Fatalf("alerts = %+v", al)
	}
	topic := e.topic("alerts/" + al[0].ID)
	m := live.in(t).next(on(topic))
	got := decode(t, m)
	want(t, "kind", got["kind"], any("wait_over_target"))
	want(t, "level", got["level"], any("yellow"))
	want(t, "service", got["service"], any("tax"))
	want(t, "counter", got["counter"], nil)
	if _, ok := got["seq"].(float64); !ok {
		t.Errorf("no seq in %v", got)
	}

	e.hallClock.Advance(31 * time.Minute) // past twice the target: red
	e.hall.Query(context.Background(), func(*queue.State) {})
	want(t, "level after update", decode(t, live.in(t).next(on(topic)))["level"], any("red"))

	late := e.connect("alarm-02", clientOpts{noSub: true})
	late.subscribe(e.topic("alerts/#"))
	m = late.in(t).next(on(topic))
	if !m.Retained {
		t.Errorf("alert not retained")
	}
	want(t, "retained level", decode(t, m)["level"], any("red"))

	e.do(queue.OpenCounter{Counter: "12"})
	e.do(queue.CallNext{Counter: "12"})
	m = live.in(t).next(on(topic))
	if len(m.Payload) != 0 {
		t.Fatalf("clear payload = %q, want empty", m.Payload)
	}
}

func TestMosquittoACLFileAlarm(t *testing.T) {
	acl := string(MosquittoACLFile(NewTopics("demo"), "hallqd", []string{"kiosk-01", "alarm-01"}, "alarm-01"))
	if !strings.Contains(acl, "user alarm-01\n") || strings.Count(acl, "topic read hallq/v1/demo/alerts/#\n") != 1 ||
		!strings.Contains(acl, "topic write hallq/v1/demo/alerts/#\n") {
		t.Fatalf("acl_file:\n%s", acl)
	}
	if i, j := strings.Index(acl, "user alarm-01"), strings.Index(acl, "topic read hallq/v1/demo/alerts/#"); j < i {
		t.Fatalf("alerts/# granted to someone before the alarm:\n%s", acl)
	}
}
