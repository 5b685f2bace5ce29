package mysql

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestTwoHallsOneDatabase replicates two halls, with the same services,
// counters and ticket numbers, into one database at the same time.
func TestTwoHallsOneDatabase(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "city")
	halls := []*testHall{
		openHall(t, t.TempDir(), newSpec("north"), newFakeClock()),
		openHall(t, t.TempDir(), newSpec("south"), newFakeClock()),
	}
	var reps []*Replicator
	var runs []*running
	var days []*day
	for i, th := range halls {
		r := newReplicator(t, th, dsn, nil)
		reps, runs = append(reps, r), append(runs, startRun(th, r))
		days = append(days, startDay(t, th, busyDayTickets()/2, uint64(10+i)))
	}
	var wg sync.WaitGroup
	for _, d := range days {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.kiosks.Wait()
			d.counters.Wait()
		}()
	}
	wg.Wait()
	for i, th := range halls {
		days[i].wait(t)
		waitCaughtUp(t, reps[i], th.J, 2*time.Minute)
		runs[i].stop()
		if err := reps[i].Sync(context.Background()); err != nil {
			t.Fatalf("final sync of %s: %v", th.Spec.HallID, err)
		}
	}
	for _, th := range halls {
		checkReplica(t, db, th)
	}

	// The same ticket id lives in both halls, side by side.
	var n int
	if err := db.QueryRow("SELECT COUNT(DISTINCT hall) FROM tickets WHERE ticket_id = '20261123-A001'").Scan(&n); err != nil || n != 2 {
		t.Errorf("halls with ticket 20261123-A001 = %d (%v), want 2", n, err)
	}
	for table, want := range map[string]int{"halls": 2, "services": 8, "counters": 16, "devices": 16, "staff": 16, "replication_cursors": 2} {
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil || n != want {
			t.Errorf("%s has %d rows (%v), want %d", table, n, err, want)
		}
	}
}
