package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report"
	"github.com/hallq/hallq/report/fold"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store"
)

// envBenchMonth is how many tickets the month of BenchmarkReports holds
// (docs/benchmarks.md: 600,000, a month of a large hall).
const envBenchMonth = "HALLQ_BENCH_MONTH_TICKETS"

// largeSpec is a hall shaped like examples/large-hall.yaml: 22 services and
// 118 counters, two services each.
func largeSpec() *queue.Spec {
	sp := newSpec("large")
	sp.Services, sp.ServiceOrder = map[string]*queue.ServiceSpec{}, nil
	sp.Counters, sp.CounterOrder = map[string]*queue.CounterSpec{}, nil
	for i := 0; i < 22; i++ {
		id := fmt.Sprintf("svc%02d", i)
		sp.Services[id] = &queue.ServiceSpec{ID: id, Prefix: string(rune('A'+i%26)) + "", TargetWait: 30 * time.Minute,
			AvgService: 5 * time.Minute}
		sp.ServiceOrder = append(sp.ServiceOrder, id)
	}
	for i := 0; i < 118; i++ {
		id := fmt.Sprint(i + 1)
		sp.Counters[id] = &queue.CounterSpec{ID: id, Services: []string{sp.ServiceOrder[i%22], sp.ServiceOrder[(i+5)%22]}}
		sp.CounterOrder = append(sp.CounterOrder, id)
	}
	return sp
}

// monthEvents calls fn with each day's events of a month of n tickets in
// November 2026: issued, called, finished (90%) or no-show (5%) or expired,
// rated (60% of finished, dims on half) or unrated.
func monthEvents(sp *queue.Spec, n int, fn func(day string, evs []queue.Event)) {
	r := rand.New(rand.NewPCG(2026, 11))
	perDay := n / 30
	seq := int64(0)
	for d := 0; d < 30; d++ {
		day := time.Date(2026, 11, 1+d, 8, 30, 0, 0, sp.Location)
		var evs []queue.Event
		add := func(e queue.Event) {
			seq++
			e.Seq = seq
			evs = append(evs, e)
		}
		for i := 0; i < perDay; i++ {
			svc := sp.ServiceOrder[r.IntN(len(sp.ServiceOrder))]
			id := fmt.Sprintf("%s-%s%05d", day.Format("20060102"), sp.Services[svc].Prefix, i)
			at := day.Add(time.Duration(r.Float64() * 8 * float64(time.Hour)))
			est := r.IntN(3600)
			add(queue.Event{Kind: queue.EvTicketIssued, At: at, TicketID: id, Ticket: id[9:], Service: svc,
				Channel: queue.WalkIn, EstWaitS: &est})
			u := r.Float64()
			if u > 0.95 {
				add(queue.Event{Kind: queue.EvTicketExpired, At: day.Add(10 * time.Hour), TicketID: id})
				continue
			}
			ctr := sp.CounterOrder[r.IntN(len(sp.CounterOrder))]
			wait := r.IntN(2400)
			called := at.Add(time.Duration(wait)*time.Second + time.Duration(r.IntN(1000))*time.Millisecond)
			add(queue.Event{Kind: queue.EvTicketCalled, At: called, TicketID: id, Ticket: id[9:], Service: svc,
				Counter: ctr, StaffID: "s" + ctr, WaitedS: &wait})
			if u > 0.90 {
				add(queue.Event{Kind: queue.EvTicketNoShow, At: called.Add(time.Minute), TicketID: id, Counter: ctr})
				continue
			}
			served := 60 + r.IntN(600)
			fin := called.Add(time.Duration(served) * time.Second)
			add(queue.Event{Kind: queue.EvTicketFinished, At: fin, TicketID: id, Service: svc, Counter: ctr, ServedS: &served})
			if r.Float64() < 0.6 {
				lvl := 5 - min(4, int(r.ExpFloat64()))
				var dims map[string]int
				if r.IntN(2) == 0 {
					dims = map[string]int{"attitude": lvl, "efficiency": max(1, lvl-r.IntN(2))}
				}
				add(queue.Event{Kind: queue.EvRatingSubmitted, At: fin.Add(20 * time.Second), TicketID: id, Ticket: id[9:],
					Service: svc, Counter: ctr, StaffID: "s" + ctr, Level: lvl, Dims: dims})
			} else {
				add(queue.Event{Kind: queue.EvRatingUnrated, At: fin.Add(2 * time.Minute), TicketID: id})
			}
		}
		fn(day.Format("2006-01-02"), evs)
	}
}

// writeMonth folds the month day by day and writes the rows to db.
func writeMonth(tb testing.TB, db *sql.DB, d rowsql.Dialect, sp *queue.Spec, n int) {
	ctx := context.Background()
	monthEvents(sp, n, func(day string, evs []queue.Event) {
		p := fold.NewProjection()
		for i := range evs {
			p.Apply(&evs[i])
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if err := rowsql.Write(ctx, tx, d, sp.HallID, p); err != nil {
			tb.Fatalf("write %s: %v", day, err)
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	})
}

// BenchmarkReports measures the visits report and the sampling of one month
// of a large hall (600,000 tickets) from the local SQLite store and from
// MySQL, next to a bare scan of the same rows in the same run: the report
// from the tickets, the settling of the month's day rollups, and the report
// from them.
func BenchmarkReports(b *testing.B) {
	n := envInt(b, envBenchMonth, 600000)
	sp := largeSpec()
	ctx := context.Background()

	j, err := store.Open(b.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	start := time.Now()
	writeMonth(b, j.WriteDB(), rowsql.SQLite, sp, n)
	b.Logf("sqlite: %d tickets written in %v", n, time.Since(start).Round(time.Millisecond))

	mdb := testenv.StartMariaDB(b)
	mysqlDB := openDB(b, mdb.NewDatabase(b, "reports"))
	if err := Migrate(ctx, mysqlDB, zerolog.Nop()); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	writeMonth(b, mysqlDB, rowsql.MySQL, sp, n)
	b.Logf("mysql: %d tickets written in %v", n, time.Since(start).Round(time.Millisecond))

	for _, side := range []struct {
		name string
		src  *report.Source
	}{{"SQLite", report.NewSource(j.DB(), rowsql.SQLite, sp)}, {"MySQL", report.NewSource(mysqlDB, rowsql.MySQL, sp)}} {
		src := side.src
		b.Run(side.name+"/Scan", func(b *testing.B) {
			loopCPU(b, func() {
				rows, err := src.DB.QueryContext(ctx, "SELECT first_service, status, wait_us, service_us, finished_at,"+
					" transfers, rating, unrated FROM tickets WHERE hall = ? AND ticket_id >= ? AND ticket_id < ?"+
					" AND day >= ? AND day <= ?", sp.HallID, "20261101", "20261201", "2026-11-01", "2026-11-30")
				if err != nil {
					b.Fatal(err)
				}
				k := 0
				for rows.Next() {
					k++
				}
				rows.Close()
				if k != n/30*30 {
					b.Fatalf("scanned %d rows", k)
				}
			})
		})
		visits := func(by string) func() {
			return func() {
				rows, err := src.Visits(ctx, "2026-11-01", "2026-11-30", by)
				if err != nil || len(rows) == 0 {
					b.Fatal(rows, err)
				}
			}
		}
		// Before the days are settled: the report reads every ticket.
		b.Run(side.name+"/VisitsFromTickets/service", func(b *testing.B) { loopCPU(b, visits("service")) })
		// Settling the month's 30 closed days (what hallqd does in the
		// background, a day at a time, once each day closes).
		w := rowsql.Execer(mysqlDB)
		if side.name == "SQLite" {
			w = j.WriteDB()
		}
		b.Run(side.name+"/SettleMonth", func(b *testing.B) {
			loopCPU(b, func() {
				if _, err := w.ExecContext(ctx, "DELETE FROM report_rollups"); err != nil {
					b.Fatal(err)
				}
				days := 0
				for {
					n, err := src.Settle(ctx, w)
					if err != nil {
						b.Fatal(err)
					}
					if days += n; n == 0 {
						break
					}
				}
				if days != 30 {
					b.Fatalf("settled %d days", days)
				}
			})
		})
		for _, by := range []string{"service", "counter", "day", "hour"} {
			b.Run(side.name+"/Visits/"+by, func(b *testing.B) {
				loopCPU(b, func() {
					rows, err := src.Visits(ctx, "2026-11-01", "2026-11-30", by)
					if err != nil || len(rows) == 0 {
						b.Fatal(rows, err)
					}
				})
			})
		}
		b.Run(side.name+"/Sampling", func(b *testing.B) {
			loopCPU(b, func() {
				cs, err := src.Sampling(ctx, "2026-11", 7)
				if err != nil || len(cs) != 118 {
					b.Fatal(len(cs), err)
				}
			})
		})
	}
}

// cpuTime is the CPU time this process has used (user + system): on a shared
// machine it says what a report costs better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopCPU runs fn b.N times and reports the process CPU per op.
func loopCPU(b *testing.B, fn func()) {
	start := cpuTime()
	n := 0
	for b.Loop() {
		fn()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
}
