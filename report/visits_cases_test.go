package report

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestVisitsCaseKinds checks the case-kind counts and promised_past_rate
// added to the visits rows (issue 13): finished visits only, attributed like
// the other counts, the rate over the promised ones whose date is before
// today in hall time, null over none.
func TestVisitsCaseKinds(t *testing.T) {
	sp := testSpec()
	day := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	var evs []queue.Event
	add := func(e queue.Event) { e.Seq = int64(len(evs) + 1); evs = append(evs, e) }
	n := 0
	visit := func(svc, counter, kind, promised string, finish bool) {
		n++
		id := "20261123-A00" + string(rune('0'+n))
		add(queue.Event{Kind: queue.EvTicketIssued, At: day, TicketID: id, Service: svc})
		add(queue.Event{Kind: queue.EvTicketCalled, At: day.Add(time.Minute), TicketID: id, Counter: counter, StaffID: "s" + counter})
		if finish {
			add(queue.Event{Kind: queue.EvTicketFinished, At: day.Add(5 * time.Minute), TicketID: id, Counter: counter,
				CaseKind: kind, CaseNo: "N" + id, PromisedDate: promised})
		}
	}
	visit("a", "1", queue.CaseInstant, "", true)
	visit("a", "1", queue.CasePromised, "2026-11-25", true) // passed by "today" 11-26
	visit("a", "1", queue.CasePromised, "2026-11-26", true) // today: not passed
	visit("a", "2", queue.CaseJoint, "", true)
	visit("b", "2", queue.CaseReferred, "", true)
	visit("b", "2", "", "", true)  // no case
	visit("b", "2", "", "", false) // called, not finished
	src := mustSource(t, sp, evs)
	src.Now = func() time.Time { return time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC) } // 11-26 01:00 in Shanghai
	ctx := context.Background()

	rows, err := src.Visits(ctx, "2026-11-23", "2026-11-23", "service")
	if err != nil || len(rows) != 2 {
		t.Fatalf("by service: %+v, %v", rows, err)
	}
	a, b := rows[0], rows[1]
	if a.CaseInstant != 1 || a.CasePromised != 2 || a.CaseJoint != 1 || a.CaseReferred != 0 {
		t.Errorf("service a kinds: %+v", a)
	}
	if a.PromisedPastRate == nil || *a.PromisedPastRate != 0.5 {
		t.Errorf("service a promised_past_rate = %v, want 0.5", a.PromisedPastRate)
	}
	if b.CaseReferred != 1 || b.CaseInstant+b.CasePromised+b.CaseJoint != 0 || b.PromisedPastRate != nil {
		t.Errorf("service b: %+v", b)
	}
	rows, _ = src.Visits(ctx, "2026-11-23", "2026-11-23", "counter")
	if len(rows) != 2 || rows[0].CasePromised != 2 || rows[1].CaseJoint != 1 || rows[1].CaseReferred != 1 {
		t.Errorf("by counter: %+v", rows)
	}
	src.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, sp.Location) }
	rows, _ = src.Visits(ctx, "2026-11-23", "2026-11-23", "day")
	if len(rows) != 1 || rows[0].PromisedPastRate == nil || *rows[0].PromisedPastRate != 1 {
		t.Errorf("by day two days later: %+v, want promised_past_rate 1", rows)
	}
	// The added fields follow the pinned ones, in JSON and in the table.
	j, _ := json.Marshal(rows[0])
	if i, k := strings.Index(string(j), `"unrated_rate"`), strings.Index(string(j), `"case_instant"`); i < 0 || k < i {
		t.Errorf("case_instant not after unrated_rate: %s", j)
	}
	tab := VisitsTable(rows)
	if h := tab.Header; h[len(h)-1] != "promised_past_rate" || len(tab.Rows[0]) != len(h) {
		t.Errorf("table header %v, cells %d", h, len(tab.Rows[0]))
	}
}
