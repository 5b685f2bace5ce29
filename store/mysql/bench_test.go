package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// Benchmark knobs (docs/benchmarks-mysql.md).
const (
	envBenchTickets = "HALLQ_BENCH_TICKETS" // tickets in the journal the throughput and catch-up runs copy; default 5000
	envBenchRate    = "HALLQ_BENCH_RATE"    // commands per second in the steady-state run; default 100
	envBenchFor     = "HALLQ_BENCH_FOR"     // length of the steady-state run; default 10s
)

func envInt(tb testing.TB, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			tb.Fatalf("%s=%q: %v", name, s, err)
		}
		return n
	}
	return def
}

func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	if s := os.Getenv(name); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			tb.Fatalf("%s=%q: %v", name, s, err)
		}
		return d
	}
	return def
}

// BenchmarkMySQL measures replication against a MariaDB it starts: copy
// throughput next to a bare batched INSERT loop into the same server,
// catch-up after an outage, and the lag of a steadily loaded hall.
func BenchmarkMySQL(b *testing.B) {
	mdb := testenv.StartMariaDB(b)
	th := openHall(b, b.TempDir(), newSpec("north"), newFakeClock())
	start := time.Now()
	startDay(b, th, int64(envInt(b, envBenchTickets, 5000)), 42).wait(b)
	last, _ := th.J.DurableSeq()
	b.Logf("journal: %d events of a busy day, made in %v", last, time.Since(start).Round(time.Millisecond))
	dbs := 0
	newDB := func(tb testing.TB) (string, *sql.DB) {
		dbs++
		dsn := mdb.NewDatabase(tb, fmt.Sprintf("bench%d", dbs))
		return dsn, openDB(tb, dsn)
	}

	b.Run("Throughput", func(b *testing.B) {
		evs, reqs, proj := allEvents(b, th.J), allRequests(b, th.J), NewProjection()
		for i := range evs {
			e, _ := decodeEvent(evs[i].RawEvent)
			proj.Apply(&e)
		}
		var repl, bare, bareAll time.Duration
		for i := 0; i < b.N; i++ {
			dsn, db := newDB(b)
			_, allDB := newDB(b)
			for _, d := range []*sql.DB{db, allDB} {
				if err := Migrate(context.Background(), d, testLog(b)); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := db.Exec(bareDDL); err != nil {
				b.Fatal(err)
			}
			r := newReplicator(b, th, dsn, nil)
			if err := r.prepareForBench(); err != nil {
				b.Fatal(err)
			}
			runs := []func(){
				func() { repl += timeIt(b, func() error { return r.Sync(context.Background()) }) },
				func() { bare += timeIt(b, func() error { return bareInsert(db, evs, 500) }) },
				func() { bareAll += timeIt(b, func() error { return bareInsertAll(allDB, evs, reqs, proj) }) },
			}
			for k := range runs { // rotate the order: none always meets a cold server
				runs[(i+k)%len(runs)]()
			}
			if r.Cursor() != last {
				b.Fatalf("replicated up to %d of %d", r.Cursor(), last)
			}
		}
		n := float64(last) * float64(b.N)
		replRate, bareRate, allRate := n/repl.Seconds(), n/bare.Seconds(), n/bareAll.Seconds()
		b.ReportMetric(replRate, "repl_events/s")
		b.ReportMetric(bareRate, "bare_events/s")
		b.ReportMetric(bareRate/replRate, "bare/repl")
		b.ReportMetric(allRate/replRate, "bare_all/repl")
		b.Logf("replication %.0f events/s (events + projections + idempotency records, from the journal); "+
			"bare batched INSERT of the events %.0f events/s (ratio %.2f); bare batched INSERT of every row the copy leaves "+
			"(events, tickets, calls, ratings, sessions, requests) %.0f events/s (ratio %.2f)",
			replRate, bareRate, bareRate/replRate, allRate, allRate/replRate)
	})

	b.Run("CatchUp", func(b *testing.B) {
		var total, reconnect time.Duration
		for i := 0; i < b.N; i++ {
			dsn, _ := newDB(b)
			reg := prometheus.NewRegistry()
			var firstBatch time.Time
			var once sync.Once
			r := newReplicator(b, th, dsn, func(c *Config) {
				c.Registerer, c.MinBackoff, c.MaxBackoff = reg, 0, 0 // the defaults: 250 ms doubling to 10 s
				c.OnSync = func(int64) { once.Do(func() { firstBatch = time.Now() }) }
			})
			mdb.Kill()
			rn := startRun(th, r)
			testenv.Eventually(b, time.Minute, func() bool { return metricValue(b, reg, "hallq_mysql_replication_errors_total") >= 4 },
				"the replicator did not retry")
			mdb.Start(b)
			back := time.Now()
			waitCaughtUp(b, r, th.J, 5*time.Minute)
			total += time.Since(back)
			reconnect += firstBatch.Sub(back)
			rn.stop()
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "catchup_s")
		b.ReportMetric(reconnect.Seconds()/float64(b.N), "retry_wait_s")
		b.ReportMetric(float64(last)*float64(b.N)/(total-reconnect).Seconds(), "copy_events/s")
		b.Logf("backlog of %d events: caught up %.2f s after mysql was back (%.2f s of it waiting for the next retry)",
			last, total.Seconds()/float64(b.N), reconnect.Seconds()/float64(b.N))
	})

	b.Run("SteadyLag", func(b *testing.B) {
		rate, dur := envInt(b, envBenchRate, 100), envDuration(b, envBenchFor, 10*time.Second)
		var lags []time.Duration
		for i := 0; i < b.N; i++ {
			dsn, _ := newDB(b)
			lags = append(lags, steadyLag(b, dsn, rate, dur)...)
		}
		sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
		pct := func(p float64) time.Duration { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
		b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99_ms")
		b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max_ms")
		b.Logf("%d events at %d commands/s for %v: lag from durable in the journal to committed in mysql p50 %v p99 %v max %v",
			len(lags), rate, dur, pct(0.50), pct(0.99), lags[len(lags)-1])
	})
}

// prepareForBench migrates and writes the catalog, so Sync times the copy.
func (r *Replicator) prepareForBench() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.prepare(context.Background())
}

func timeIt(tb testing.TB, fn func() error) time.Duration {
	start := time.Now()
	if err := fn(); err != nil {
		tb.Fatal(err)
	}
	return time.Since(start)
}

// bareDDL is the baseline's table: the events table and nothing else.
const bareDDL = `CREATE TABLE bare_events (
	hall VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, kind VARCHAR(40) NOT NULL, at DATETIME(6) NOT NULL, data JSON NOT NULL,
	PRIMARY KEY (hall, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

type benchEvent struct {
	store.RawEvent
	at time.Time
}

// allEvents reads the whole journal into memory for the baseline.
func allEvents(tb testing.TB, j *store.Journal) []benchEvent {
	var out []benchEvent
	var after int64
	for {
		evs, err := j.RawEventsAfter(after, 5000)
		if err != nil {
			tb.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		for _, e := range evs {
			d, err := decodeEvent(e)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, benchEvent{e, d.At.UTC()})
		}
		after = evs[len(evs)-1].Seq
	}
}

// bareInsert is the baseline: the same events, already in memory, written
// with one multi-row INSERT per transaction of batch events.
func bareInsert(db *sql.DB, evs []benchEvent, batch int) error {
	return bareInsertInto(db, "bare_events", evs, batch)
}

// bareInsertInto writes evs into table, batch rows per transaction.
func bareInsertInto(db *sql.DB, table string, evs []benchEvent, batch int) error {
	for start := 0; start < len(evs); start += batch {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		w := newRows(table, []string{"hall", "seq", "kind", "at", "data"}, "")
		for _, e := range evs[start:min(start+batch, len(evs))] {
			w.add("north", e.Seq, e.Kind, e.at, string(e.Data))
		}
		if err := w.exec(context.Background(), tx); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// allRequests reads every idempotency record of the journal.
func allRequests(tb testing.TB, j *store.Journal) []store.Request {
	var out []store.Request
	if err := j.Requests(time.Unix(0, 0), func(q store.Request) { out = append(out, q) }); err != nil {
		tb.Fatal(err)
	}
	return out
}

// bareInsertAll is the second baseline: every row the copy ends up with
// (events, the final projection rows, idempotency records), already in
// memory, written with plain multi-row INSERTs in transactions of batch rows.
func bareInsertAll(db *sql.DB, evs []benchEvent, reqs []store.Request, p *Projection) error {
	if err := bareInsertInto(db, "events", evs, 500); err != nil {
		return err
	}
	ctx := context.Background()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := writeProjection(ctx, tx, "north", p); err != nil {
		return err
	}
	w := newRows("requests", []string{"hall", "source", "req_id", "at", "seq", "response"}, "")
	for _, q := range reqs {
		w.add("north", q.Source, q.ReqID, dbTime(q.At), q.Seq, validJSON(q.Response))
	}
	if err := w.exec(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// steadyLag runs a fresh hall at rate commands per second for dur with a
// replicator into dsn, and returns for every event the time from durable in
// the journal to committed in MySQL.
func steadyLag(b *testing.B, dsn string, rate int, dur time.Duration) []time.Duration {
	th := openHall(b, b.TempDir(), newSpec("north"), newFakeClock())
	type mark struct {
		seq int64
		at  time.Time
	}
	var mu sync.Mutex
	var durable, synced []mark
	th.Subscribe(func(bt hall.Batch) {
		now := time.Now()
		mu.Lock()
		durable = append(durable, mark{bt.Events[len(bt.Events)-1].Seq, now})
		mu.Unlock()
	})
	r := newReplicator(b, th, dsn, func(c *Config) {
		c.OnSync = func(cur int64) {
			now := time.Now()
			mu.Lock()
			synced = append(synced, mark{cur, now})
			mu.Unlock()
		}
	})
	if err := r.Sync(context.Background()); err != nil { // schema and catalog first
		b.Fatal(err)
	}
	rn := startRun(th, r)
	ctx := context.Background()
	for _, id := range th.Spec.CounterOrder {
		th.Do(ctx, hall.Request{Source: "bench", Cmd: queue.OpenCounter{Counter: id, StaffID: "s" + id}})
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	end := time.After(dur)
	svcs, ctrs := th.Spec.ServiceOrder, th.Spec.CounterOrder
	for n := 0; ; n++ {
		select {
		case <-end:
			tick.Stop()
			waitCaughtUp(b, r, th.J, time.Minute)
			rn.stop()
			mu.Lock()
			defer mu.Unlock()
			var lags []time.Duration
			prev, k := int64(0), 0
			for _, d := range durable {
				for k < len(synced) && synced[k].seq < d.seq {
					k++
				}
				if k == len(synced) {
					b.Fatalf("seq %d never reported synced", d.seq)
				}
				for range d.seq - prev {
					lags = append(lags, synced[k].at.Sub(d.at))
				}
				prev = d.seq
			}
			return lags
		case <-tick.C:
		}
		th.Clock.Advance(time.Second)
		if n%3 == 0 {
			th.Do(ctx, hall.Request{Source: "dev:kiosk-01", ReqID: fmt.Sprint("t", n), Cmd: queue.TakeTicket{Service: svcs[n%len(svcs)]}})
			continue
		}
		th.Do(ctx, hall.Request{Source: "bench", Cmd: queue.CallNext{Counter: ctrs[n%len(ctrs)]}})
	}
}
