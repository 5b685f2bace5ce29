package hall

import (
	"time"
)

// now is the hall's clock for deciding: the wall clock, but never earlier
// than the last durable event. A clock stepped back (or a wrong date at
// start-up) does not take the business day or any event time back; while
// it is behind, the hall logs it once, sets hallq_clock_behind_seconds and
// ClockBehind says so for /readyz. Runs on the writer goroutine.
func (h *Hall) now() time.Time {
	now := h.clock()
	if now.Before(h.lastAt) {
		behind := h.lastAt.Sub(now)
		if h.behind.Swap(int64(behind)) == 0 {
			h.log.Warn().Time("clock", now).Time("last_event", h.lastAt).Dur("behind", behind).
				Msg("the clock is behind the journal's last event; the hall keeps the last event's time until it catches up 系统时钟回拨")
		}
		if h.m != nil && h.m.ClockBehind != nil {
			h.m.ClockBehind.Set(behind.Seconds())
		}
		return h.lastAt
	}
	if h.behind.Swap(0) != 0 {
		h.log.Info().Time("clock", now).Msg("the clock has caught up with the journal 系统时钟已恢复")
		if h.m != nil && h.m.ClockBehind != nil {
			h.m.ClockBehind.Set(0)
		}
	}
	return now
}

// ClockBehind is how far the wall clock was behind the journal's last event
// at the hall's last look (0 when it is not).
func (h *Hall) ClockBehind() time.Duration { return time.Duration(h.behind.Load()) }

// Now is the hall's clock (hall-local time): what its rules are decided at.
func (h *Hall) Now() time.Time { return h.clock() }
