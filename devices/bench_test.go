package devices

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// The benchmarks measure latencies over MQTT against baselines measured in
// the same run: a raw QoS 1 publish -> subscribe round trip through the same
// embedded broker, and one bare journal commit (one fsync). Run:
//
//	go test ./devices -run '^$' -bench . -benchtime 2000x

// latencies holds one sample per operation.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// benchEnv is an env without rate limits (a benchmark is a flood).
func benchEnv(b *testing.B) *env {
	return newEnv(b, withConfig(func(c *Config) { c.RatePerSec, c.Burst = 1e9, 1<<30 }))
}

// mqttBaseline measures n raw QoS 1 round trips: the device publishes to
// its ack topic, an inline subscription echoes to its res topic.
func mqttBaseline(b *testing.B, e *env, d *client, n int) latencies {
	srv := e.srv.emb.Server()
	err := srv.Subscribe(e.topic("dev/"+d.id+"/ack"), 999, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		e.srv.emb.Publish(e.topic("dev/"+d.id+"/res"), pk.Payload, false)
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Unsubscribe(e.topic("dev/"+d.id+"/ack"), 999)
	out := make(latencies, 0, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("echo-%d", i)
		ch := d.expect(id)
		start := time.Now()
		d.publish(e.topic("dev/"+d.id+"/ack"), []byte(`{"req_id":"`+id+`","ok":true}`), false)
		d.await(id, ch)
		out = append(out, time.Since(start))
	}
	return out
}

// commitBaseline measures n bare journal commits of one event each.
func commitBaseline(b *testing.B, n int) latencies {
	j, err := store.Open(b.TempDir(), "bench", testLog(b))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	out := make(latencies, 0, n)
	at := time.Now()
	for i := 0; i < n; i++ {
		ev := queue.Event{Seq: j.LastSeq() + 1, Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A001", Ticket: "A001",
			N: 1, Service: "general", Channel: "walk_in"}
		start := time.Now()
		if err := j.Append([]queue.Event{ev}, nil); err != nil {
			b.Fatal(err)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// hallBaseline measures n ticket.take carried out in-process with hall.Do
// (decide, journal commit with the idempotency record, apply): what the
// request costs without MQTT. It is shown to split the overhead, not in
// the ratio.
func hallBaseline(b *testing.B, e *env, n int) latencies {
	out := make(latencies, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		rep := e.hall.Do(context.Background(), hall.Request{Source: "bench", ReqID: fmt.Sprintf("hb-%d", i), Cmd: queue.TakeTicket{Service: "tax"}})
		if !rep.OK {
			b.Fatal(rep.Error)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// report prints a measurement next to its baselines and the ratio.
func report(b *testing.B, what string, got, mqttRTT, commit latencies) {
	b.ReportMetric(us(got.pct(0.5)), "p50-µs")
	b.ReportMetric(us(got.pct(0.99)), "p99-µs")
	if len(got) < 100 { // the 1-iteration probe run of -benchtime Nx
		return
	}
	for _, p := range []float64{0.5, 0.99} {
		base := mqttRTT.pct(p) + commit.pct(p)
		b.Logf("%-26s p%-2.0f %8.0f µs | baseline mqtt rtt %6.0f µs + journal commit %6.0f µs = %6.0f µs | ratio %.2f",
			what, p*100, us(got.pct(p)), us(mqttRTT.pct(p)), us(commit.pct(p)), us(base), float64(got.pct(p))/float64(base))
	}
}

// BenchmarkTicketTake measures a kiosk's ticket.take round trip: publish the
// request, wait for the response, which comes after the journal commit.
func BenchmarkTicketTake(b *testing.B) {
	e := benchEnv(b)
	k := e.connect("kiosk-01")
	n := max(b.N, 200)
	mqttRTT, commit, inproc := mqttBaseline(b, e, k, n), commitBaseline(b, n), hallBaseline(b, e, n)
	got := make(latencies, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := k.reqID()
		ch := k.expect(id)
		start := time.Now()
		k.send([]byte(`{"req_id":"` + id + `","op":"ticket.take","service":"general"}`))
		if r := k.await(id, ch); !r.OK {
			b.Fatalf("%s", r.raw)
		}
		got = append(got, time.Since(start))
	}
	b.StopTimer()
	report(b, "ticket.take round trip", got, mqttRTT, commit)
	if b.N >= 100 {
		b.Logf("%-26s p50 %8.0f µs, p99 %6.0f µs (in-process, for reference)", "hall.Do ticket.take", us(inproc.pct(0.5)), us(inproc.pct(0.99)))
	}
}

// BenchmarkCallToLED measures from a caller's call.next to the counter's
// LED display receiving its new retained state.
func BenchmarkCallToLED(b *testing.B) {
	e := benchEnv(b)
	for i := 0; i < b.N+1; i++ {
		if rep := e.do(queue.TakeTicket{Service: "general"}); !rep.OK {
			b.Fatal(rep.Error)
		}
	}
	c, led := e.connect("caller-1"), e.connect("led-1", clientOpts{noSub: true})
	c.ok("counter.open", nil)
	led.subscribe(e.topic("state/counters/1"))
	led.next(on(e.topic("state/counters/1")))
	n := max(b.N, 200)
	mqttRTT, commit := mqttBaseline(b, e, c, n), commitBaseline(b, n)
	got := make(latencies, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := fmt.Sprintf("A%03d", i+1)
		start := time.Now()
		c.send([]byte(fmt.Sprintf(`{"req_id":"led-%d","op":"call.next"}`, i)))
		for {
			m := decode(b, led.next(on(e.topic("state/counters/1"))))
			if m["ticket"] == want {
				break
			}
		}
		got = append(got, time.Since(start))
	}
	b.StopTimer()
	report(b, "call.next -> LED state", got, mqttRTT, commit)
}
