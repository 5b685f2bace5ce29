package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/internal/testenv"
)

// TestMySQLDown checks that an unreachable MySQL never blocks or fails
// anything but the copy: Sync fails fast, readiness and metrics say so, the
// password stays out of every message, and Run stops when told.
func TestMySQLDown(t *testing.T) {
	noLeaks(t)
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	d := startDay(t, th, 50, 4)
	d.wait(t)
	const secret = "s3cret-pw"
	dsn := fmt.Sprintf("hallq:%s@tcp(127.0.0.1:%d)/hallq?parseTime=true", secret, testenv.FreePort(t))
	reg := prometheus.NewRegistry()
	r := newReplicator(t, th, dsn, func(c *Config) { c.Registerer = reg })

	start := time.Now()
	err := r.Sync(context.Background())
	if err == nil {
		t.Fatal("sync to a closed port succeeded")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("sync to a closed port took %v", took)
	}
	ready := r.Ready()
	if ready == nil {
		t.Fatal("ready while mysql is unreachable")
	}
	for _, s := range []string{err.Error(), ready.Error(), Redact(dsn), Describe(dsn)} {
		if strings.Contains(s, secret) {
			t.Errorf("password in %q", s)
		}
	}
	last, _ := th.J.DurableSeq()
	if n, _ := r.Lag(); n != last {
		t.Errorf("lag before any contact = %d, want every event (%d)", n, last)
	}
	if got := metricValue(t, reg, "hallq_mysql_replication_lag_events"); got != float64(last) {
		t.Errorf("hallq_mysql_replication_lag_events = %v, want %d", got, last)
	}
	if got := metricValue(t, reg, "hallq_mysql_replication_errors_total"); got < 1 {
		t.Errorf("hallq_mysql_replication_errors_total = %v", got)
	}

	// Run retries in the background and stops at once when cancelled.
	rn := startRun(th, r)
	testenv.Eventually(t, 10*time.Second, func() bool { return metricValue(t, reg, "hallq_mysql_replication_errors_total") >= 3 },
		"run did not retry")
	rn.stop()
}

// TestDiverged checks that a replicator refuses to mix two histories of one
// hall: a journal started afresh (data dir lost, not restored) must not
// overwrite what MySQL holds.
func TestDiverged(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "diverged")
	sp := newSpec("north")
	first := openHall(t, t.TempDir(), sp, newFakeClock())
	startDay(t, first, 100, 5).wait(t)
	if err := newReplicator(t, first, dsn, nil).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	var before int
	db.QueryRow("SELECT COUNT(*) FROM events").Scan(&before)

	t.Run("Shorter", func(t *testing.T) {
		th := openHall(t, t.TempDir(), sp, newFakeClock())
		startDay(t, th, 10, 6).wait(t)
		err := newReplicator(t, th, dsn, nil).Sync(context.Background())
		if !errors.Is(err, ErrDiverged) {
			t.Fatalf("sync of a shorter journal: %v, want ErrDiverged", err)
		}
	})
	t.Run("Different", func(t *testing.T) {
		clk := newFakeClock()
		clk.Advance(time.Hour)
		th := openHall(t, t.TempDir(), sp, clk)
		startDay(t, th, 300, 7).wait(t)
		err := newReplicator(t, th, dsn, nil).Sync(context.Background())
		if !errors.Is(err, ErrDiverged) {
			t.Fatalf("sync of another history: %v, want ErrDiverged", err)
		}
	})
	var after int
	db.QueryRow("SELECT COUNT(*) FROM events").Scan(&after)
	if after != before {
		t.Fatalf("events went from %d to %d", before, after)
	}
}

// TestCopyAgain rewinds the MySQL cursor to 0 and copies the whole journal
// again: events stay exactly once and every report row stays as it was.
func TestCopyAgain(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "again")
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	startDay(t, th, 500, 8).wait(t)
	if err := newReplicator(t, th, dsn, func(c *Config) { c.BatchSize = 97 }).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkReplica(t, db, th)
	if _, err := db.Exec("UPDATE replication_cursors SET seq = 0, req_at = 0"); err != nil {
		t.Fatal(err)
	}
	if err := newReplicator(t, th, dsn, func(c *Config) { c.BatchSize = 211 }).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkReplica(t, db, th)
}

// TestTwoReplicatorsOneHall runs two replicators of the same hall at once
// (a misconfiguration): the cursor lock keeps every event exactly once.
func TestTwoReplicatorsOneHall(t *testing.T) {
	noLeaks(t)
	_, db, dsn := mariaDB(t, "twice")
	th := openHall(t, t.TempDir(), newSpec("north"), newFakeClock())
	startDay(t, th, 500, 9).wait(t)
	var wg sync.WaitGroup
	reps := []*Replicator{
		newReplicator(t, th, dsn, func(c *Config) { c.BatchSize = 50 }),
		newReplicator(t, th, dsn, func(c *Config) { c.BatchSize = 70 }),
	}
	last, _ := th.J.DurableSeq()
	for _, r := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r.Cursor() < last {
				r.Sync(context.Background()) // one of them loses now and then
			}
		}()
	}
	wg.Wait()
	checkReplica(t, db, th)
}

// metricValue reads one counter or gauge from reg.
func metricValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
