package hall

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// benchSpec is the test hall without quotas.
func benchSpec(tb testing.TB) *queue.Spec { return testSpec(tb) }

// bareLoop measures the baseline: a bare SQLite WAL insert loop with the same
// fsync policy (synchronous=FULL) committing rows in batches of batch.
func bareLoop(tb testing.TB, rows, batch int) time.Duration {
	dir := tb.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bare.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.Exec("CREATE TABLE t (seq INTEGER PRIMARY KEY, data BLOB)")
	payload := []byte(`{"kind":"ticket.issued","at":"2026-11-23T09:00:00+08:00","ticket_id":"20261123-A001","ticket":"A001","n":1,"service":"social","channel":"walk_in","waiting_ahead":0,"est_wait_s":0}`)
	start := time.Now()
	for seq := 1; seq <= rows; {
		tx, _ := db.Begin()
		for i := 0; i < batch && seq <= rows; i++ {
			tx.Exec("INSERT INTO t VALUES (?, ?)", seq, payload)
			seq++
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkDurableTickets issues tickets from many concurrent clients, each
// waiting for its durable reply, and compares the rate with a bare batched
// SQLite loop of the same batch size measured in the same run.
//
//	go test ./hall -run x -bench DurableTickets -benchtime 20000x
func BenchmarkDurableTickets(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h, _ := MustOpenHall(b, b.TempDir(), benchSpec(b))
			var next atomic.Int64
			var batches atomic.Int64
			h.Subscribe(func(Batch) { batches.Add(1) })
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if rep := h.Do(context.Background(), Request{Cmd: queue.TakeTicket{Service: "social"}}); !rep.OK {
							b.Error(rep.Error)
							return
						}
					}
				}()
			}
			wg.Wait()
			took := time.Since(start)
			b.StopTimer()
			avgBatch := float64(b.N) / float64(max(1, batches.Load()))
			bare := bareLoop(b, b.N, max(1, int(avgBatch+0.5)))
			rate, bareRate := float64(b.N)/took.Seconds(), float64(b.N)/bare.Seconds()
			b.ReportMetric(rate, "tickets/s")
			b.ReportMetric(avgBatch, "cmds/commit")
			b.ReportMetric(bareRate, "bare-rows/s")
			b.ReportMetric(bareRate/rate, "bare/hallq")
		})
	}
}

// TestLatencyAtRate is a measurement, not an assertion: it issues tickets at
// a fixed rate (open loop) and prints p50/p99 beside one bare commit's.
// Run: HALLQ_BENCH=1 go test ./hall -run LatencyAtRate -v
func TestLatencyAtRate(t *testing.T) {
	if os.Getenv("HALLQ_BENCH") == "" {
		t.Skip("a measurement; set HALLQ_BENCH=1 to run")
	}
	rate, secs := 1000, 12 // 12,000 events: one periodic snapshot falls inside
	h, _ := MustOpenHall(t, t.TempDir(), benchSpec(t))
	lat := make([]time.Duration, rate*secs)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range lat {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			start := time.Now()
			h.Do(context.Background(), Request{Cmd: queue.TakeTicket{Service: "social"}})
			lat[i] = time.Since(start)
		}(i)
	}
	tick.Stop()
	wg.Wait()
	bare := make([]time.Duration, 500)
	for i := range bare {
		bare[i] = bareLoop(t, 1, 1)
	}
	t.Logf("ticket.take at %d/s: p50 %v p99 %v max %v | bare single-row commit: p50 %v p99 %v | p99 ratio %.2f",
		rate, pct(lat, 50), pct(lat, 99), pct(lat, 100), pct(bare, 50), pct(bare, 99), float64(pct(lat, 99))/float64(pct(bare, 99)))
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s) - 1) * p / 100
	return s[i]
}

// TestRecoveryOfBusyDay builds a 20,000-ticket day (issue, call, start,
// finish, rate) and measures start-up replay time and memory.
// Run: HALLQ_BENCH=1 go test ./hall -run RecoveryOfBusyDay -v
func TestRecoveryOfBusyDay(t *testing.T) {
	if os.Getenv("HALLQ_BENCH") == "" {
		t.Skip("a measurement; set HALLQ_BENCH=1 to run")
	}
	dir, sp := t.TempDir(), benchSpec(t)
	if keep := os.Getenv("HALLQ_BENCH_DIR"); keep != "" {
		dir = keep // keep the day to start a real hallqd on it
	}
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 23, 8, 30, 0, 0, sp.Location)
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []string{"1", "2", "3"} {
		h.Do(ctx, Request{Cmd: queue.OpenCounter{Counter: c}})
	}
	for i := 0; i < 20000; i++ {
		svc := "social"
		if i%2 == 1 {
			svc = "housing"
		}
		h.Do(ctx, Request{Cmd: queue.TakeTicket{Service: svc}})
		c := strconv.Itoa(1 + i%3)
		if i >= 30 {
			h.Do(ctx, Request{Cmd: queue.CallNext{Counter: c}})
			h.Do(ctx, Request{Cmd: queue.StartServing{Counter: c}})
			h.Do(ctx, Request{Cmd: queue.Finish{Counter: c}})
			h.Do(ctx, Request{Cmd: queue.SubmitRating{Counter: c, Level: 5}})
		}
	}
	seq := h.View().Seq
	h.Close()
	j.Close()

	measure := func(label string) {
		runtime.GC()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := time.Now()
		j, err := store.Open(dir, sp.HallID, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		snapStart := time.Now()
		if _, err := encodeSnapshot(h.state, 0); err != nil {
			t.Fatal(err)
		}
		snapTook := time.Since(snapStart)
		runtime.GC()
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		t.Logf("%s: %d events, %d tickets recovered in %v; heap in use %.1f MB; process RSS %s; encoding a snapshot takes %v",
			label, seq, len(h.state.Tickets), took, float64(m1.HeapInuse)/1e6, rss(), snapTook)
		h.Close()
		j.Close()
	}
	dropSnapshots := func(sql string) {
		j, err := store.Open(dir, sp.HallID, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		j.WriteDB().Exec(sql)
		j.Close()
	}
	dropSnapshots("DELETE FROM snapshots WHERE seq = (SELECT MAX(seq) FROM snapshots)") // as after kill -9: no shutdown snapshot
	measure("after a crash: latest periodic snapshot plus the journal tail")
	dropSnapshots("DELETE FROM snapshots")
	measure("no snapshot: replay of the whole day")
	measure("from the snapshot taken at the previous shutdown")
}

func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "?"
}
