package queue

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The accuracy of est_wait_s (CONTRACT §2 ticket.take) against the wait each
// ticket really had, over simulated busy days driven through Decide/Apply
// with a virtual clock, next to the naive "waiting × average service / open
// counters" estimate computed on the same state at the same moment
// (docs/benchmarks.md "Wait estimate accuracy").

// naiveEstimate is the baseline: the tickets ahead times the service's
// moving average over the open counters serving it.
func naiveEstimate(s *State, svc string, ahead int) int {
	avg := s.AvgService[svc]
	if avg <= 0 {
		avg = s.Spec.Services[svc].AvgService.Seconds()
	}
	servers := 0
	for _, id := range s.Spec.CounterOrder {
		if c := s.Counters[id]; c.Open && !c.Paused && s.Spec.Counters[id].Serves(svc) {
			servers++
		}
	}
	return int(float64(ahead)*avg/float64(max(servers, 1)) + 0.5)
}

// accuracySpec is a hall of 8 services and 20 counters, most serving two or
// three services, like the zones of a large centre.
func accuracySpec() *Spec {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	sp := &Spec{HallID: "acc", HallName: Name{Zh: "精度", En: "Accuracy"}, Location: loc, RecallLimit: 2,
		RatingWindow: 120 * time.Second, Services: map[string]*ServiceSpec{}, Counters: map[string]*CounterSpec{},
		Devices: map[string]*DeviceSpec{}}
	for i, avg := range []int{300, 420, 240, 600, 360, 480, 200, 540} {
		id := fmt.Sprintf("s%d", i)
		sp.Services[id] = &ServiceSpec{ID: id, Prefix: string(rune('A' + i)), Name: Name{Zh: id, En: id},
			TargetWait: 30 * time.Minute, AvgService: time.Duration(avg) * time.Second}
		sp.ServiceOrder = append(sp.ServiceOrder, id)
	}
	for i := 0; i < 20; i++ {
		id := fmt.Sprint(i + 1)
		svcs := []string{fmt.Sprintf("s%d", i%8)}
		if i%3 != 0 {
			svcs = append(svcs, fmt.Sprintf("s%d", (i+1)%8))
		}
		if i%5 == 0 {
			svcs = append(svcs, fmt.Sprintf("s%d", (i+3)%8))
		}
		sp.Counters[id] = &CounterSpec{ID: id, Name: Name{Zh: id, En: id}, Services: svcs}
		sp.CounterOrder = append(sp.CounterOrder, id)
	}
	return sp
}

// simEvent is an arrival (counter "") or a counter finishing its ticket.
type simEvent struct {
	at      time.Time
	counter string
	service string
	green   bool
}

type simQueue []simEvent

func (q simQueue) Len() int           { return len(q) }
func (q simQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q simQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)        { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any          { o := *q; e := o[len(o)-1]; *q = o[:len(o)-1]; return e }
func (q *simQueue) push(e simEvent)   { heap.Push(q, e) }
func (q *simQueue) pop() simEvent     { return heap.Pop(q).(simEvent) }
func lognormal(r *rand.Rand, mean, cv float64) float64 {
	s2 := math.Log(1 + cv*cv)
	return mean * math.Exp(math.Sqrt(s2)*r.NormFloat64()-s2/2)
}

// accuracy is how close one estimator came.
type accuracy struct {
	n        int
	absErr   float64 // sum of |est - real| seconds
	signed   float64 // sum of est - real seconds
	real     float64 // sum of real waits
	within30 int     // |est - real| <= 30% of max(real, 60 s)
}

func (a *accuracy) add(est, real float64) {
	a.n++
	d := math.Abs(est - real)
	a.absErr += d
	a.signed += est - real
	a.real += real
	if d <= 0.3*math.Max(real, 60) {
		a.within30++
	}
}

func (a *accuracy) merge(b accuracy) {
	a.n, a.absErr, a.signed, a.real, a.within30 = a.n+b.n, a.absErr+b.absErr, a.signed+b.signed, a.real+b.real, a.within30+b.within30
}

func (a accuracy) mae() float64   { return a.absErr / float64(a.n) }
func (a accuracy) share() float64 { return float64(a.within30) / float64(a.n) }
func (a accuracy) String() string {
	return fmt.Sprintf("MAE %4.0f s, bias %+5.0f s, within ±30%% %4.1f%% (mean real wait %4.0f s)", a.mae(),
		a.signed/float64(a.n), 100*a.share(), a.real/float64(a.n))
}

// simulateDay runs one busy day (08:30-17:30) and scores both estimators.
func simulateDay(t testing.TB, seed uint64) (est, naive accuracy, tickets int) {
	sp := accuracySpec()
	s := NewState(sp)
	r := rand.New(rand.NewPCG(seed, 0xe57))
	day := time.Date(2026, 11, 23, 8, 30, 0, 0, sp.Location)
	end := day.Add(9 * time.Hour)
	var seq int64
	do := func(now time.Time, cmd Command) Outcome {
		evs := Rollover(s, now)
		out := Decide(s, now, cmd)
		for _, e := range append(evs, out.Events...) {
			seq++
			e.Seq = seq
			Apply(s, &e)
		}
		return out
	}
	// The true mean service time differs from the configured one: the
	// estimator has to learn it.
	truth := map[string]float64{}
	for i, id := range sp.ServiceOrder {
		truth[id] = sp.Services[id].AvgService.Seconds() * (0.8 + 0.1*float64(i%5))
	}
	q := &simQueue{}
	// Arrivals by thinning: a morning peak at 1.6x, a lunch dip at 0.7x.
	profile := func(t time.Time) float64 {
		h := t.Sub(day).Hours()
		switch {
		case h < 0.5:
			return 1.0
		case h < 3:
			return 1.6
		case h < 4.5:
			return 0.7
		case h < 7.5:
			return 1.0
		}
		return 0.5
	}
	for _, id := range sp.ServiceOrder {
		servers := 0.0
		for _, cid := range sp.CounterOrder {
			if sp.Counters[cid].Serves(id) {
				servers += 1 / float64(len(sp.Counters[cid].Services))
			}
		}
		rate := 0.85 * servers / truth[id] // arrivals per second at profile 1
		for at := day; ; {
			at = at.Add(time.Duration(r.ExpFloat64() / (1.6 * rate) * float64(time.Second)))
			if !at.Before(end.Add(-time.Hour)) {
				break
			}
			if r.Float64() < profile(at)/1.6 {
				q.push(simEvent{at: at, service: id, green: r.Float64() < 0.04})
			}
		}
	}
	for _, cid := range sp.CounterOrder {
		do(day, OpenCounter{Counter: cid, StaffID: "p" + cid})
	}
	// Two counters pause for half an hour in the peak.
	pauses := map[string][2]time.Time{"3": {day.Add(90 * time.Minute), day.Add(120 * time.Minute)},
		"11": {day.Add(100 * time.Minute), day.Add(130 * time.Minute)}}
	idle := map[string]bool{}
	for _, cid := range sp.CounterOrder {
		idle[cid] = true
	}
	type issued struct {
		at         time.Time
		est, naive int
	}
	open := map[string]issued{}
	call := func(now time.Time, cid string) {
		if p, ok := pauses[cid]; ok && !now.Before(p[0]) && now.Before(p[1]) {
			if !s.Counters[cid].Paused {
				do(now, PauseCounter{Counter: cid})
				q.push(simEvent{at: p[1], counter: cid})
			}
			idle[cid] = false
			return
		}
		if s.Counters[cid].Paused {
			do(now, ResumeCounter{Counter: cid})
		}
		out := do(now, CallNext{Counter: cid})
		if out.Err != nil {
			idle[cid] = true
			return
		}
		idle[cid] = false
		for _, e := range out.Events {
			if e.Kind == EvTicketCalled {
				if is, ok := open[e.TicketID]; ok {
					real := now.Sub(is.at).Seconds()
					est.add(float64(is.est), real)
					naive.add(float64(is.naive), real)
					delete(open, e.TicketID)
				}
				d := lognormal(r, truth[e.Service], 0.6)
				q.push(simEvent{at: now.Add(time.Duration(d * float64(time.Second))), counter: cid})
			}
		}
	}
	for q.Len() > 0 {
		ev := q.pop()
		if ev.counter != "" {
			if s.Counters[ev.counter].Current != "" {
				do(ev.at, Finish{Counter: ev.counter})
			}
			call(ev.at, ev.counter)
			continue
		}
		ch := WalkIn
		if ev.green {
			ch = Green
		}
		ahead := 0
		for _, id := range s.Queue[ev.service] {
			if ch == WalkIn || s.Tickets[id].Channel == Green {
				ahead++
			}
		}
		base := naiveEstimate(s, ev.service, ahead)
		out := do(ev.at, TakeTicket{Service: ev.service, Channel: ch})
		if out.Err != nil {
			t.Fatalf("take %s: %v", ev.service, out.Err)
		}
		e := out.Events[0]
		if e.WaitingAhead != nil && *e.WaitingAhead != ahead {
			base = naiveEstimate(s, ev.service, *e.WaitingAhead) // the hall's own count of tickets ahead
		}
		open[e.TicketID] = issued{at: ev.at, est: *e.EstWaitS, naive: base}
		tickets++
		for _, cid := range sp.CounterOrder {
			if idle[cid] && sp.Counters[cid].Serves(ev.service) {
				call(ev.at, cid)
				break
			}
		}
	}
	return est, naive, tickets
}

// TestEstimateAccuracy scores est_wait_s against the naive estimate over
// simulated busy days and wants it better on both measures. Run with -v for
// the figures of docs/benchmarks.md.
func TestEstimateAccuracy(t *testing.T) {
	var est, naive accuracy
	days, tickets := 5, 0
	if testing.Short() {
		days = 2
	}
	for seed := uint64(1); seed <= uint64(days); seed++ {
		e, n, k := simulateDay(t, seed)
		t.Logf("day %d: %d tickets; est_wait_s %v; naive %v", seed, k, e, n)
		est.merge(e)
		naive.merge(n)
		tickets += k
	}
	t.Logf("all %d days, %d tickets: est_wait_s %v; naive %v; MAE ratio %.2f", days, tickets, est, naive, est.mae()/naive.mae())
	if est.mae() >= naive.mae() || est.share() <= naive.share() {
		t.Errorf("est_wait_s (%v) does not beat the naive estimate (%v)", est, naive)
	}
}
