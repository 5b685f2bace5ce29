package devices

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestConcurrentCalls: counters calling at the same moment never get the
// same ticket (CONTRACT §2 tickets and calling).
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t)
	const tickets = 60
	for i := 0; i < tickets; i++ {
		if rep := e.do(queue.TakeTicket{Service: "general"}); !rep.OK {
			t.Fatal(rep.Error)
		}
	}
	callers := []*client{e.connect("caller-1"), e.connect("caller-2"), e.connect("caller-3")}
	for _, c := range callers {
		c.ok("counter.open", nil)
	}
	seen := map[string]string{}
	for round := 0; len(seen) < tickets; round++ {
		var wg sync.WaitGroup
		got := make([]answer, len(callers))
		start := make(chan struct{})
		for i, c := range callers {
			ch := c.expect(fmt.Sprintf("round-%d-%s", round, c.id))
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start // all three publish at the same moment
				c.c.Publish(e.topic("dev/"+c.id+"/req"), 1, false, fmt.Sprintf(`{"req_id":"round-%d-%s","op":"call.next"}`, round, c.id))
				select {
				case got[i] = <-ch:
				case <-time.After(wait):
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, r := range got {
			if r.raw == nil {
				t.Fatalf("round %d: %s got no response", round, callers[i].id)
			}
			if !r.OK {
				if r.code() == "queue_empty" {
					continue
				}
				t.Fatalf("round %d: %s", round, r.raw)
			}
			n := r.result(t)["number"].(string)
			if other, dup := seen[n]; dup {
				t.Fatalf("%s called by %s and %s", n, other, callers[i].id)
			}
			seen[n] = callers[i].id
		}
		if round > tickets {
			t.Fatalf("only %d of %d tickets called", len(seen), tickets)
		}
	}
}

// TestFloodingDevice: a device that floods requests is rate limited (the
// excess is dropped, unanswered) and another device is still served.
func TestFloodingDevice(t *testing.T) {
	e := newEnv(t)
	flood, k := e.connect("kiosk-01"), e.connect("kiosk-02")
	const n = 400
	for i := 0; i < n; i++ { // QoS 0: as fast as the socket takes it
		flood.c.Publish(e.topic("dev/kiosk-01/req"), 0, false, fmt.Sprintf(`{"req_id":"f%d","op":"ticket.take","service":"tax"}`, i))
	}
	t.Run("OKOthersServed", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			k.in(t).ok("ticket.take", map[string]any{"service": "general"})
		}
	})
	t.Run("OKFloodLimited", func(t *testing.T) {
		deadline := time.Now().Add(wait)
		for { // answered once the flood is through and the bucket refills
			id := flood.reqID()
			ch := flood.expect(id)
			flood.in(t).send([]byte(`{"req_id":"` + id + `","op":"ticket.take","service":"general"}`))
			select {
			case r := <-ch:
				if !r.OK {
					t.Fatalf("after the flood: %s", r.raw)
				}
			case <-time.After(time.Second):
				if time.Now().Before(deadline) {
					continue
				}
				t.Fatalf("kiosk-01 not answered after its flood")
			}
			break
		}
		issued := e.hall.View().Services[2].Issued // tax
		if issued >= n || issued < DefaultBurst {
			t.Errorf("%d of %d flooded requests carried out, want at least the burst (%d) and not all", issued, n, DefaultBurst)
		}
		if d := e.metric("hallq_device_requests_dropped_total", "reason", "rate_limited"); d <= 0 {
			t.Errorf("rate_limited drops = %v", d)
		}
	})
}
