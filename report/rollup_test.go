package report

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"pgregory.net/rapid"

	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/fold"
	"github.com/hallq/hallq/report/rowsql"
	"github.com/hallq/hallq/store"
)

// TestRollupsMatchTickets writes two days' events in two batches, settles
// the day rollups before, between or after them (or never), and checks every
// grouping against the naive report over all the events: a rollup gives the
// tickets' answers, and a write after it (a late rating, the day's end) is
// never hidden by it.
func TestRollupsMatchTickets(t *testing.T) {
	sp := testSpec()
	base := t.TempDir()
	n := 0
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		n++
		evs := genDay(t, sp, 40)
		cut := rapid.IntRange(0, len(evs)).Draw(t, "cut")
		settleAt := rapid.SampledFrom([]string{"never", "first", "second", "both"}).Draw(t, "settle")
		j, err := store.Open(fmt.Sprintf("%s/%d", base, n), sp.HallID, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		src := NewSource(j.DB(), rowsql.SQLite, sp)
		src.Now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, sp.Location) }
		settle := func() {
			if _, err := src.Settle(ctx, j.WriteDB()); err != nil {
				t.Fatal(err)
			}
		}
		writeBatch(t, j, sp.HallID, evs[:cut])
		if settleAt == "first" || settleAt == "both" {
			settle()
		}
		writeBatch(t, j, sp.HallID, evs[cut:])
		if settleAt == "second" || settleAt == "both" {
			settle()
		}
		p := fold.NewProjection()
		for i := range evs {
			p.Apply(&evs[i])
		}
		from := rapid.SampledFrom([]string{"2026-11-22", "2026-11-23"}).Draw(t, "from")
		to := rapid.SampledFrom([]string{"2026-11-24", "2026-11-26"}).Draw(t, "to")
		for _, by := range []string{"service", "counter", "staff", "day", "hour"} {
			got, err := src.Visits(ctx, from, to, by)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(naiveVisits(sp, p, by))
			if string(g) != string(w) {
				t.Fatalf("by %s, settled %s:\nstore %s\nnaive %s", by, settleAt, g, w)
			}
		}
	})
}

// TestSettleUsesRollups checks that a settled day is read from its rollup:
// with the day's ticket rows gone behind the versions' back, its report
// still counts them, and once the version moves on it no longer does.
func TestSettleUsesRollups(t *testing.T) {
	sp := testSpec()
	ctx := context.Background()
	j, err := store.Open(t.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	day := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	writeBatch(t, j, sp.HallID, []queue.Event{
		{Seq: 1, Kind: queue.EvTicketIssued, At: day, TicketID: "20261123-A001", Ticket: "A001", Service: "a"},
		{Seq: 2, Kind: queue.EvTicketIssued, At: day, TicketID: "20261123-A002", Ticket: "A002", Service: "a"},
	})
	src := NewSource(j.DB(), rowsql.SQLite, sp)
	src.Now = func() time.Time { return time.Date(2026, 11, 23, 20, 0, 0, 0, sp.Location) }
	if n, err := src.Settle(ctx, j.WriteDB()); err != nil || n != 0 {
		t.Fatalf("today settled: %d, %v", n, err) // the day is not closed yet
	}
	src.Now = func() time.Time { return time.Date(2026, 11, 24, 8, 0, 0, 0, sp.Location) }
	if n, err := src.Settle(ctx, j.WriteDB()); err != nil || n != 1 {
		t.Fatalf("settled %d days, %v; want 1", n, err)
	}
	if n, err := src.Settle(ctx, j.WriteDB()); err != nil || n != 0 {
		t.Fatalf("settled again: %d, %v", n, err)
	}
	issued := func() int {
		rows, err := src.Visits(ctx, "2026-11-23", "2026-11-23", "service")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return 0
		}
		return rows[0].Issued
	}
	if _, err := j.WriteDB().Exec("DELETE FROM tickets WHERE ticket_id = '20261123-A002'"); err != nil {
		t.Fatal(err)
	}
	if got := issued(); got != 2 {
		t.Fatalf("issued %d, want 2 from the rollup", got)
	}
	if _, err := j.WriteDB().Exec("UPDATE report_days SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	if got := issued(); got != 1 {
		t.Fatalf("issued %d, want 1 from the tickets once the rollup is stale", got)
	}
}

// writeBatch folds evs onto the rows they touch and writes them back, as the
// projector does.
func writeBatch(t fataler, j *store.Journal, hall string, evs []queue.Event) {
	t.Helper()
	if len(evs) == 0 {
		return
	}
	ctx := context.Background()
	tx, err := j.WriteDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p, err := rowsql.Load(ctx, tx, hall, evs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		p.Apply(&evs[i])
	}
	if err := rowsql.Write(ctx, tx, rowsql.SQLite, hall, p); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodeDay checks that any bytes decode to cells or errRollup, never a
// panic, and that what decodes survives encoding and decoding again.
func FuzzDecodeDay(f *testing.F) {
	f.Add(encodeDay([]*cell{{key: "a", service: "a", issued: 3, waits: []int64{-5, 7, 7, 9000000},
		promised: map[string]int{"2026-11-30": 2}}}))
	f.Add([]byte{rollupFormat, 0})
	f.Add([]byte{rollupFormat, 200, 200, 200, 200, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		cells, err := decodeDay(b)
		if err != nil {
			return
		}
		enc := encodeDay(cells)
		back, err := decodeDay(enc)
		if err != nil {
			t.Fatalf("re-encoded cells do not decode: %v", err)
		}
		if again := encodeDay(back); string(again) != string(enc) {
			t.Fatalf("encode/decode changed the cells:\n%x\n%x", enc, again)
		}
	})
}

// TestRunSettle: the background loop settles every closed day, more than
// one batch of them, without waiting for its interval between batches.
func TestRunSettle(t *testing.T) {
	sp := testSpec()
	j, err := store.Open(t.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var evs []queue.Event
	for d := 0; d < 2*settleBatch+1; d++ {
		at := time.Date(2026, 11, 1+d, 9, 0, 0, 0, sp.Location)
		id := at.Format("20060102") + "-A001"
		evs = append(evs, queue.Event{Seq: int64(d + 1), Kind: queue.EvTicketIssued, At: at, TicketID: id, Ticket: "A001", Service: "a"})
	}
	writeBatch(t, j, sp.HallID, evs)
	src := NewSource(j.DB(), rowsql.SQLite, sp)
	src.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, sp.Location) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.RunSettle(ctx, j.WriteDB(), time.Hour, zerolog.Nop())
	}()
	defer func() { cancel(); <-done }()
	want := (2*settleBatch + 1) * 5
	testenv.Eventually(t, 30*time.Second, func() bool {
		var n int
		j.DB().QueryRow("SELECT COUNT(*) FROM report_rollups r JOIN report_days d ON d.hall = r.hall AND d.day = r.day AND d.version = r.version").Scan(&n)
		return n == want
	}, "not every closed day was settled")
}
