package hall

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/queue"
)

// largeHallState is a busy state of examples/large-hall.yaml at 10:00: 3,000
// tickets issued, 110 of the 118 counters open (90 serving, 10 idle, 10
// paused), every device connected and 20 of them gone offline, and the
// standing alerts this makes already raised.
func largeHallState(tb testing.TB) (*queue.State, time.Time) {
	tb.Helper()
	data, err := os.ReadFile("../examples/large-hall.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Parse("large-hall.yaml", data)
	if err != nil {
		tb.Fatal(err)
	}
	sp := cfg.Spec()
	sp.Hours, sp.Calendar = nil, nil
	for _, svc := range sp.Services {
		svc.DailyQuota = 0
	}
	s := queue.NewState(sp)
	now := time.Date(2026, 11, 23, 8, 30, 0, 0, sp.Location)
	var seq int64
	do := func(cmd queue.Command) {
		evs := queue.Rollover(s, now)
		evs = append(evs, queue.Decide(s, now, cmd).Events...)
		for i := range evs {
			seq++
			evs[i].Seq = seq
			queue.Apply(s, &evs[i])
		}
	}
	for _, id := range sp.DeviceOrder {
		do(queue.ReportPresence{Device: id, Online: true, FW: "1.0.0"})
	}
	for i := 0; i < 3000; i++ {
		now = now.Add(time.Second)
		do(queue.TakeTicket{Service: sp.ServiceOrder[i%len(sp.ServiceOrder)]})
	}
	for i, id := range sp.CounterOrder {
		switch {
		case i < 90:
			do(queue.OpenCounter{Counter: id, StaffID: fmt.Sprintf("s%03d", i)})
			do(queue.CallNext{Counter: id})
		case i < 100:
			do(queue.OpenCounter{Counter: id})
		case i < 110:
			do(queue.OpenCounter{Counter: id})
			do(queue.PauseCounter{Counter: id})
		}
	}
	for _, id := range sp.DeviceOrder[:20] {
		do(queue.ReportPresence{Device: id, Online: false, FW: "1.0.0"})
	}
	now = now.Add(40 * time.Minute)
	for _, e := range queue.EvaluateAlerts(s, now, queue.AlertRules()) {
		seq++
		e.Seq = seq
		queue.Apply(s, &e)
	}
	if len(s.Alerts) == 0 {
		tb.Fatal("the busy large hall has no alerts")
	}
	return s, now
}

// BenchmarkAlertEngine measures one evaluation of the alert rules on the
// busy large hall with its alerts standing (what every batch and every 1 s
// tick adds), next to one ticket.take batch's decide+apply and the view the
// writer builds per batch, in the same run (docs/benchmarks.md).
func BenchmarkAlertEngine(b *testing.B) {
	s, now := largeHallState(b)
	rules := queue.AlertRules()
	b.Run("evaluate", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			if evs := queue.EvaluateAlerts(s, now, rules); len(evs) != 0 {
				b.Fatalf("steady state raised %d events", len(evs))
			}
		}
		reportCPU(b, cpu0)
		b.ReportMetric(float64(len(s.Alerts)), "alerts")
	})
	b.Run("take-decide-apply", func(b *testing.B) {
		st := s.Clone()
		seq := st.Seq
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			out := queue.Decide(st, now, queue.TakeTicket{Service: "general"})
			for j := range out.Events {
				seq++
				out.Events[j].Seq = seq
				queue.Apply(st, &out.Events[j])
			}
			if out.Result != nil {
				out.Result(st)
			}
		}
		reportCPU(b, cpu0)
	})
	b.Run("take-decide-apply-view", func(b *testing.B) {
		st := s.Clone()
		seq := st.Seq
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			out := queue.Decide(st, now, queue.TakeTicket{Service: "general"})
			for j := range out.Events {
				seq++
				out.Events[j].Seq = seq
				queue.Apply(st, &out.Events[j])
			}
			queue.NewView(st)
		}
		reportCPU(b, cpu0)
	})
}

// reportCPU reports the process CPU time per op since cpu0: on a shared
// machine ns/op counts the time other processes took the cores, this not.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// offsetClock is the wall clock moved forward by a settable offset.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// cpuTime is the process's user+system CPU time so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadLargeHall opens the large hall's writer (with or without the alert
// engine), makes it busy as largeHallState does and lets 40 minutes pass so
// that its alerts stand; then it offers ticket.take at rate per second for d
// from 16 clients and returns the process CPU time the load took.
func loadLargeHall(t *testing.T, noAlerts bool, rate int, d time.Duration) (cpu time.Duration, takes int, alerts int, engine time.Duration, runs int64) {
	data, err := os.ReadFile("../examples/large-hall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("large-hall.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sp := cfg.Spec()
	sp.Hours, sp.Calendar = nil, nil
	for _, svc := range sp.Services {
		svc.DailyQuota = 0
	}
	clock := &offsetClock{}
	h, err := Open(Config{Spec: sp, Journal: mustJournal(t, sp), Clock: clock.Now, NoAlerts: noAlerts})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	run := func(cmds []queue.Command) {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(cmds)); i = next.Add(1) - 1 {
					h.Do(ctx, Request{Source: "bench", Cmd: cmds[i]})
				}
			}()
		}
		wg.Wait()
	}
	var cmds []queue.Command
	for _, id := range sp.DeviceOrder {
		cmds = append(cmds, queue.ReportPresence{Device: id, Online: true, FW: "1.0.0"})
	}
	for i := 0; i < 3000; i++ {
		cmds = append(cmds, queue.TakeTicket{Service: sp.ServiceOrder[i%len(sp.ServiceOrder)]})
	}
	run(cmds)
	cmds = cmds[:0]
	for i, id := range sp.CounterOrder {
		switch {
		case i < 90:
			cmds = append(cmds, queue.OpenCounter{Counter: id, StaffID: fmt.Sprintf("s%03d", i)})
		case i < 110:
			cmds = append(cmds, queue.OpenCounter{Counter: id})
		}
	}
	run(cmds)
	cmds = cmds[:0]
	for i, id := range sp.CounterOrder {
		switch {
		case i < 90:
			cmds = append(cmds, queue.CallNext{Counter: id})
		case i >= 100 && i < 110:
			cmds = append(cmds, queue.PauseCounter{Counter: id})
		}
	}
	for _, id := range sp.DeviceOrder[:20] {
		cmds = append(cmds, queue.ReportPresence{Device: id, Online: false, FW: "1.0.0"})
	}
	run(cmds)
	clock.offset.Add(int64(40 * time.Minute))
	h.Query(ctx, func(*queue.State) {})
	alerts = len(h.View().Alerts)

	runtime.GC() // the setup's garbage is not the load's
	var runs0 int64
	var engine0 time.Duration
	h.Query(ctx, func(*queue.State) { runs0, engine0 = h.alertRuns, h.alertTime })
	start := cpuTime(t)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	work := make(chan struct{}, rate)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				h.Do(ctx, Request{Source: "bench", Cmd: queue.TakeTicket{Service: "general"}})
			}
		}()
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
		<-tick.C
		work <- struct{}{}
		takes++
	}
	close(work)
	wg.Wait()
	cpu = cpuTime(t) - start
	h.Query(ctx, func(*queue.State) { runs, engine = h.alertRuns-runs0, h.alertTime-engine0 })
	return cpu, takes, alerts, engine, runs
}

// TestAlertEngineCPU compares the CPU time the hall writer takes for 300
// ticket.take a second on the busy large hall with and without the alert
// engine, alternating, in one run (docs/benchmarks.md).
// Run: HALLQ_BENCH=1 go test ./hall -run AlertEngineCPU -v
func TestAlertEngineCPU(t *testing.T) {
	if os.Getenv("HALLQ_BENCH") == "" {
		t.Skip("a measurement; set HALLQ_BENCH=1 to run")
	}
	const rate, d = 300, 10 * time.Second
	var on, off time.Duration
	var onN, offN int
	var engine time.Duration
	for round := 0; round < 4; round++ {
		for _, noAlerts := range []bool{true, false} {
			cpu, n, alerts, eng, runs := loadLargeHall(t, noAlerts, rate, d)
			t.Logf("round %d alerts=%-5v standing=%3d takes=%d cpu=%v (%.1f µs per take); engine: %d runs, %v (%.2f%% of the CPU)",
				round+1, !noAlerts, alerts, n, cpu, float64(cpu.Microseconds())/float64(n), runs, eng, 100*float64(eng)/float64(cpu))
			engine += eng
			if noAlerts {
				off, offN = off+cpu, offN+n
			} else {
				on, onN = on+cpu, onN+n
			}
		}
	}
	perOn, perOff := float64(on)/float64(onN), float64(off)/float64(offN)
	t.Logf("CPU per take with alerts / without: %.1f / %.1f µs = %.3f (%+.1f%%); the engine's own time: %.2f%% of the CPU with alerts",
		perOn/1e3, perOff/1e3, perOn/perOff, 100*(perOn/perOff-1), 100*float64(engine)/float64(on))
}
