package devices

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// lockStep sends n requests of op, each after the answer to the previous
// one, as fast as the answers come, and returns each round trip. Every
// answer must be ok (CONTRACT §2 admission: one in flight is never refused).
func lockStep(t testing.TB, c *client, n int, op string, args map[string]any) []time.Duration {
	t.Helper()
	rtts := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		r := c.do(op, args)
		rtts = append(rtts, time.Since(start))
		if !r.OK {
			t.Fatalf("%s request %d of %d refused: %s", c.id, i+1, n, r.raw)
		}
	}
	return rtts
}

// p99 is the 99th percentile of d.
func p99(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*99/100]
}

// TestAdmissionLockStep: a device that waits for each answer is never
// refused, however fast it goes (CONTRACT §2 admission); the old token
// bucket stopped answering after about 40.
func TestAdmissionLockStep(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	start := time.Now()
	rtts := lockStep(t, k, n, "ticket.take", map[string]any{"service": "general"})
	t.Logf("%d lock-step requests in %v (p99 %v)", n, time.Since(start).Round(time.Millisecond), p99(rtts))
	if got := e.hall.View().Services[0].Issued; got != n {
		t.Errorf("issued %d tickets, want %d", got, n)
	}
	if v := e.metric("hallq_device_requests_dropped_total", "reason", "rate_limited"); v > 0 {
		t.Errorf("%v requests dropped", v)
	}
}

// flooder is a device publishing requests without waiting for answers; it
// counts the answers it gets by code.
type flooder struct {
	c        paho.Client
	answered atomic.Int64
	ok       atomic.Int64
	limited  atomic.Int64
	noRetry  atomic.Int64 // rate_limited without retry_after_ms
	mu       sync.Mutex
	seen     map[string]int
}

func (e *env) flooder(t *testing.T, id string) *flooder {
	t.Helper()
	f := &flooder{seen: map[string]int{}}
	po := paho.NewClientOptions().AddBroker("tcp://" + e.addr).SetClientID(id).SetUsername(id).SetPassword(e.secret(id)).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectTimeout(wait)
	f.c = paho.NewClient(po)
	if tok := f.c.Connect(); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", id, tok.Error())
	}
	t.Cleanup(func() { f.c.Disconnect(0) })
	tok := f.c.Subscribe(e.topic("dev/"+id+"/res"), 1, func(_ paho.Client, m paho.Message) {
		var a answer
		if json.Unmarshal(m.Payload(), &a) != nil {
			return
		}
		f.mu.Lock()
		f.seen[a.ReqID]++
		f.mu.Unlock()
		f.answered.Add(1)
		switch {
		case a.OK:
			f.ok.Add(1)
		case a.code() == string(queue.RateLimited):
			f.limited.Add(1)
			if a.Error.RetryAfterMS <= 0 {
				f.noRetry.Add(1)
			}
		}
	})
	if !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return f
}

// floodPerSecond is the flooding device's rate in TestAdmissionFlood: 50
// times the sustained rate admission allows a device, paced, so that what is
// measured is the hall under a flood rather than the test's own publisher
// taking one of the machine's cores.
const floodPerSecond = 1000

// minFlood is the least the flooding device sends, however quick the
// phase: well past what admission lets through at once, so that some of it
// must be refused.
const minFlood = 600

// TestAdmissionFlood: a device flooding requests gets rate_limited answers
// with retry_after_ms, one answer per request; a lock-step device next to it
// is never refused; and a third device's p99 is reported against the same
// run without the flood: both phases run the lock-step caller next to the
// third device, the second also the flood (CONTRACT §2 admission). Timings
// are printed, not asserted.
func TestAdmissionFlood(t *testing.T) {
	e := newEnv(t)
	caller := e.connect("caller-1")
	caller.ok("counter.open", nil)
	third := e.connect("kiosk-02")
	const rounds = 1000
	var lockErr atomic.Value
	phase := func() []time.Duration { // the third device's round trips next to the lock-step caller
		stop, done := make(chan struct{}), make(chan struct{})
		go func() { // pause and resume the counter, each after the previous answer
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				op := [2]string{"counter.pause", "counter.resume"}[i%2]
				if r := caller.in(t).do(op, nil); !r.OK {
					lockErr.Store(string(r.raw))
					return
				}
			}
		}()
		rtts := lockStep(t, third, rounds, "ticket.take", map[string]any{"service": "general"})
		close(stop)
		<-done
		return rtts
	}
	base := phase()

	f := e.flooder(t, "kiosk-01")
	var sent atomic.Int64
	stopFlood, flooded := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(flooded)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			for k := 0; k < floodPerSecond/100; k++ { // QoS 0: no waiting for anything
				i := sent.Add(1)
				f.c.Publish(e.topic("dev/kiosk-01/req"), 0, false, fmt.Sprintf(`{"req_id":"f%d","op":"ticket.take","service":"tax"}`, i))
			}
			<-tick.C
			select {
			case <-stopFlood:
				if sent.Load() >= minFlood {
					return
				}
			default:
			}
		}
	}()
	during := phase()
	close(stopFlood)
	<-flooded
	if v := lockErr.Load(); v != nil {
		t.Fatalf("lock-step caller refused: %s", v)
	}
	flood := sent.Load()
	testenv.Eventually(t, 30*time.Second, func() bool { return f.answered.Load() >= flood }, "every flooded request answered")
	f.mu.Lock()
	for id, n := range f.seen {
		if n != 1 {
			t.Errorf("%s answered %d times", id, n)
		}
	}
	f.mu.Unlock()
	if f.limited.Load() == 0 || f.noRetry.Load() > 0 {
		t.Errorf("flood: %d rate_limited (%d without retry_after_ms), want some, all with it", f.limited.Load(), f.noRetry.Load())
	}
	if got := int64(e.hall.View().Services[2].Issued); got != f.ok.Load() || got == flood {
		t.Errorf("tax tickets issued %d, ok answers %d, flood %d: only admitted requests are carried out", got, f.ok.Load(), flood)
	}
	if v := e.metric("hallq_device_requests_rate_limited_total", "", ""); v >= 0 && int64(v) != f.limited.Load() {
		t.Errorf("metric rate_limited %v, answers %d", v, f.limited.Load())
	}
	b, d := p99(base), p99(during)
	t.Logf("flood: %d requests at %d/s, %d ok, %d rate_limited; third device p99 %v without the flood, %v with it (ratio %.2f)",
		flood, floodPerSecond, f.ok.Load(), f.limited.Load(), b, d, float64(d)/float64(b))
}

// TestAdmissionPipelined: up to MaxInFlight requests sent without waiting
// are carried out, in order (CONTRACT §2 admission).
func TestAdmissionPipelined(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	// MaxInFlight pipelined requests are admitted, whatever the rate.
	chans := make([]chan answer, MaxInFlight)
	for i := range chans {
		id := fmt.Sprintf("p%d", i)
		chans[i] = k.expect(id)
		k.send([]byte(`{"req_id":"` + id + `","op":"ticket.take","service":"general"}`))
	}
	for i, ch := range chans {
		if r := k.await(fmt.Sprintf("p%d", i), ch); !r.OK {
			t.Errorf("pipelined request %d of %d: %s", i+1, MaxInFlight, r.raw)
		}
	}
}

// TestGreenCapMQTT: a kiosk's green-channel tickets over the cap are
// answered rate_limited with retry_after_ms and not issued; a repeat of an
// issued req_id does not count.
func TestGreenCapMQTT(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.GreenCap = admission.NewGreenCap(2, nil, nil) }))
	k := e.connect("kiosk-01")
	green := map[string]any{"service": "general", "channel": "green"}
	first := k.request("g1", "ticket.take", green)
	if !first.OK {
		t.Fatalf("green 1: %s", first.raw)
	}
	want(t, "repeat", string(k.request("g1", "ticket.take", green).raw), string(first.raw))
	k.ok("ticket.take", green)
	r := k.do("ticket.take", green)
	wantErr(t, r, queue.RateLimited)
	if r.Error.RetryAfterMS <= 0 {
		t.Errorf("no retry_after_ms: %s", r.raw)
	}
	if got := e.hall.View().Services[0].Issued; got != 2 {
		t.Errorf("issued %d, want 2", got)
	}
}
