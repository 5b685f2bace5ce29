package store

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

func TestProjector(t *testing.T) {
	j := MustOpenJournal(t, t.TempDir(), zerolog.Nop())
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	w := 120
	evs := []queue.Event{
		{Seq: 1, Kind: queue.EvCounterOpened, At: at, Counter: "1", StaffID: "s01"},
		{Seq: 2, Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A001", Ticket: "A001", Service: "social", Channel: "walk_in"},
		{Seq: 3, Kind: queue.EvTicketCalled, At: at.Add(2 * time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "social", Counter: "1", StaffID: "s01", WaitedS: &w},
		{Seq: 4, Kind: queue.EvTicketRecalled, At: at.Add(3 * time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "social", Counter: "1", Recalls: 1},
		{Seq: 5, Kind: queue.EvTicketFinished, At: at.Add(9 * time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "social", Counter: "1"},
		{Seq: 6, Kind: queue.EvRatingSubmitted, At: at.Add(10 * time.Minute), TicketID: "20261123-A001", Ticket: "A001", Service: "social", Counter: "1", Level: 4},
		{Seq: 7, Kind: queue.EvCounterClosed, At: at.Add(time.Hour), Counter: "1"},
	}
	if err := j.Append(evs[:4], nil); err != nil {
		t.Fatal(err)
	}
	p := NewProjector(j, "h")
	if n, err := p.Sync(context.Background()); err != nil || n != 4 {
		t.Fatalf("sync = %d, %v", n, err)
	}
	if err := j.Append(evs[4:], nil); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Sync(context.Background()); err != nil || n != 3 {
		t.Fatalf("second sync = %d, %v (want only the new events)", n, err)
	}
	var status, day string
	var waited, recalls, rating int
	j.DB().QueryRow("SELECT status, day, waited_s, recalls, rating FROM tickets WHERE ticket_id = '20261123-A001'").Scan(&status, &day, &waited, &recalls, &rating)
	if status != "done" || day != "2026-11-23" || waited != 120 || recalls != 1 || rating != 4 {
		t.Fatalf("ticket row = %s %s %d %d %d", status, day, waited, recalls, rating)
	}
	var calls, open int
	j.DB().QueryRow("SELECT COUNT(*) FROM calls").Scan(&calls)
	j.DB().QueryRow("SELECT COUNT(*) FROM counter_sessions WHERE closed_at IS NULL").Scan(&open)
	if calls != 1 || open != 0 {
		t.Fatalf("calls = %d (want 1: one visit, recalled once), open sessions = %d (want 0)", calls, open)
	}
}
