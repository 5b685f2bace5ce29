package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/config"
)

// LoadOptions configure a load run (hallq-sim --load).
type LoadOptions struct {
	Config   *config.Config
	Broker   string
	Devices  int     // simulated devices; 0 = every configured device
	TakeRate float64 // ticket.take per second, all kiosks together (the peak with the busy-day profile)
	CallRate float64 // call.next per second, all callers together
	Duration time.Duration
	Profile  profileFlag // flat, or busy-day: the whole day's curve in Duration, peaking at TakeRate
	Seed     uint64

	FindMax bool          // after the measured run, ramp ticket.take up to find the highest sustained rate
	Step    time.Duration // length of one ramp step
	SLO     time.Duration // a rate is sustained only while ticket.take p99 stays within this

	MaxInFlight  int           // requests in flight at most; arrivals beyond are counted as not sent
	Timeout      time.Duration // per request
	BaselineRate float64       // baseline probes per second, during the run

	BaselineUser, BaselinePass string // for the raw pub/sub baseline on an external broker
	BaselineAnonymous          bool   // the same without credentials

	// HallqdPID, when set, is the hallqd process (on this machine) whose CPU
	// time the measured run reports per request; CPUBaseline adds the bare
	// server's (bare.go) at the same rate, as the baseline.
	HallqdPID   int
	CPUBaseline bool

	Out io.Writer // progress and warnings
}

func (o *LoadOptions) defaults() {
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.Step <= 0 {
		o.Step = 5 * time.Second
	}
	if o.SLO <= 0 {
		o.SLO = time.Second
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 20000
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.BaselineRate <= 0 {
		o.BaselineRate = 10
	}
	if o.Profile == "" {
		o.Profile = profileFlat
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// TakeStats is what one stream of ticket.take requests got.
type TakeStats struct {
	Latency  Sample
	Offered  atomic.Int64 // arrivals
	NotSent  atomic.Int64 // arrivals dropped because MaxInFlight requests were in flight
	OK       atomic.Int64
	mu       sync.Mutex
	Numbers  []string       // every number ticket.take returned, in arrival order of the responses
	Failures map[string]int // by error code, "timeout" or "transport"
}

func (s *TakeStats) fail(code string) {
	s.mu.Lock()
	if s.Failures == nil {
		s.Failures = map[string]int{}
	}
	s.Failures[code]++
	s.mu.Unlock()
}

func (s *TakeStats) ok(number string) {
	s.OK.Add(1)
	s.mu.Lock()
	s.Numbers = append(s.Numbers, number)
	s.mu.Unlock()
}

// Duplicates are the numbers ticket.take returned more than once
// (CONTRACT §2: numbers are never reused within the day).
func (s *TakeStats) Duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var dup []string
	for _, n := range s.Numbers {
		if seen[n] {
			dup = append(dup, n)
		}
		seen[n] = true
	}
	return dup
}

// RampStep is one step of the --find-max ramp.
type RampStep struct {
	Offered   float64 // ticket.take per second asked for
	Achieved  float64 // ok responses per second
	Summary   Summary
	Failures  int
	NotSent   int64
	Sustained bool
}

// LoadReport is what a load run measured.
type LoadReport struct {
	Connections, Simulated int
	Take                   TakeStats
	Call                   Sample // call.next request -> response
	CallToLED              Sample // call.next sent -> the LED sees the called ticket
	Rating                 Sample // rating.submit request -> response
	BaselineRTT            Sample // pingOp -> bad_request
	BaselineRaw            Sample // raw QoS 1 pub -> sub
	BaselineRawNote        string // why the raw baseline is missing
	BaselineOdd            atomic.Int64

	CallsOK, QueueEmpty atomic.Int64
	LEDMissed           int // calls answered ok whose number the LED never showed
	LEDUpdates          atomic.Int64
	ScreenMessages      atomic.Int64
	Prompts, Ratings    atomic.Int64
	ConnectionsLost     atomic.Int64
	Strays              int64 // responses nobody waited for

	errMu  sync.Mutex
	Errors map[string]int // "op: code" for ops other than ticket.take

	Answered    atomic.Int64 // responses to requests, all devices
	HallqdCPU   *CPUUse      // hallqd's CPU over the measured run
	BaselineCPU *CPUUse      // the bare server's at the same rate
	CPUNote     string       // why a CPU figure is missing

	Ramp         []RampStep
	MaxSustained float64 // ok ticket.take per second at the best sustained ramp step
	Elapsed      time.Duration
}

func (r *LoadReport) addError(op, code string) {
	r.errMu.Lock()
	if r.Errors == nil {
		r.Errors = map[string]int{}
	}
	r.Errors[op+": "+code]++
	r.errMu.Unlock()
}

// errCode names a failed request in the failure counts.
func errCode(err error) string {
	if errors.Is(err, errTimeout) {
		return "timeout"
	}
	return "transport"
}

// ledKey is one ticket on one counter's display.
type ledKey struct{ counter, number string }

// ledTracker pairs each call with the moment the counter's LED display sees
// the called ticket in its retained state (CONTRACT §2 state/counters). The
// state may arrive before or after the caller's response, so whichever
// comes second completes the pair.
type ledTracker struct {
	mu    sync.Mutex
	sent  map[ledKey]time.Time // answered calls not yet shown: when call.next was sent
	shown map[ledKey]time.Time // shown before the call's answer came: when
	lat   *Sample
	empty chan struct{} // closed while sent is empty
}

func newLEDTracker(lat *Sample) *ledTracker {
	t := &ledTracker{sent: map[ledKey]time.Time{}, shown: map[ledKey]time.Time{}, lat: lat, empty: make(chan struct{})}
	close(t.empty)
	return t
}

// called records an answered call.next sent at start.
func (t *ledTracker) called(counter, number string, start time.Time) {
	k := ledKey{counter, number}
	t.mu.Lock()
	defer t.mu.Unlock()
	if at, ok := t.shown[k]; ok {
		delete(t.shown, k)
		t.lat.Add(at.Sub(start))
		return
	}
	if len(t.sent) == 0 {
		t.empty = make(chan struct{})
	}
	t.sent[k] = start
}

// show records that counter's display shows number at at.
func (t *ledTracker) show(counter, number string, at time.Time) {
	k := ledKey{counter, number}
	t.mu.Lock()
	defer t.mu.Unlock()
	if start, ok := t.sent[k]; ok {
		delete(t.sent, k)
		t.lat.Add(at.Sub(start))
		if len(t.sent) == 0 {
			close(t.empty)
		}
		return
	}
	if _, ok := t.shown[k]; !ok {
		t.shown[k] = at
	}
}

// drained is closed once every answered call has been shown.
func (t *ledTracker) drained() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.empty
}

// missing is the number of answered calls not shown.
func (t *ledTracker) missing() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sent)
}

// chooser draws ids by weight.
type chooser struct {
	ids []string
	cum []float64
}

func newChooser(ids []string, weights []float64) chooser {
	c := chooser{ids: ids}
	total := 0.0
	for _, w := range weights {
		total += w
		c.cum = append(c.cum, total)
	}
	return c
}

func (c chooser) pick(rng *rand.Rand) string {
	u := rng.Float64() * c.cum[len(c.cum)-1]
	i := sort.SearchFloat64s(c.cum, u)
	return c.ids[min(i, len(c.ids)-1)]
}

// loadRun is one load run in progress.
type loadRun struct {
	o        LoadOptions
	h        *hall
	rep      *LoadReport
	devs     map[string]*Device
	kiosks   []*Device // logical kiosks that take tickets
	pinger   *Device   // the kiosk that sends the baseline pings
	callers  []loadCaller
	led      *ledTracker
	services chooser
	green    float64
	requests sync.WaitGroup // requests in flight
	inflight chan struct{}  // semaphore of MaxInFlight
}

// loadCaller is a logical caller: a connection and its counter.
type loadCaller struct {
	dev     *Device
	counter string
	hasLED  bool
}

// RunLoad runs a load against the hall in o.Config on o.Broker and reports
// latencies, the baselines and (with FindMax) the highest sustained
// ticket.take rate. It returns an error when the run could not be made, not
// when requests failed: failures are in the report.
func RunLoad(ctx context.Context, o LoadOptions) (*LoadReport, error) {
	o.defaults()
	began := time.Now()
	h := newHall(o.Config)
	for _, w := range h.warnings() {
		fmt.Fprintln(o.Out, "warning:", w)
	}
	conns, logical := pickDevices(o.Config, o.Devices)
	rep := &LoadReport{Connections: len(conns), Simulated: len(logical)}
	l := &loadRun{o: o, h: h, rep: rep, green: DefaultBehaviour().Green, inflight: make(chan struct{}, o.MaxInFlight)}
	l.led = newLEDTracker(&rep.CallToLED)
	ids, weights := h.serviceWeights()
	if len(ids) == 0 {
		return nil, errors.New("the config has no service that a counter serves")
	}
	l.services = newChooser(ids, weights)
	rid := runID(time.Now())
	ratersCmds := map[string]chan command{}
	for _, d := range conns {
		if d.Kind == "rater" {
			ratersCmds[d.ID] = make(chan command, 64)
		}
	}
	fmt.Fprintf(o.Out, "connecting %d devices to %s ...\n", len(conns), o.Broker)
	devs, err := dialAll(ctx, conns, func(d config.Device) deviceOptions {
		do := deviceOptions{Broker: o.Broker, RunID: rid, Timeout: o.Timeout, AutoReconnect: true,
			OnLost: func(string, error) { rep.ConnectionsLost.Add(1) }, Answered: &rep.Answered}
		switch d.Kind {
		case "counter_display":
			do.Subs = map[string]mqtt.MessageHandler{h.t.counterState(d.Counter): func(_ mqtt.Client, m mqtt.Message) {
				at := time.Now()
				rep.LEDUpdates.Add(1)
				var s counterStateMsg
				if json.Unmarshal(m.Payload(), &s) == nil && s.Ticket != nil {
					l.led.show(d.Counter, *s.Ticket, at)
				}
			}}
		case "hall_screen":
			count := func(mqtt.Client, mqtt.Message) { rep.ScreenMessages.Add(1) }
			do.Subs = map[string]mqtt.MessageHandler{h.t.allState(): count, h.t.announce(): count}
		case "rater":
			do.OnCmd = onCmdInto(ratersCmds[d.ID])
		}
		return do
	}, h.t)
	if err != nil {
		return nil, err
	}
	l.devs = devs
	defer closeAll(devs)
	if err := l.assign(logical); err != nil {
		return nil, err
	}
	if err := l.openCounters(ctx); err != nil {
		return nil, err
	}

	stop, stopRaters := context.WithCancel(ctx)
	defer stopRaters()
	var raters sync.WaitGroup
	for id, ch := range ratersCmds {
		r := newRater(devs[id], ch, newRand(o.Seed, hash(id)), DefaultBehaviour(), 10)
		r.rated = func(_ command, _ int, resp response, start time.Time, err error) {
			rep.Prompts.Add(1)
			if err != nil {
				rep.addError("rating.submit", errCode(err))
				return
			}
			rep.Rating.Add(resp.At.Sub(start))
			if resp.OK {
				rep.Ratings.Add(1)
			} else {
				rep.addError("rating.submit", resp.code())
			}
		}
		raters.Add(1)
		go func() { defer raters.Done(); r.run(stop) }()
	}

	var raw *rawProbe
	if o.BaselineUser != "" || o.BaselineAnonymous {
		if raw, err = dialRawProbe(ctx, o.Broker, o.BaselineUser, o.BaselinePass, rid, o.Timeout); err != nil {
			return nil, err
		}
		defer raw.close()
	} else {
		rep.BaselineRawNote = "not measured: the embedded broker lets devices use only their own topics; " +
			"with an external broker pass --baseline-user (or --baseline-anonymous)"
	}

	fmt.Fprintf(o.Out, "load: %d simulated devices on %d connections, ticket.take %.0f/s (%s), call.next %.0f/s, for %s\n",
		len(logical), len(conns), o.TakeRate, o.Profile, o.CallRate, o.Duration)
	l.measure(ctx, raw)
	if o.CPUBaseline && rep.HallqdCPU != nil && ctx.Err() == nil {
		rate := float64(rep.HallqdCPU.Requests) / rep.HallqdCPU.Wall.Seconds()
		fmt.Fprintf(o.Out, "cpu baseline: bare mochi QoS 1 round trip + group-committed journal append, %.0f requests/s for %s ...\n", rate, o.Duration)
		use, err := RunCPUBaseline(ctx, BaselineOptions{Clients: len(l.kiosks) + len(l.callers), Rate: rate,
			Duration: o.Duration, Timeout: o.Timeout, Seed: o.Seed})
		if err != nil {
			rep.CPUNote = err.Error()
		} else {
			rep.BaselineCPU = &use
		}
	}

	if o.FindMax {
		l.findMax(ctx)
	}
	stopRaters()
	raters.Wait()
	l.closeCounters(ctx)
	for _, d := range devs {
		rep.Strays += d.waiters.strays.Load()
	}
	rep.Elapsed = time.Since(began)
	return rep, nil
}

// hash is a small stable hash of s, to seed per-device random streams.
func hash(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// assign gives the logical devices their roles.
func (l *loadRun) assign(logical []config.Device) error {
	var kiosks []*Device
	counters := map[string]bool{}
	for _, d := range logical {
		switch d.Kind {
		case "kiosk":
			kiosks = append(kiosks, l.devs[d.ID])
		case "counter_display":
			counters[d.Counter] = true
		}
	}
	if len(kiosks) == 0 {
		return errors.New("no kiosk among the simulated devices: nothing can take tickets")
	}
	// With several kiosks, one only sends the baseline pings, so that they
	// do not queue behind that kiosk's own tickets.
	l.pinger, l.kiosks = kiosks[0], kiosks
	if l.distinct(kiosks) > 1 {
		var rest []*Device
		for _, k := range kiosks {
			if k != l.pinger {
				rest = append(rest, k)
			}
		}
		l.kiosks = rest
	}
	for _, d := range logical {
		if d.Kind == "caller" {
			l.callers = append(l.callers, loadCaller{dev: l.devs[d.ID], counter: d.Counter, hasLED: counters[d.Counter]})
		}
	}
	if len(l.callers) == 0 && l.o.CallRate > 0 {
		fmt.Fprintln(l.o.Out, "warning: no caller among the simulated devices: no calls")
	}
	return nil
}

// distinct counts the distinct connections in devs.
func (l *loadRun) distinct(devs []*Device) int {
	seen := map[*Device]bool{}
	for _, d := range devs {
		seen[d] = true
	}
	return len(seen)
}

// openCounters opens every simulated counter (CONTRACT §2 counter.open).
func (l *loadRun) openCounters(ctx context.Context) error {
	return l.eachCounter(func(i int, c loadCaller) error {
		r, _, err := c.dev.Request(ctx, "counter.open", map[string]any{"staff_id": l.h.staffFor(i, c.counter)})
		if err != nil {
			return fmt.Errorf("open counter %s: %w", c.counter, err)
		}
		if !r.OK {
			return fmt.Errorf("open counter %s: %w", c.counter, r.Error)
		}
		return nil
	})
}

// closeCounters closes them again at the end, best effort.
func (l *loadRun) closeCounters(ctx context.Context) {
	err := l.eachCounter(func(_ int, c loadCaller) error {
		r, _, err := c.dev.Request(ctx, "counter.close", nil)
		if err != nil {
			return fmt.Errorf("close counter %s: %w", c.counter, err)
		}
		if !r.OK {
			return fmt.Errorf("close counter %s: %w", c.counter, r.Error)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(l.o.Out, "warning:", err)
	}
}

// eachCounter runs fn once for each simulated counter (with its first
// caller), 32 at a time, and returns the first error.
func (l *loadRun) eachCounter(fn func(i int, c loadCaller) error) error {
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 32)
		mu    sync.Mutex
		first error
		done  = map[string]bool{}
	)
	for i, c := range l.callers {
		if done[c.counter] {
			continue
		}
		done[c.counter] = true
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(i, c); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// send runs fn as a request in flight unless MaxInFlight are; it reports
// whether it did.
func (l *loadRun) send(fn func()) bool {
	select {
	case l.inflight <- struct{}{}:
	default:
		return false
	}
	l.requests.Add(1)
	go func() {
		defer l.requests.Done()
		defer func() { <-l.inflight }()
		fn()
	}()
	return true
}

// takeArrivals is the ticket.take arrival process of the measured run.
func (l *loadRun) takeArrivals(rng *rand.Rand) Arrivals {
	if l.o.Profile == profileBusyDay {
		day := 9 * time.Hour
		return NewPiecewise(BusyDay(l.o.TakeRate/BusyDayPeak(), float64(day)/float64(l.o.Duration)), false, rng)
	}
	return NewPoisson(l.o.TakeRate, rng)
}

// takes drives ticket.take at the arrivals of a until ctx is done.
func (l *loadRun) takes(ctx, reqCtx context.Context, a Arrivals, rng *rand.Rand, st *TakeStats) {
	i := 0
	pace(ctx, a, time.Now(), func(time.Duration) {
		st.Offered.Add(1)
		args := map[string]any{"service": l.services.pick(rng)}
		if chance(rng, l.green) {
			args["channel"] = "green"
		}
		k := l.kiosks[i%len(l.kiosks)]
		i++
		if !l.send(func() { l.take(reqCtx, k, args, st) }) {
			st.NotSent.Add(1)
		}
	})
}

// take sends one ticket.take and records its outcome.
func (l *loadRun) take(ctx context.Context, k *Device, args map[string]any, st *TakeStats) {
	r, start, err := k.Request(ctx, "ticket.take", args)
	if err != nil {
		st.fail(errCode(err))
		return
	}
	st.Latency.Add(r.At.Sub(start))
	if !r.OK {
		st.fail(r.code())
		return
	}
	var t ticketMsg
	if err := json.Unmarshal(r.Result, &t); err != nil || t.Number == "" {
		st.fail("result without a number")
		return
	}
	st.ok(t.Number)
}

// calls drives call.next over the callers in turn until ctx is done.
func (l *loadRun) calls(ctx, reqCtx context.Context, rng *rand.Rand) {
	if len(l.callers) == 0 || l.o.CallRate <= 0 {
		return
	}
	i := 0
	pace(ctx, NewPoisson(l.o.CallRate, rng), time.Now(), func(time.Duration) {
		c := l.callers[i%len(l.callers)]
		i++
		if !l.send(func() { l.call(reqCtx, c) }) {
			l.rep.addError("call.next", "not sent (in-flight cap)")
		}
	})
}

// call sends one call.next and hands an ok answer to the LED tracker.
func (l *loadRun) call(ctx context.Context, c loadCaller) {
	r, start, err := c.dev.Request(ctx, "call.next", nil)
	if err != nil {
		l.rep.addError("call.next", errCode(err))
		return
	}
	l.rep.Call.Add(r.At.Sub(start))
	switch {
	case r.OK:
		l.rep.CallsOK.Add(1)
		var t ticketMsg
		if json.Unmarshal(r.Result, &t) != nil || t.Number == "" {
			l.rep.addError("call.next", "result without a number")
			return
		}
		if c.hasLED {
			l.led.called(c.counter, t.Number, start)
		}
	case r.code() == "queue_empty":
		l.rep.QueueEmpty.Add(1)
	default:
		l.rep.addError("call.next", r.code())
	}
}

// pings measures the bad_request baseline until ctx is done.
func (l *loadRun) pings(ctx, reqCtx context.Context, rng *rand.Rand) {
	pace(ctx, NewPoisson(l.o.BaselineRate, rng), time.Now(), func(time.Duration) {
		l.send(func() {
			r, start, err := l.pinger.Request(reqCtx, pingOp, nil)
			if err != nil || r.code() != "bad_request" {
				l.rep.BaselineOdd.Add(1)
				return
			}
			l.rep.BaselineRTT.Add(r.At.Sub(start))
		})
	})
}

// rawPings measures the raw pub/sub baseline until ctx is done.
func (l *loadRun) rawPings(ctx, reqCtx context.Context, p *rawProbe, rng *rand.Rand) {
	pace(ctx, NewPoisson(l.o.BaselineRate, rng), time.Now(), func(time.Duration) {
		l.send(func() {
			d, err := p.roundTrip(reqCtx)
			if err != nil {
				l.rep.BaselineOdd.Add(1)
				return
			}
			l.rep.BaselineRaw.Add(d)
		})
	})
}

// measure is the measured run: takes, calls and baselines together for
// Duration, then the wait for the requests in flight and the LED displays.
func (l *loadRun) measure(ctx context.Context, raw *rawProbe) {
	o := l.o
	phase, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var drivers sync.WaitGroup
	run := func(fn func()) {
		drivers.Add(1)
		go func() { defer drivers.Done(); fn() }()
	}
	run(func() { l.takes(phase, ctx, l.takeArrivals(newRand(o.Seed, 1)), newRand(o.Seed, 2), &l.rep.Take) })
	run(func() { l.calls(phase, ctx, newRand(o.Seed, 3)) })
	run(func() { l.pings(phase, ctx, newRand(o.Seed, 4)) })
	if raw != nil {
		run(func() { l.rawPings(phase, ctx, raw, newRand(o.Seed, 5)) })
	}
	run(func() { l.progress(phase) })
	var meter *cpuMeter
	answered0 := l.rep.Answered.Load()
	if o.HallqdPID > 0 {
		var err error
		if meter, err = startCPU(o.HallqdPID); err != nil {
			l.rep.CPUNote = err.Error()
		}
	}
	drivers.Wait()
	l.requests.Wait() // each request ends by its response, its timeout or ctx
	if meter != nil {
		if use, err := meter.stop(l.rep.Answered.Load() - answered0); err != nil {
			l.rep.CPUNote = err.Error()
		} else {
			l.rep.HallqdCPU = &use
		}
	}
	grace := time.NewTimer(5 * time.Second)
	defer grace.Stop()
	select { // the last calls' LED updates may still be on their way
	case <-l.led.drained():
	case <-grace.C:
	case <-ctx.Done():
	}
	l.rep.LEDMissed = l.led.missing()
}

// progress prints a line every 5 seconds until ctx is done.
func (l *loadRun) progress(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s := l.rep.Take.Latency.Summary()
			fmt.Fprintf(l.o.Out, "  %3.0fs  tickets %d ok / %d offered, in flight %d, take p99 %s, calls %d\n",
				now.Sub(start).Seconds(), l.rep.Take.OK.Load(), l.rep.Take.Offered.Load(), len(l.inflight),
				fmtDur(s.P99), l.rep.CallsOK.Load())
		}
	}
}

// findMax ramps ticket.take up in steps of Step, each 1.5 times the last,
// from the measured rate (halving first while that is not sustained), and
// records the highest rate that was sustained: at least 95% of the step's
// arrivals answered ok, at 95% of their rate or better counting the time
// to drain the step's requests, none timed out or dropped at the in-flight
// cap, and p99 within the SLO.
func (l *loadRun) findMax(ctx context.Context) {
	rate := max(l.o.TakeRate, 10)
	fmt.Fprintf(l.o.Out, "find-max: ramping ticket.take from %.0f/s in %s steps (sustained = 95%% ok, p99 <= %s)\n", rate, l.o.Step, l.o.SLO)
	for i := 0; i < 24 && ctx.Err() == nil; i++ {
		st := &TakeStats{}
		phase, cancel := context.WithTimeout(ctx, l.o.Step)
		start := time.Now()
		l.takes(phase, ctx, NewPoisson(rate, newRand(l.o.Seed, 100+uint64(i))), newRand(l.o.Seed, 200+uint64(i)), st)
		cancel()
		l.requests.Wait()
		elapsed := time.Since(start).Seconds() // the step and the drain of its requests
		s := st.Latency.Summary()
		failures := 0
		for _, n := range st.Failures {
			failures += n
		}
		offered, ok := float64(st.Offered.Load()), float64(st.OK.Load())
		step := RampStep{Offered: rate, Achieved: ok / elapsed, Summary: s, Failures: failures, NotSent: st.NotSent.Load()}
		step.Sustained = st.NotSent.Load() == 0 && st.Failures["timeout"] == 0 && ok >= 0.95*offered &&
			step.Achieved >= 0.95*offered/l.o.Step.Seconds() && s.P99 <= l.o.SLO
		l.rep.Ramp = append(l.rep.Ramp, step)
		fmt.Fprintf(l.o.Out, "  step %2d: offered %6.0f/s achieved %6.0f/s p50 %8s p99 %8s not sent %d failures: %s -> %s\n",
			i+1, step.Offered, step.Achieved, fmtDur(s.P50), fmtDur(s.P99), step.NotSent, fmtCounts(st.Failures), verdict(step.Sustained))
		switch {
		case step.Sustained:
			l.rep.MaxSustained = max(l.rep.MaxSustained, step.Achieved)
			rate *= 1.5
		case l.rep.MaxSustained == 0 && rate > 1:
			rate /= 2
		default:
			return
		}
	}
}

func verdict(ok bool) string {
	if ok {
		return "sustained"
	}
	return "NOT sustained"
}

// Print writes the report: the results table and the counts behind it.
func (r *LoadReport) Print(w io.Writer) {
	base, baseName := r.BaselineRTT.Summary(), "bad_request round trip (broker + hallq request decoding, no journal write)"
	if s := r.BaselineRaw.Summary(); s.N > 0 {
		base, baseName = s, "raw QoS 1 publish -> subscribe round trip on the same broker"
	}
	fmt.Fprintln(w)
	printTable(w, []row{
		{name: "ticket.take -> response", s: r.Take.Latency.Summary()},
		{name: "call.next -> response", s: r.Call.Summary()},
		{name: "call.next -> LED state/counters", s: r.CallToLED.Summary()},
		{name: "rating.submit -> response", s: r.Rating.Summary()},
		{name: "baseline: bad_request round trip", s: r.BaselineRTT.Summary()},
		{name: "baseline: raw pub -> sub", s: r.BaselineRaw.Summary(), note: r.BaselineRawNote},
	}, base, baseName)
	fmt.Fprintln(w)
	dups := r.Take.Duplicates()
	fmt.Fprintf(w, "devices: %d simulated on %d connections; connections lost: %d; stray responses: %d\n",
		r.Simulated, r.Connections, r.ConnectionsLost.Load(), r.Strays)
	fmt.Fprintf(w, "tickets: %d offered, %d ok (%d duplicate numbers), not sent (in-flight cap) %d, failures %s\n",
		r.Take.Offered.Load(), r.Take.OK.Load(), len(dups), r.Take.NotSent.Load(), fmtCounts(r.Take.Failures))
	fmt.Fprintf(w, "calls: %d ok, %d queue_empty, %d shown on the LED, %d never shown; LED updates %d, hall screen messages %d\n",
		r.CallsOK.Load(), r.QueueEmpty.Load(), r.CallToLED.Summary().N, r.LEDMissed, r.LEDUpdates.Load(), r.ScreenMessages.Load())
	fmt.Fprintf(w, "ratings: %d submitted, %d stored; other errors: %s; odd baseline answers: %d\n",
		r.Prompts.Load(), r.Ratings.Load(), fmtCounts(r.Errors), r.BaselineOdd.Load())
	if r.HallqdCPU != nil {
		fmt.Fprintf(w, "hallqd CPU: %s\n", r.HallqdCPU)
	}
	if r.BaselineCPU != nil {
		fmt.Fprintf(w, "baseline CPU (bare mochi QoS 1 round trip + group-committed journal append, same rate): %s\n", r.BaselineCPU)
		if b := r.BaselineCPU.PerRequest(); b > 0 && r.HallqdCPU != nil {
			fmt.Fprintf(w, "hallqd / baseline: %.2fx per request\n", r.HallqdCPU.PerRequest()/b)
		}
	}
	if r.CPUNote != "" {
		fmt.Fprintf(w, "CPU: %s\n", r.CPUNote)
	}
	if len(r.Ramp) > 0 {
		fmt.Fprintf(w, "find-max: highest sustained ticket.take rate %.0f/s (%d steps)\n", r.MaxSustained, len(r.Ramp))
	}
	fmt.Fprintf(w, "elapsed: %s\n", r.Elapsed.Round(time.Millisecond))
}

// fmtCounts prints counts by key, sorted, or "none".
func fmtCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, m[k])
	}
	return b.String()
}
