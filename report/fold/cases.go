package fold

import (
	"time"

	"github.com/hallq/hallq/queue"
)

// CaseRow is one 差评 follow-up case (CONTRACT §5 cases) as it is now.
type CaseRow struct {
	CaseID        string
	RatingID      string
	TicketID      string
	Day           string // the business day the case opened
	Number        string
	Service       string
	Counter       string
	StaffID       string
	Level         int
	Status        string // open, verified, rectified, closed, dismissed, appealed
	CreatedAt     time.Time
	VerifyBy      time.Time
	RectifyBy     time.Time
	VerifiedAt    time.Time // first verify step (差评回复)
	RectifiedAt   time.Time // first rectify step
	CallbackAt    time.Time // the callback that closed it
	FollowupLevel *int      // the citizen's 追评 at the callback
	Steps         int
	UpdatedSeq    int64
}

// SigninRow is one staff sign-in at a counter (attendance, handover).
type SigninRow struct {
	Seq       int64
	Counter   string
	StaffID   string
	FromStaff string // the staff member handed over from, if any
	At        time.Time
}

// applyCase folds case.opened and case.step.
func (p *Projection) applyCase(e *queue.Event) {
	if e.CaseID == "" {
		return
	}
	c := p.Cases[e.CaseID]
	if c == nil {
		c = &CaseRow{CaseID: e.CaseID, Status: "open"}
		p.Cases[e.CaseID] = c
	}
	if c.UpdatedSeq >= e.Seq {
		return
	}
	c.UpdatedSeq = e.Seq
	p.dirty[c] = true
	if e.Kind == queue.EvCaseOpened {
		c.RatingID, c.TicketID, c.Day, c.Number = e.RatingID, e.TicketID, dayOf(e.TicketID, e.At), e.Ticket
		c.Service, c.Counter, c.StaffID, c.Level, c.CreatedAt = e.Service, e.Counter, e.StaffID, e.Level, e.At
		if e.VerifyBy != nil {
			c.VerifyBy = *e.VerifyBy
		}
		if e.RectifyBy != nil {
			c.RectifyBy = *e.RectifyBy
		}
		return
	}
	c.Steps++
	if e.CaseStatus != "" {
		c.Status = e.CaseStatus
	}
	switch e.Action {
	case "verify":
		if c.VerifiedAt.IsZero() {
			c.VerifiedAt = e.At
		}
	case "rectify":
		if c.RectifiedAt.IsZero() {
			c.RectifiedAt = e.At
		}
	case "callback":
		c.CallbackAt = e.At
		if e.FollowupLevel != nil {
			l := *e.FollowupLevel
			c.FollowupLevel = &l
		}
	}
}
