package report

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hallq/hallq/queue"
)

// TestAttendanceTotals checks, over random days of counters opened, handed
// over (AB岗) and closed, that the stints cover each session exactly: the
// minutes of all rows sum to the sessions' open time, every handover is one
// in and one out, and nobody is still signed in once every counter closed.
func TestAttendanceTotals(t *testing.T) {
	sp := testSpec()
	base := t.TempDir()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		day := time.Date(2026, 11, 23, 8, 0, 0, 0, sp.Location)
		var evs []queue.Event
		add := func(at time.Time, e queue.Event) {
			e.Seq, e.At = int64(len(evs)+1), at
			evs = append(evs, e)
		}
		var open time.Duration
		handovers := 0
		staff := []string{"s1", "s2", "s3"}
		for _, ctr := range []string{"1", "2"} {
			at := day
			for k := rapid.IntRange(0, 2).Draw(t, "sessions"); k > 0; k-- {
				at = at.Add(time.Duration(rapid.IntRange(1, 120).Draw(t, "gap")) * time.Minute)
				who := rapid.SampledFrom(staff).Draw(t, "staff")
				add(at, queue.Event{Kind: queue.EvCounterOpened, Counter: ctr, StaffID: who})
				add(at, queue.Event{Kind: queue.EvStaffSignedIn, Counter: ctr, StaffID: who})
				start := at
				for h := rapid.IntRange(0, 3).Draw(t, "handovers"); h > 0; h-- {
					at = at.Add(time.Duration(rapid.IntRange(0, 90*60).Draw(t, "stint")) * time.Second)
					next := rapid.SampledFrom(staff).Draw(t, "next")
					if next == who {
						continue
					}
					add(at, queue.Event{Kind: queue.EvStaffSignedIn, Counter: ctr, StaffID: next, FromStaff: who})
					who = next
					handovers++
				}
				at = at.Add(time.Duration(rapid.IntRange(1, 90*60).Draw(t, "last")) * time.Second)
				add(at, queue.Event{Kind: queue.EvCounterClosed, Counter: ctr})
				open += at.Sub(start)
			}
		}
		src, closeFn := openSource(t, fmt.Sprintf("%s/%d", base, n), sp, evs)
		defer closeFn()
		rows, err := src.Attendance(context.Background(), "2026-11-23", "2026-11-23", day.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var minutes float64
		in, out := 0, 0
		for _, r := range rows {
			minutes += r.Minutes
			in += r.HandoversIn
			out += r.HandoversOut
			if r.FirstSignIn == nil || r.LastSignOut == nil {
				t.Fatalf("row %+v: a sign-in or sign-out missing after every counter closed", r)
			}
		}
		if math.Abs(minutes-open.Minutes()) > 0.005*float64(len(rows))+1e-9 {
			t.Fatalf("minutes %v, sessions open %v min", minutes, open.Minutes())
		}
		if in != handovers || out != handovers {
			t.Fatalf("handovers in %d, out %d, want %d", in, out, handovers)
		}
	})
}
