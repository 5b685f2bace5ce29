package store

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// The case index finds a finished case by case_no and by ticket id, keeps
// the latest visit of a case_no, skips finishes without a case, and is
// rebuilt from the journal when the index is reopened.
func TestCaseIndex(t *testing.T) {
	dir := t.TempDir()
	j := MustOpenJournal(t, dir, zerolog.Nop())
	at := time.Date(2026, 9, 25, 9, 0, 0, 0, time.UTC)
	evs := []queue.Event{
		{Seq: 1, Kind: queue.EvTicketFinished, At: at, TicketID: "20260925-A001", Ticket: "A001", Service: "social", Counter: "1",
			CaseKind: queue.CasePromised, CaseNo: "NT-1", PromisedDate: "2026-10-08"},
		{Seq: 2, Kind: queue.EvTicketFinished, At: at, TicketID: "20260925-A002", Ticket: "A002", Service: "social", Counter: "1"},
		{Seq: 3, Kind: queue.EvTicketFinished, At: at.Add(time.Hour), TicketID: "20260925-B001", Ticket: "B001", Service: "housing", Counter: "2",
			CaseKind: queue.CaseJoint, CaseNo: "NT-1", LeadCounter: "2"},
	}
	if err := j.Append(evs, nil); err != nil {
		t.Fatal(err)
	}
	x, err := NewCaseIndex(j)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := x.Sync(context.Background()); err != nil || n != 3 {
		t.Fatalf("sync = %d, %v", n, err)
	}
	f, err := x.Lookup(context.Background(), "NT-1", "")
	if err != nil || f == nil {
		t.Fatalf("lookup NT-1: %v %v", f, err)
	}
	if got, want := f.TicketID, "20260925-B001"; got != want {
		t.Fatalf("NT-1 -> %s, want the latest visit %s", got, want)
	}
	f, _ = x.Lookup(context.Background(), "", "20260925-A001")
	if f == nil || f.PromisedDate != "2026-10-08" || f.Kind != queue.CasePromised || f.Day != "2026-09-25" {
		t.Fatalf("lookup by ticket: %+v", f)
	}
	if f, _ := x.Lookup(context.Background(), "", "20260925-A002"); f != nil {
		t.Fatalf("a finish without a case is indexed: %+v", f)
	}
	if f, _ := x.Lookup(context.Background(), "NOPE", ""); f != nil {
		t.Fatalf("unknown case found: %+v", f)
	}
	// a reopened index reads on from its cursor and finds nothing new
	x2, err := NewCaseIndex(j)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := x2.Sync(context.Background()); err != nil || n != 0 {
		t.Fatalf("second sync = %d, %v", n, err)
	}
}
