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
