package queue

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestRolloverOnlyForward: a rollover happens only to a later business day;
// a clock stepped back across midnight, or any earlier time, gives none
// (docs/robustness.md: numbers would be issued again).
func TestRolloverOnlyForward(t *testing.T) {
	sp := testSpec()
	s := NewState(sp)
	day1 := time.Date(2026, 11, 23, 23, 59, 0, 0, sp.Location)
	apply := func(evs []Event) {
		for i := range evs {
			evs[i].Seq = s.Seq + 1
			Apply(s, &evs[i])
		}
	}
	apply(Rollover(s, day1))
	apply(Rollover(s, day1.Add(2*time.Minute)))
	if got, want := s.Day, "2026-11-24"; got != want {
		t.Fatalf("day %s, want %s", got, want)
	}
	rapid.Check(t, func(rt *rapid.T) {
		back := time.Duration(rapid.Int64Range(1, int64(400*24*time.Hour)).Draw(rt, "back"))
		if evs := Rollover(s, day1.Add(2*time.Minute-back)); evs != nil {
			rt.Fatalf("rollover %v back: %v", back, evs)
		}
	})
}
