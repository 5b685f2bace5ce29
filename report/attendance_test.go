package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestAttendance checks the attendance rows (issue 11): a stint from
// sign-in to the handover or the close, the handovers in and out (AB岗), the
// counters worked, and a stint still open (no sign-out, minutes until now).
func TestAttendance(t *testing.T) {
	sp := testSpec()
	day := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	var evs []queue.Event
	add := func(min int, e queue.Event) {
		e.Seq, e.At = int64(len(evs)+1), day.Add(time.Duration(min)*time.Minute)
		evs = append(evs, e)
	}
	// Counter 1: s1 opens at 9:00, s2 takes over at 10:00, s1 back at 11:30, closed at 12:00.
	add(0, queue.Event{Kind: queue.EvCounterOpened, Counter: "1", StaffID: "s1"})
	add(0, queue.Event{Kind: queue.EvStaffSignedIn, Counter: "1", StaffID: "s1"})
	add(60, queue.Event{Kind: queue.EvStaffSignedIn, Counter: "1", StaffID: "s2", FromStaff: "s1"})
	add(150, queue.Event{Kind: queue.EvStaffSignedIn, Counter: "1", StaffID: "s1", FromStaff: "s2"})
	add(180, queue.Event{Kind: queue.EvCounterClosed, Counter: "1"})
	// Counter 2: s1 opens at 13:00, closed at 13:30.
	add(240, queue.Event{Kind: queue.EvCounterOpened, Counter: "2", StaffID: "s1"})
	add(240, queue.Event{Kind: queue.EvStaffSignedIn, Counter: "2", StaffID: "s1"})
	add(270, queue.Event{Kind: queue.EvCounterClosed, Counter: "2"})
	// Counter 3: s3 opens at 16:00 and is still there.
	add(420, queue.Event{Kind: queue.EvCounterOpened, Counter: "3", StaffID: "s3"})
	add(420, queue.Event{Kind: queue.EvStaffSignedIn, Counter: "3", StaffID: "s3"})
	src := mustSource(t, sp, evs)
	now := day.Add(450 * time.Minute)
	rows, err := src.Attendance(context.Background(), "2026-11-23", "2026-11-23", now)
	if err != nil || len(rows) != 3 {
		t.Fatalf("attendance: %+v, %v", rows, err)
	}
	s := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	want := []struct {
		staff, first, last, counters string
		minutes                      float64
		in, out                      int
	}{
		{"s1", "2026-11-23T09:00:00+08:00", "2026-11-23T13:30:00+08:00", "1,2", 60 + 30 + 30, 1, 1},
		{"s2", "2026-11-23T10:00:00+08:00", "2026-11-23T11:30:00+08:00", "1", 90, 1, 1},
		{"s3", "2026-11-23T16:00:00+08:00", "null", "3", 30, 0, 0},
	}
	for i, w := range want {
		r := rows[i]
		if r.Day != "2026-11-23" || r.StaffID != w.staff || s(r.FirstSignIn) != w.first || s(r.LastSignOut) != w.last ||
			r.Counters != w.counters || r.Minutes != w.minutes || r.HandoversIn != w.in || r.HandoversOut != w.out {
			t.Errorf("row %d = %+v (first %s, last %s), want %+v", i, r, s(r.FirstSignIn), s(r.LastSignOut), w)
		}
	}
	if rows, _ := src.Attendance(context.Background(), "2026-11-24", "2026-11-24", now); len(rows) != 0 {
		t.Errorf("a day without sign-ins has rows: %+v", rows)
	}
	if _, err := src.Attendance(context.Background(), "2026-11-24", "2026-11-23", now); err == nil {
		t.Error("from after to accepted")
	}
	var b bytes.Buffer
	if err := AttendanceTable(rows).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != "\uFEFF"+strings.Join(AttendanceHeader, ",") || len(lines) != 4 ||
		lines[3] != "2026-11-23,s3,2026-11-23T16:00:00+08:00,,30,3,0,0" {
		t.Errorf("csv:\n%s", b.String())
	}
}
