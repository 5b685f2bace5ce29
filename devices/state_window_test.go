package devices

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// sent is one message the publisher handed to the broker.
type sent struct {
	topic string
	body  map[string]any
}

// windowPublisher is a publisher on a clock the test moves, recording what
// it sends instead of publishing.
func windowPublisher(t *testing.T, now *time.Time) (*publisher, *[]sent) {
	t.Helper()
	var out []sent
	send := func(topic string, payload []byte, _ bool) error {
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatalf("publisher sent %q on %s: %v", payload, topic, err)
		}
		out = append(out, sent{topic, m})
		return nil
	}
	p := newPublisher(NewTopics("h1"), send, nil, func([]queue.Event, *queue.View, bool) {}, zerolog.Nop())
	p.window, p.clock = 50*time.Millisecond, func() time.Time { return *now }
	return p, &out
}

// viewAt is a hall of one service and one counter as the screens see it.
func viewAt(seq int64, waiting int, status string, ticket *string) *queue.View {
	var svc *string
	if ticket != nil {
		s := "social"
		svc = &s
	}
	return &queue.View{Seq: seq,
		Services: []queue.ServiceView{{ID: "social", Waiting: waiting}},
		Counters: []queue.CounterView{{ID: "12", Status: status, Ticket: ticket, Service: svc}}}
}

// take drains what was sent since the last take.
func take(out *[]sent) []sent {
	got := *out
	*out = nil
	return got
}

// TestServiceStateWindow: within the window, state/services/* goes out once
// with its latest value, while state/counters/* and announce go out at once
// on every change (CONTRACT §2 state topics; docs/devices.md).
func TestServiceStateWindow(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p, out := windowPublisher(t, &now)
	a1, a2 := "A001", "A002"

	p.batch(hall.Batch{View: viewAt(1, 1, "open", nil)})
	p.flush()
	if got := take(out); len(got) != 2 {
		t.Fatalf("first change: sent %v, want the counter and the service", got)
	}

	// Three changes inside the window: counters and announce at once, services held.
	now = now.Add(10 * time.Millisecond)
	p.batch(hall.Batch{View: viewAt(2, 2, "open", nil)})
	p.flush()
	now = now.Add(10 * time.Millisecond)
	p.batch(hall.Batch{View: viewAt(3, 1, "called", &a1),
		Events: []queue.Event{{Seq: 3, Kind: queue.EvTicketCalled, Ticket: a1, Service: "social", Counter: "12", CounterStatus: "called"}}})
	p.flush()
	got := take(out)
	if len(got) != 2 || got[0].topic != "hallq/v1/h1/state/counters/12" || got[1].topic != "hallq/v1/h1/announce" {
		t.Fatalf("inside the window: sent %v, want the counter state then the announcement, no service", got)
	}
	now = now.Add(10 * time.Millisecond)
	p.batch(hall.Batch{View: viewAt(4, 3, "called", &a1)})
	p.flush()
	if got := take(out); len(got) != 0 {
		t.Fatalf("a service change inside the window was sent at once: %v", got)
	}

	// The window passes: one message with the latest value.
	now = now.Add(25 * time.Millisecond)
	p.flush() // as when the timer fires
	got = take(out)
	if len(got) != 1 || got[0].topic != "hallq/v1/h1/state/services/social" {
		t.Fatalf("after the window: sent %v, want one service state", got)
	}
	if w, seq := got[0].body["waiting"], got[0].body["seq"]; w != 3.0 || seq != 4.0 {
		t.Fatalf("after the window: waiting %v seq %v, want the latest: 3 at seq 4", w, seq)
	}

	// A counter change right after still goes out at once.
	p.batch(hall.Batch{View: viewAt(5, 3, "called", &a2)})
	p.flush()
	if got := take(out); len(got) != 1 || got[0].topic != "hallq/v1/h1/state/counters/12" {
		t.Fatalf("counter change after the window: sent %v", got)
	}
}

// TestServiceStateWindowTimer: the run loop publishes held service state
// when the window ends, without another change to wake it.
func TestServiceStateWindowTimer(t *testing.T) {
	e := newEnv(t)
	w := e.connect("screen-01", clientOpts{noSub: true})
	w.subscribe(e.topic("state/services/social"))
	w.next(func(m msg) bool { return m.Retained }) // waiting 0, at start
	k := e.connect("kiosk-01")
	for i := 0; i < 2; i++ { // social's daily quota is 2
		k.ok("ticket.take", map[string]any{"service": "social"})
	}
	for { // however the takes fall into windows, the last message is the latest value
		if decode(t, w.next(func(msg) bool { return true }))["waiting"] == 2.0 {
			break
		}
	}
}

// TestEveryCallOnTheLED: two calls at one counter in one group commit both
// reach state/counters/{counter}, in order, the last one with the view's seq.
func TestEveryCallOnTheLED(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p, out := windowPublisher(t, &now)
	p.batch(hall.Batch{View: viewAt(1, 2, "open", nil)})
	p.flush()
	take(out)
	a1, a2 := "A001", "A002"
	p.batch(hall.Batch{View: viewAt(4, 0, "called", &a2), Events: []queue.Event{
		{Seq: 2, Kind: queue.EvTicketCalled, Ticket: a1, Service: "social", Counter: "12", CounterStatus: "called"},
		{Seq: 4, Kind: queue.EvTicketCalled, Ticket: a2, Service: "social", Counter: "12", CounterStatus: "called"},
	}})
	p.flush()
	var shown []any
	for _, m := range take(out) {
		if m.topic == "hallq/v1/h1/state/counters/12" {
			shown = append(shown, m.body["ticket"])
		}
	}
	if len(shown) != 2 || shown[0] != a1 || shown[1] != a2 {
		t.Fatalf("the LED was sent %v, want [A001 A002]", shown)
	}
}
