package fold

import (
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestCaseAndEvaluationRows folds the evaluation events of the other
// branches by their pinned fields: a 差评 case through its steps, 未评价,
// a sign-in handover, a promised case at finish, and the waits.
func TestCaseAndEvaluationRows(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	vb, rb := at.Add(24*time.Hour), at.Add(15*24*time.Hour)
	five := 5
	evs := []queue.Event{
		{Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A001", Ticket: "A001", Service: "social"},
		{Kind: queue.EvTicketCalled, At: at.Add(90*time.Second + 250*time.Millisecond), TicketID: "20261123-A001", Counter: "3", StaffID: "s01"},
		{Kind: queue.EvTicketFinished, At: at.Add(10 * time.Minute), TicketID: "20261123-A001", Counter: "3", CaseKind: "promised", CaseNo: "N-1", PromisedDate: "2026-11-30"},
		{Kind: queue.EvRatingSubmitted, At: at.Add(11 * time.Minute), TicketID: "20261123-A001", Counter: "3", StaffID: "s01", Level: 2,
			RatingID: "R1", Reasons: []string{"slow"}, RatingText: "太慢", CaseID: "C1"},
		{Kind: queue.EvCaseOpened, At: at.Add(11 * time.Minute), CaseID: "C1", RatingID: "R1", TicketID: "20261123-A001", Ticket: "A001",
			Service: "social", Counter: "3", StaffID: "s01", Level: 2, VerifyBy: &vb, RectifyBy: &rb},
		{Kind: queue.EvCaseStep, At: at.Add(time.Hour), CaseID: "C1", Action: "verify", By: "super", CaseStatus: "verified"},
		{Kind: queue.EvCaseStep, At: at.Add(2 * time.Hour), CaseID: "C1", Action: "rectify", By: "super", CaseStatus: "rectified"},
		{Kind: queue.EvCaseStep, At: at.Add(3 * time.Hour), CaseID: "C1", Action: "callback", By: "super", CaseStatus: "closed", FollowupLevel: &five},
		{Kind: queue.EvTicketIssued, At: at, TicketID: "20261123-A002", Ticket: "A002", Service: "social"},
		{Kind: queue.EvTicketCalled, At: at.Add(time.Minute), TicketID: "20261123-A002", Counter: "3"},
		{Kind: queue.EvTicketFinished, At: at.Add(2 * time.Minute), TicketID: "20261123-A002", Counter: "3"},
		{Kind: queue.EvRatingUnrated, At: at.Add(4 * time.Minute), TicketID: "20261123-A002"},
		{Kind: queue.EvStaffSignedIn, At: at.Add(5 * time.Hour), Counter: "3", StaffID: "s02", FromStaff: "s01"},
	}
	p := NewProjection()
	for i := range evs {
		evs[i].Seq = int64(i + 1)
		p.Apply(&evs[i])
	}
	a := p.Tickets["20261123-A001"]
	if a.WaitUS == nil || *a.WaitUS != 90_250_000 || a.ServiceUS == nil || *a.ServiceUS != (10*time.Minute-90*time.Second-250*time.Millisecond).Microseconds() {
		t.Errorf("waits: %v %v", a.WaitUS, a.ServiceUS)
	}
	if a.CaseKind != "promised" || a.CaseNo != "N-1" || a.PromisedDate != "2026-11-30" || a.Rating != 2 || a.RatingID != "R1" || a.Unrated {
		t.Errorf("ticket A001 = %+v", a)
	}
	if b := p.Tickets["20261123-A002"]; !b.Unrated || b.Rating != 0 {
		t.Errorf("ticket A002 unrated = %v, rating %d", b.Unrated, b.Rating)
	}
	c := p.Cases["C1"]
	if c == nil || c.Status != "closed" || c.Steps != 3 || c.Day != "2026-11-23" || c.Level != 2 ||
		!c.VerifiedAt.Equal(at.Add(time.Hour)) || !c.RectifiedAt.Equal(at.Add(2*time.Hour)) ||
		!c.CallbackAt.Equal(at.Add(3*time.Hour)) || c.FollowupLevel == nil || *c.FollowupLevel != 5 ||
		!c.VerifyBy.Equal(vb) || !c.RectifyBy.Equal(rb) || c.Counter != "3" || c.StaffID != "s01" {
		t.Errorf("case C1 = %+v", c)
	}
	if len(p.Ratings) != 1 || p.Ratings[0].CaseID != "C1" || p.Ratings[0].Text != "太慢" || len(p.Ratings[0].Reasons) != 1 {
		t.Errorf("ratings = %+v", p.Ratings)
	}
	if len(p.Signins) != 1 || p.Signins[0].FromStaff != "s01" || p.Signins[0].StaffID != "s02" {
		t.Errorf("sign-ins = %+v", p.Signins)
	}
	// Folding an event a row already has changes nothing (replication retries).
	before := *p.Cases["C1"]
	p.Apply(&evs[6])
	if after := *p.Cases["C1"]; after.Steps != before.Steps || after.Status != before.Status {
		t.Errorf("a repeated case.step changed the case: %+v -> %+v", before, after)
	}
}
