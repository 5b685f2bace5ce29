package admission

import (
	"strconv"
	"sync"
	"time"

	"github.com/hallq/hallq/queue"
)

// GreenCap caps green-channel (priority) tickets per kiosk in any minute
// (config limits.green_per_kiosk_per_min), so that one kiosk credential
// cannot flood the priority queue. One GreenCap is shared by the MQTT and
// HTTP sides, so a kiosk's two paths count together.
type GreenCap struct {
	max   int
	clock func() time.Time
	hit   func(device string) // metric hook; nil = none

	mu    sync.Mutex
	taken map[string][]time.Time // per kiosk, the last max grants, oldest first
}

// NewGreenCap allows max green tickets per kiosk per minute.
func NewGreenCap(max int, clock func() time.Time, hit func(device string)) *GreenCap {
	if clock == nil {
		clock = time.Now
	}
	return &GreenCap{max: max, clock: clock, hit: hit, taken: map[string][]time.Time{}}
}

// Take reserves one green ticket for device, or refuses rate_limited with
// the wait until one is free. undo gives the reservation back when the
// ticket was not issued. A nil GreenCap allows everything.
func (g *GreenCap) Take(device string) (undo func(), err *queue.Error) {
	if g == nil {
		return func() {}, nil
	}
	now := g.clock()
	g.mu.Lock()
	defer g.mu.Unlock()
	ts := g.taken[device]
	for len(ts) > 0 && now.Sub(ts[0]) >= time.Minute {
		ts = ts[1:]
	}
	if len(ts) >= g.max {
		g.taken[device] = ts
		if g.hit != nil {
			g.hit(device)
		}
		wait := max(MinRetryAfter, time.Minute-now.Sub(ts[0]))
		ms := int(wait / time.Millisecond)
		return nil, &queue.Error{Code: queue.RateLimited, RetryAfterMS: ms,
			Message: "绿色通道取号过于频繁，请稍后再试 green-channel tickets of this kiosk are over " + strconv.Itoa(g.max) + " a minute; retry after " + strconv.Itoa(ms) + " ms"}
	}
	ts = append(ts, now)
	g.taken[device] = ts
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		cur := g.taken[device]
		for i := len(cur) - 1; i >= 0; i-- {
			if cur[i].Equal(now) {
				g.taken[device] = append(cur[:i:i], cur[i+1:]...)
				return
			}
		}
	}, nil
}
