package mysql

import (
	"context"
	"testing"
	"time"
)

// busyDayTickets is the size of the busy-day tests' day (1,000 with -short).
func busyDayTickets() int64 {
	if testing.Short() {
		return 1000
	}
	return 5000
}

// TestReplicateBusyDay replicates a busy day of a real hall while it runs.
func TestReplicateBusyDay(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "busy")
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	r := newReplicator(t, th, dsn, nil)
	rn := startRun(th, r)
	start := time.Now()
	d := startDay(t, th, busyDayTickets(), 1)
	d.wait(t)
	last, _ := th.J.DurableSeq()
	t.Logf("day: %d events in %v: %s", last, time.Since(start).Round(time.Millisecond), kindsLine(countKinds(t, th.J)))
	waitCaughtUp(t, r, th.J, 2*time.Minute)
	rn.stop()
	if n, age := r.Lag(); n != 0 || age != 0 {
		t.Errorf("lag after catching up = %d events, %v", n, age)
	}
	if err := r.Ready(); err != nil {
		t.Errorf("ready after catching up: %v", err)
	}
	// The final Sync also copies idempotency records answered after the
	// last event.
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkReplica(t, db, th)
	t.Run("DocReports", func(t *testing.T) { checkReports(t, db, th.Spec.HallID) })
}
