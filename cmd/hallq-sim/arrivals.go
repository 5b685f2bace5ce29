package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Arrivals is a stream of arrival times, as offsets from the stream's start.
// Implementations are deterministic for a given random source.
type Arrivals interface {
	// Next returns the offset of the next arrival; it never decreases.
	// ok is false when the stream has ended.
	Next() (at time.Duration, ok bool)
}

// Segment is a stretch of constant arrival rate in a piecewise-constant
// (non-homogeneous) Poisson process.
type Segment struct {
	Length time.Duration // how long the rate holds
	Rate   float64       // arrivals per second
}

// Piecewise is a Poisson process whose rate is constant within each segment
// (a plain Poisson process is one endless segment). Arrivals are drawn exactly
// by inverting the cumulative rate: each gap is an Exp(1) draw of "rate-seconds"
// spent across as many segments as it takes, so a quiet segment costs nothing
// and no draws are thrown away (unlike thinning).
type Piecewise struct {
	segs   []Segment
	loop   bool // start over after the last segment
	rng    *rand.Rand
	seg    int           // current segment
	segAt  time.Duration // offset where the current segment began
	now    time.Duration // offset of the last arrival
	closed bool
}

// NewPoisson is an endless Poisson process of rate arrivals per second.
func NewPoisson(rate float64, rng *rand.Rand) *Piecewise {
	return &Piecewise{segs: []Segment{{Length: math.MaxInt64, Rate: rate}}, rng: rng}
}

// NewPiecewise is a Poisson process following segs once (loop false) or
// repeating them (loop true).
func NewPiecewise(segs []Segment, loop bool, rng *rand.Rand) *Piecewise {
	return &Piecewise{segs: segs, loop: loop, rng: rng}
}

// Next implements Arrivals.
func (p *Piecewise) Next() (time.Duration, bool) {
	if p.closed || len(p.segs) == 0 {
		return 0, false
	}
	need := p.rng.ExpFloat64() // rate-seconds until the next arrival
	t := p.now
	for {
		s := p.segs[p.seg]
		end := p.segAt + s.Length
		if s.Length == math.MaxInt64 {
			end = math.MaxInt64
		}
		if s.Rate > 0 {
			room := (end - t).Seconds() * s.Rate
			if end == math.MaxInt64 || need <= room {
				p.now = t + time.Duration(need/s.Rate*float64(time.Second))
				return p.now, true
			}
			need -= room
		}
		// move into the next segment
		p.seg++
		p.segAt = end
		t = end
		if p.seg == len(p.segs) {
			if !p.loop {
				p.closed = true
				return 0, false
			}
			p.seg = 0
		}
	}
}

// DayStart is when the busy-day profile starts, in hall-local time (08:30).
const DayStart = 8*time.Hour + 30*time.Minute

// busyDayHourly is the arrival profile of a large hall's busy day (DOMAIN:
// scale of one large centre): 20,000 tickets from 08:30 to 17:30, with a
// morning peak of 3,000 tickets in the 09:30-10:30 hour and a dip around lunch
// (the hall has no lunch break, but fewer people come). Tickets per hour, in
// order from 08:30.
func busyDayHourly() [9]float64 {
	return [9]float64{2400, 3000, 2800, 2000, 1500, 2200, 2400, 2100, 1600}
}

// BusyDayTotal is the number of tickets in the full busy-day profile.
const BusyDayTotal = 20000

// BusyDay returns the busy-day profile (DOMAIN: 20,000 tickets, 3,000 in the
// morning peak hour) scaled by scale (1 = the full hall) and compressed by
// speed (1 = real time, 60 = an hour per minute).
func BusyDay(scale, speed float64) []Segment {
	hourly := busyDayHourly()
	segs := make([]Segment, len(hourly))
	for i, n := range hourly {
		segs[i] = Segment{Length: time.Duration(float64(time.Hour) / speed), Rate: n / 3600 * scale * speed}
	}
	return segs
}

// BusyDayPeak is the peak-hour rate of the busy-day profile, per second.
func BusyDayPeak() float64 {
	peak := 0.0
	for _, n := range busyDayHourly() {
		peak = math.Max(peak, n/3600)
	}
	return peak
}

// pace calls fn at each arrival of a, in real time from start, until a ends
// or ctx is done. An arrival that comes due while fn is still running (or
// while the process was descheduled) is delivered late rather than dropped,
// so the count over a run is exactly the process's count; fn should hand the
// work to another goroutine when it must not delay the next arrival.
func pace(ctx context.Context, a Arrivals, start time.Time, fn func(at time.Duration)) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		at, ok := a.Next()
		if !ok {
			return nil
		}
		if wait := time.Until(start.Add(at)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		fn(at)
	}
}

// profileFlag names an arrival profile on the command line.
type profileFlag string

const (
	profileFlat    profileFlag = "flat"     // constant rate
	profileBusyDay profileFlag = "busy-day" // DOMAIN's busy day, compressed
)

// Set implements flag.Value.
func (p *profileFlag) Set(s string) error {
	switch profileFlag(s) {
	case profileFlat, profileBusyDay:
		*p = profileFlag(s)
		return nil
	}
	return fmt.Errorf("unknown profile %q (flat or busy-day)", s)
}

// String implements flag.Value.
func (p *profileFlag) String() string { return string(*p) }
