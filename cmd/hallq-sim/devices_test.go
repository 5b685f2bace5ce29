package main

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestWaiters(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Many requests in flight; responses arrive in another order; each
		// request gets its own response.
		w := newWaiters()
		const n = 1000
		chans := make([]<-chan response, n)
		for i := range chans {
			chans[i] = w.add("r" + strconv.Itoa(i))
		}
		var wg sync.WaitGroup
		for i := n - 1; i >= 0; i-- {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if !w.deliver(response{ReqID: "r" + strconv.Itoa(i), OK: true, Result: []byte(strconv.Itoa(i))}) {
					t.Errorf("response r%d had no waiter", i)
				}
			}()
		}
		wg.Wait()
		for i, ch := range chans {
			r := <-ch
			if got, want := string(r.Result), strconv.Itoa(i); got != want || r.ReqID != "r"+want {
				t.Fatalf("request r%d got the response to %s (%s)", i, r.ReqID, got)
			}
		}
		if got := w.pending(); got != 0 {
			t.Errorf("%d still pending", got)
		}
	})
	t.Run("Stray", func(t *testing.T) {
		// A response nobody waits for: a duplicate (QoS 1 redelivery) or one
		// after its request timed out.
		w := newWaiters()
		ch := w.add("a")
		w.deliver(response{ReqID: "a"})
		if w.deliver(response{ReqID: "a"}) {
			t.Error("a duplicate response was delivered")
		}
		w.add("b")
		w.remove("b") // timed out
		if w.deliver(response{ReqID: "b"}) {
			t.Error("a late response was delivered")
		}
		if got, want := w.strays.Load(), int64(2); got != want {
			t.Errorf("strays = %d, want %d", got, want)
		}
		if r := <-ch; r.ReqID != "a" {
			t.Errorf("got %q", r.ReqID)
		}
		select {
		case r := <-ch:
			t.Errorf("a second response %+v reached the waiter", r)
		default:
		}
	})
}

func TestLEDTracker(t *testing.T) {
	var lat Sample
	tr := newLEDTracker(&lat)
	t0 := time.Now()
	select {
	case <-tr.drained():
	default:
		t.Fatal("a new tracker is not drained")
	}
	// The answer comes first, then the LED.
	tr.called("1", "A001", t0)
	select {
	case <-tr.drained():
		t.Fatal("drained with a call not shown")
	default:
	}
	tr.show("1", "A001", t0.Add(3*time.Millisecond))
	// The LED comes first (hallq publishes state before the reply arrives).
	tr.show("2", "B001", t0.Add(5*time.Millisecond))
	tr.called("2", "B001", t0.Add(time.Millisecond))
	// Another counter's number, or a repeat, completes nothing.
	tr.called("3", "C001", t0)
	tr.show("4", "C001", t0)
	tr.show("1", "A001", t0.Add(time.Second))
	if got, want := tr.missing(), 1; got != want {
		t.Fatalf("missing = %d, want %d", got, want)
	}
	tr.show("3", "C001", t0.Add(2*time.Millisecond))
	<-tr.drained()
	s := lat.Summary()
	if s.N != 3 || s.Max != 4*time.Millisecond || s.P50 != 3*time.Millisecond {
		t.Errorf("latencies %+v, want 2ms, 3ms, 4ms", s)
	}
}

func TestTopicMatches(t *testing.T) {
	for _, c := range []struct {
		filter, topic string
		want          bool
	}{
		{"hallq/v1/demo/state/#", "hallq/v1/demo/state/counters/1", true},
		{"hallq/v1/demo/state/#", "hallq/v1/demo/announce", false},
		{"hallq/v1/demo/state/counters/+", "hallq/v1/demo/state/counters/12", true},
		{"hallq/v1/demo/state/counters/+", "hallq/v1/demo/state/counters/12/x", false},
		{"hallq/v1/demo/announce", "hallq/v1/demo/announce", true},
		{"hallq/v1/demo/announce", "hallq/v1/demo/announcex", false},
	} {
		if got := topicMatches(c.filter, c.topic); got != c.want {
			t.Errorf("topicMatches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}
