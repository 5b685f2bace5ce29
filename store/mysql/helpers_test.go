package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// testLog is silent unless HALLQ_TEST_LOG=1.
func testLog(tb testing.TB) zerolog.Logger {
	if os.Getenv("HALLQ_TEST_LOG") == "1" {
		return zerolog.New(zerolog.NewTestWriter(tb)).With().Timestamp().Logger()
	}
	return zerolog.Nop()
}

// newSpec is a hall of four services and eight counters with no quotas, so
// a day can take thousands of tickets.
func newSpec(id string) *queue.Spec {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	sp := &queue.Spec{HallID: id, HallName: queue.Name{Zh: "测试政务服务中心", En: "Test hall " + id}, Location: loc,
		RecallLimit: 3, RatingWindow: 2 * time.Minute,
		Services: map[string]*queue.ServiceSpec{}, Counters: map[string]*queue.CounterSpec{}, Devices: map[string]*queue.DeviceSpec{}}
	for _, s := range []struct{ id, prefix, zh string }{{"general", "A", "综合受理"}, {"social", "B", "社会保险"},
		{"medical", "C", "医疗保障"}, {"housing", "D", "住房公积金"}} {
		sp.Services[s.id] = &queue.ServiceSpec{ID: s.id, Prefix: s.prefix, Name: queue.Name{Zh: s.zh, En: s.id},
			TargetWait: 30 * time.Minute, AvgService: 5 * time.Minute}
		sp.ServiceOrder = append(sp.ServiceOrder, s.id)
	}
	serves := [][]string{{"general"}, {"general", "social"}, {"social"}, {"social", "medical"}, {"medical"},
		{"housing"}, {"housing", "general"}, {"medical", "general"}}
	for i, svcs := range serves {
		id := fmt.Sprint(i + 1)
		sp.Counters[id] = &queue.CounterSpec{ID: id, Name: queue.Name{Zh: id + "号窗口", En: "Window " + id}, Services: svcs}
		sp.CounterOrder = append(sp.CounterOrder, id)
		dev := "rater-" + id
		sp.Devices[dev] = &queue.DeviceSpec{ID: dev, Kind: "rater", Counter: id}
		sp.DeviceOrder = append(sp.DeviceOrder, dev)
	}
	return sp
}

// testCatalog is newSpec's catalog with staff accounts.
func testCatalog(sp *queue.Spec) Catalog {
	c := CatalogOf(sp)
	for i := 1; i <= 8; i++ {
		c.Staff = append(c.Staff, Staff{ID: fmt.Sprintf("s%02d", i), Name: fmt.Sprintf("员工%d", i), Role: "staff"})
	}
	return c
}

// fakeClock is a hall clock that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 23, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testHall is a real hall.Hall on a journal in a temp dir.
type testHall struct {
	*hall.Hall
	J     *store.Journal
	Spec  *queue.Spec
	Clock *fakeClock
	Dir   string
	once  sync.Once
}

// openHall opens (or reopens) the hall of sp in dir; Close is also a cleanup.
func openHall(tb testing.TB, dir string, sp *queue.Spec, clk *fakeClock) *testHall {
	tb.Helper()
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		tb.Fatalf("open journal: %v", err)
	}
	// NoAlerts: with the fake clock standing still, alert rules run only on
	// the real 1 s tick, so a restarted hall could raise alerts the first one
	// had not got round to; the alert engine's restarts are hall's tests.
	h, err := hall.Open(hall.Config{Spec: sp, Journal: j, Clock: clk.Now, Log: zerolog.Nop(), NoAlerts: true})
	if err != nil {
		j.Close()
		tb.Fatalf("open hall: %v", err)
	}
	th := &testHall{Hall: h, J: j, Spec: sp, Clock: clk, Dir: dir}
	tb.Cleanup(th.Close)
	return th
}

// Close stops the hall and closes its journal.
func (th *testHall) Close() {
	th.once.Do(func() {
		th.Hall.Close()
		th.J.Close()
	})
}

// stateJSON is the hall's whole state as JSON, read on the writer.
func (th *testHall) stateJSON(tb testing.TB) string {
	tb.Helper()
	var out []byte
	err := th.Query(context.Background(), func(s *queue.State) {
		b, err := json.Marshal(s)
		if err != nil {
			tb.Errorf("encode state: %v", err)
		}
		out = b
	})
	if err != nil {
		tb.Fatalf("query state: %v", err)
	}
	return string(out)
}

// replayState rebuilds a state from the journal alone.
func replayState(tb testing.TB, j *store.Journal, sp *queue.Spec) *queue.State {
	tb.Helper()
	st := queue.NewState(sp)
	if err := j.Replay(0, func(e *queue.Event) error { queue.Apply(st, e); return nil }); err != nil {
		tb.Fatalf("replay: %v", err)
	}
	return st
}

// mariaDB starts a throw-away MariaDB and returns it with a pool on a new
// database named name.
func mariaDB(tb testing.TB, name string) (*testenv.MariaDB, *sql.DB, string) {
	tb.Helper()
	m := testenv.StartMariaDB(tb)
	dsn := m.NewDatabase(tb, name)
	return m, openDB(tb, dsn), dsn
}

// openDB opens a pool the test closes at cleanup.
func openDB(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	db, err := Open(dsn, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// newReplicator returns a replicator of th into dsn, closed at cleanup.
func newReplicator(tb testing.TB, th *testHall, dsn string, tune func(*Config)) *Replicator {
	tb.Helper()
	cfg := Config{DSN: dsn, Hall: th.Spec.HallID, Journal: th.J, Catalog: testCatalog(th.Spec), Log: testLog(tb), Clock: th.Clock.Now,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}
	if tune != nil {
		tune(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// running is a replicator's Run loop fed by the hall's batches.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startRun subscribes r to th and runs it until stop.
func startRun(th *testHall, r *Replicator) *running {
	th.Subscribe(func(hall.Batch) { r.Notify() })
	ctx, cancel := context.WithCancel(context.Background())
	rn := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rn.done)
		r.Run(ctx)
	}()
	return rn
}

func (rn *running) stop() {
	rn.cancel()
	<-rn.done
}

// waitCaughtUp waits until MySQL holds every durable event of j.
func waitCaughtUp(tb testing.TB, r *Replicator, j *store.Journal, timeout time.Duration) {
	tb.Helper()
	testenv.Eventually(tb, timeout, func() bool {
		last, err := j.DurableSeq()
		return err == nil && r.Cursor() == last
	}, "mysql did not catch up with the journal")
}

// noLeaks fails tb if, after all of tb's later cleanups have run,
// goroutines of hallq's hall or replicator are still running. Call it first.
func noLeaks(tb testing.TB) {
	tb.Helper()
	tb.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			g := leakedGoroutine()
			if g == "" {
				return
			}
			if time.Now().After(deadline) {
				tb.Errorf("goroutine leaked:\n%s", g)
				return
			}
			<-tick.C
		}
	})
}

// leakedGoroutine returns the stack of a goroutine running hall or
// replicator code, or "".
func leakedGoroutine() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "leakedGoroutine") {
			continue
		}
		body := g
		if i := strings.Index(g, "\ncreated by "); i >= 0 {
			body = g[:i]
		}
		if strings.Contains(body, "hallq/hallq/store/mysql.") || strings.Contains(body, "hallq/hallq/hall.") {
			return g
		}
	}
	return ""
}
