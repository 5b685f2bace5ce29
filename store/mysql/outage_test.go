package mysql

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hallq/hallq/internal/testenv"
)

// outageDuration is how long TestReplicateThroughOutage keeps MariaDB down:
// HALLQ_OUTAGE (a Go duration, e.g. 60s as in the issue), default 5s.
func outageDuration(t *testing.T) time.Duration {
	if s := os.Getenv("HALLQ_OUTAGE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("HALLQ_OUTAGE=%q: %v", s, err)
		}
		return d
	}
	return 5 * time.Second
}

// TestReplicateThroughOutage kills MariaDB in the middle of a busy day. The
// hall keeps issuing and calling tickets; once MariaDB is back the replicator
// catches up and MySQL holds every event exactly once, with the same
// projections as the journal.
func TestReplicateThroughOutage(t *testing.T) {
	noLeaks(t)
	mdb, db, dsn := mariaDB(t, "outage")
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	r := newReplicator(t, th, dsn, nil)
	rn := startRun(th, r)
	d := startDay(t, th, 1<<40, 2) // until stopped
	defer d.stop()

	testenv.Eventually(t, time.Minute, func() bool { return r.Cursor() > 2000 && r.Ready() == nil }, "replication did not get going")
	mdb.Kill()
	killed := time.Now()
	before := d.issued.Load()
	outage := time.NewTimer(outageDuration(t))
	testenv.Eventually(t, 30*time.Second, func() bool { return r.Ready() != nil }, "readiness did not notice mysql is down")
	t.Logf("mysql down: %v", r.Ready())
	<-outage.C // the outage lasts this long, whatever the load does
	testenv.Eventually(t, 30*time.Second, func() bool { return d.issued.Load() > before+200 }, "the hall stopped issuing tickets while mysql was down")
	lagEvents, lagAge := r.Lag()
	if lagEvents == 0 {
		t.Fatal("no lag while mysql was down")
	}
	during := d.issued.Load() - before
	mdb.Start(t)
	restarted := time.Now()
	after := d.issued.Load()
	testenv.Eventually(t, 30*time.Second, func() bool { return d.issued.Load() > after+200 }, "the hall stopped issuing tickets after mysql came back")
	d.stop()
	d.wait(t)
	waitCaughtUp(t, r, th.J, 3*time.Minute)
	caughtUp := time.Since(restarted)
	testenv.Eventually(t, 30*time.Second, func() bool { return r.Ready() == nil }, "readiness did not recover")
	rn.stop()
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	last, _ := th.J.DurableSeq()
	t.Logf("outage %v: %d tickets issued while down, lag peaked at >= %d events (%v of hall time); caught up %v after restart; %d events in all",
		restarted.Sub(killed).Round(time.Millisecond), during, lagEvents, lagAge.Round(time.Second), caughtUp.Round(time.Millisecond), last)
	checkReplica(t, db, th)
}
