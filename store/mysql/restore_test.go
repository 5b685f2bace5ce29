package mysql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// TestRestore loses a hall's data dir in the middle of a day, rebuilds the
// journal from MySQL, and starts the hall again on it: the state is the one
// the hall had, numbering goes on without reusing a number, and a retried
// request gets its first answer.
func TestRestore(t *testing.T) {
	noLeaks(t)
	ctx := context.Background()
	_, db, dsn := mariaDB(t, "restore")
	sp, clk, dir := newSpec("north"), newFakeClock(), t.TempDir()
	th := openHall(t, dir, sp, clk)
	r := newReplicator(t, th, dsn, nil)
	rn := startRun(th, r)
	d := startDay(t, th, 1<<40, 3)
	testenv.Eventually(t, time.Minute, func() bool { return d.issued.Load() > busyDayTickets()/3 }, "the day did not get going")
	d.stop() // mid-day: tickets waiting, called, serving and held
	d.kiosks.Wait()
	d.counters.Wait()
	waitCaughtUp(t, r, th.J, 2*time.Minute)
	rn.stop()
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := th.stateJSON(t)
	var before queue.State
	if err := json.Unmarshal([]byte(want), &before); err != nil {
		t.Fatal(err)
	}
	var retry store.Request
	th.J.Requests(time.Unix(0, 0), func(q store.Request) {
		if retry.ReqID == "" && q.Source == "dev:kiosk-01" {
			retry = q
		}
	})
	th.Close()

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	var progress []int64
	stats, err := Restore(ctx, db, j, RestoreOptions{Hall: sp.HallID, EventsPerAppend: 700, ProgressEvery: 500,
		Progress: func(done, total int64) { progress = append(progress, done) }})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	j.Close()
	t.Logf("restored %d events (last seq %d) and %d idempotency records; progress at %v", stats.Events, stats.LastSeq, stats.Requests, progress)
	if len(progress) < 2 || progress[len(progress)-1] != stats.Events {
		t.Errorf("progress lines at %v for %d events", progress, stats.Events)
	}

	th2 := openHall(t, dir, sp, clk)
	if got := th2.stateJSON(t); got != want {
		t.Fatalf("state after restore differs from the state before:\n%s", firstDiff(want, got))
	}
	if got := replayState(t, th2.J, sp); got.Seq != before.Seq {
		t.Fatalf("replayed seq %d, want %d", got.Seq, before.Seq)
	}

	t.Run("NumbersContinue", func(t *testing.T) {
		for _, svc := range sp.ServiceOrder {
			rep := th2.Do(ctx, hall.Request{Source: "dev:kiosk-02", Cmd: queue.TakeTicket{Service: svc}})
			if !rep.OK {
				t.Fatalf("take %s: %v", svc, rep.Error)
			}
			var res queue.TicketResult
			json.Unmarshal(rep.Result, &res)
			if got, want := res.Number, fmt.Sprintf("%s%03d", sp.Services[svc].Prefix, before.NextN[svc]+1); got != want {
				t.Errorf("next %s ticket = %s, want %s", svc, got, want)
			}
			if before.Tickets[res.TicketID] != nil {
				t.Errorf("ticket %s was issued before the restore: reused", res.TicketID)
			}
		}
	})

	t.Run("RetryAnsweredAsBefore", func(t *testing.T) {
		if retry.ReqID == "" {
			t.Fatal("no idempotency record to retry")
		}
		rep := th2.Do(ctx, hall.Request{Source: retry.Source, ReqID: retry.ReqID, Cmd: queue.TakeTicket{Service: "general"}})
		if !rep.Repeat {
			t.Fatalf("retry of %s %s was carried out again: %+v", retry.Source, retry.ReqID, rep)
		}
		first, _ := json.Marshal(decodeStored(t, retry.Response))
		again, _ := json.Marshal(rep)
		if string(first) != string(again) {
			t.Errorf("retry answered %s, first answer %s", again, first)
		}
	})

	t.Run("ErrJournalNotEmpty", func(t *testing.T) {
		_, err := Restore(ctx, db, th2.J, RestoreOptions{Hall: sp.HallID})
		if !errors.Is(err, ErrJournalNotEmpty) {
			t.Fatalf("restore over a journal with history: %v, want ErrJournalNotEmpty", err)
		}
	})

	t.Run("UnknownHall", func(t *testing.T) {
		j, err := store.Open(t.TempDir(), "nowhere", zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		if _, err := Restore(ctx, db, j, RestoreOptions{Hall: "nowhere"}); err == nil {
			t.Fatal("restore of a hall mysql does not have succeeded")
		}
	})
}

func decodeStored(t *testing.T, body []byte) hall.Reply {
	t.Helper()
	var r hall.Reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// firstDiff shows where two long strings start to differ.
func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-200, 0)
	return fmt.Sprintf("at byte %d:\nwant …%s…\ngot  …%s…", i, want[from:min(i+200, len(want))], got[from:min(i+200, len(got))])
}
