package hall

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// settableClock is a wall clock a test sets.
type settableClock struct{ t atomic.Pointer[time.Time] }

func (c *settableClock) set(t time.Time) { c.t.Store(&t) }
func (c *settableClock) Now() time.Time  { return *c.t.Load() }

// TestClockStepBack: a clock stepped back across midnight, or a wrong (past)
// date at start-up, never reruns the day rollover: no number is issued
// twice, the day's waiting tickets are not expired, and ClockBehind says
// the clock is behind (docs/robustness.md). The probe saw 20261123-A001
// issued twice and 20261124-A001 three times.
func TestClockStepBack(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	loc := sp.Location
	clk := &settableClock{}
	open := func() (*Hall, *store.Journal) {
		j, err := store.Open(dir, sp.HallID, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close(); j.Close() })
		return h, j
	}
	ids := map[string]int{}
	take := func(t *testing.T, h *Hall) queue.TicketResult {
		t.Helper()
		rep := do(t, h, "test", "", queue.TakeTicket{Service: "social"})
		if !rep.OK {
			t.Fatalf("take: %v", rep.Error)
		}
		var r queue.TicketResult
		json.Unmarshal(rep.Result, &r)
		if ids[r.TicketID]++; ids[r.TicketID] > 1 {
			t.Fatalf("ticket id %s issued twice", r.TicketID)
		}
		return r
	}
	clk.set(time.Date(2026, 11, 23, 23, 58, 0, 0, loc))
	h, j := open()
	take(t, h) // 2026-11-23-A001
	clk.set(time.Date(2026, 11, 24, 0, 1, 0, 0, loc))
	first := take(t, h) // the new day: A001 again, a new id
	if got, want := first.Number, "A001"; got != want {
		t.Fatalf("first ticket of the new day %s, want %s", got, want)
	}
	t.Run("OKStepBackAcrossMidnight", func(t *testing.T) {
		clk.set(time.Date(2026, 11, 23, 23, 59, 0, 0, loc))
		r := take(t, h)
		if r.Number != "A002" || r.TicketID != first.TicketID[:len(first.TicketID)-4]+"A002" {
			t.Errorf("after the step back got %s (%s), want A002 of the same day as %s", r.Number, r.TicketID, first.TicketID)
		}
		if h.ClockBehind() <= 0 {
			t.Errorf("ClockBehind = %v, want the step", h.ClockBehind())
		}
		if got := h.View().Services[0].Waiting; got != 2 {
			t.Errorf("waiting %d, want 2: the day's tickets must not expire", got)
		}
	})
	t.Run("OKWrongDateAtStartUp", func(t *testing.T) {
		h.Close()
		j.Close()
		clk.set(time.Date(2026, 11, 20, 9, 0, 0, 0, loc)) // days back
		h, _ = open()
		r := take(t, h)
		if r.Number != "A003" {
			t.Errorf("after a start-up with a past date got %s (%s), want A003", r.Number, r.TicketID)
		}
		if h.ClockBehind() <= 0 {
			t.Errorf("ClockBehind = %v after a start-up with a past date", h.ClockBehind())
		}
	})
	t.Run("OKClockCatchesUp", func(t *testing.T) {
		clk.set(time.Date(2026, 11, 24, 9, 0, 0, 0, loc))
		r := take(t, h)
		if r.Number != "A004" || h.ClockBehind() != 0 {
			t.Errorf("got %s, behind %v; want A004 and 0", r.Number, h.ClockBehind())
		}
		evs, err := h.EventsAfter(0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		days, expired := 0, 0
		for i, e := range evs {
			if i > 0 && e.At.Before(evs[i-1].At) {
				t.Errorf("event %d at %v before event %d at %v", e.Seq, e.At, evs[i-1].Seq, evs[i-1].At)
			}
			switch e.Kind {
			case queue.EvDayStarted:
				days++
			case queue.EvTicketExpired:
				expired++
			}
		}
		if days != 2 || expired != 1 {
			t.Errorf("%d days started and %d tickets expired, want 2 and 1", days, expired)
		}
	})
}
