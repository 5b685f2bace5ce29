package devices

import (
	"testing"
)

// TestRetainedState: every counter and service is retained at start and on
// every change, only the changed ones are published, and a late subscriber
// sees the current state (CONTRACT §2 state topics).
func TestRetainedState(t *testing.T) {
	e := newEnv(t)
	w := e.connect("screen-01", clientOpts{noSub: true})
	w.subscribe(e.topic("state/#"))
	t.Run("OKAtStart", func(t *testing.T) {
		w := w.in(t)
		seen := map[string]map[string]any{}
		for len(seen) < 4+3 {
			m := w.next(func(m msg) bool { return m.Retained })
			seen[m.Topic] = decode(t, m)
		}
		c := seen[e.topic("state/counters/12")]
		want(t, "counter", c["counter"], any("12"))
		want(t, "status", c["status"], any("closed"))
		want(t, "ticket", c["ticket"], nil)
		want(t, "service", c["service"], nil)
		if _, ok := c["seq"].(float64); !ok {
			t.Errorf("no seq in %v", c)
		}
		s := seen[e.topic("state/services/social")]
		want(t, "service", s["service"], any("social"))
		want(t, "waiting", s["waiting"], any(0.0))
	})
	k, c := e.connect("kiosk-01"), e.connect("caller-12")
	t.Run("OKOnlyChanged", func(t *testing.T) {
		w := w.in(t)
		k.in(t).ok("ticket.take", map[string]any{"service": "social"})
		m := w.next(func(msg) bool { return true })
		want(t, "first update after a take", m.Topic, e.topic("state/services/social"))
		s := decode(t, m)
		want(t, "waiting", s["waiting"], any(1.0))
		c.in(t).ok("counter.open", nil)
		m = w.next(func(msg) bool { return true })
		want(t, "first update after counter.open", m.Topic, e.topic("state/counters/12"))
		want(t, "status", decode(t, m)["status"], any("open"))
	})
	var callSeq float64
	t.Run("OKCallNext", func(t *testing.T) {
		w := w.in(t)
		c.in(t).ok("call.next", nil)
		got := map[string]map[string]any{}
		for len(got) < 2 {
			m := w.next(func(msg) bool { return true })
			got[m.Topic] = decode(t, m)
		}
		ct := got[e.topic("state/counters/12")]
		want(t, "status", ct["status"], any("called"))
		want(t, "ticket", ct["ticket"], any("B001"))
		want(t, "service", ct["service"], any("social"))
		want(t, "waiting", got[e.topic("state/services/social")]["waiting"], any(0.0))
		callSeq = ct["seq"].(float64)
		if s := got[e.topic("state/services/social")]["seq"].(float64); s != callSeq {
			t.Errorf("seq of the service %v, of the counter %v: want one seq per change", s, callSeq)
		}
	})
	t.Run("OKLateSubscriber", func(t *testing.T) {
		late := e.connect("led-12", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/counters/12"))
		m := late.next(on(e.topic("state/counters/12")))
		if !m.Retained {
			t.Errorf("not retained")
		}
		s := decode(t, m)
		want(t, "status", s["status"], any("called"))
		want(t, "ticket", s["ticket"], any("B001"))
		want(t, "seq", s["seq"], any(callSeq))
	})
	t.Run("OKAfterRestart", func(t *testing.T) {
		e.restart()
		late := e.connect("led-12", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/counters/12"))
		want(t, "ticket after restart", decode(t, late.next(on(e.topic("state/counters/12"))))["ticket"], any("B001"))
	})
}

// TestAnnounce: one announce per call and per recall, not retained, with
// the text the hall speaks (CONTRACT §2 announce).
func TestAnnounce(t *testing.T) {
	e := newEnv(t)
	screen := e.connect("screen-01", clientOpts{noSub: true})
	screen.subscribe(e.topic("announce"))
	k, c := e.connect("kiosk-01"), e.connect("caller-12")
	k.ok("ticket.take", map[string]any{"service": "social"})
	k.ok("ticket.take", map[string]any{"service": "tax"})
	c.ok("counter.open", nil)
	next := func(t *testing.T) map[string]any {
		m := screen.in(t).next(on(e.topic("announce")))
		if m.Retained {
			t.Errorf("announce is retained")
		}
		return decode(t, m)
	}
	var last float64
	for _, tc := range []struct {
		name, op, ticket string
		args             map[string]any
	}{
		{"OKCallNext", "call.next", "B001", nil},
		{"OKRecall", "call.recall", "B001", nil},
		{"OKCallNumber", "call.number", "C001", map[string]any{"number": "C001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.in(t).ok(tc.op, tc.args)
			a := next(t)
			want(t, "ticket", a["ticket"], any(tc.ticket))
			want(t, "counter", a["counter"], any("12"))
			text, _ := a["text"].(map[string]any)
			want(t, "text.zh", text["zh"], any("请"+tc.ticket+"号到12号窗口办理"))
			want(t, "text.en", text["en"], any("Number "+tc.ticket+", please go to window 12"))
			seq, _ := a["seq"].(float64)
			if seq <= last {
				t.Errorf("seq %v after %v", seq, last)
			}
			last = seq
		})
	}
	t.Run("ErrQueueEmptyNoAnnounce", func(t *testing.T) {
		wantErr(t, c.in(t).do("call.next", nil), "queue_empty")
		k.in(t).ok("ticket.take", map[string]any{"service": "social"})
		c.in(t).ok("call.next", nil)
		want(t, "the next announce is the next call", next(t)["ticket"], any("B002"))
	})
}
