// Package evalpush delivers every rating, and the outcome of each 差评 case,
// to the provincial 好差评 platform: at least once and in journal order, from
// a durable outbox that is the journal itself read after a cursor kept on
// disk, so it survives restarts and an endpoint that is down for hours.
package evalpush

import (
	"strconv"
	"time"

	"github.com/hallq/hallq/queue"
)

// Record is one message to the platform (docs/evaluation.md). The receiver
// dedupes by (type, rating_id); push_id names the journal event.
type Record struct {
	Type      string         `json:"type"` // rating | case_outcome
	PushID    string         `json:"push_id"`
	Hall      string         `json:"hall"`
	RatingID  string         `json:"rating_id"`
	TicketID  string         `json:"ticket_id,omitempty"`
	Ticket    string         `json:"ticket,omitempty"`
	Service   string         `json:"service,omitempty"`
	Counter   string         `json:"counter,omitempty"`
	StaffID   *string        `json:"staff_id"`
	StaffNo   *string        `json:"staff_no"`
	Unit      *string        `json:"unit"`
	Level     int            `json:"level,omitempty"`      // national: 5 = 非常满意
	LevelCode int            `json:"level_code,omitempty"` // the target's code for the level
	LevelName string         `json:"level_name,omitempty"`
	Target    string         `json:"level_target,omitempty"`
	Dims      map[string]int `json:"dims,omitempty"`
	Reasons   []string       `json:"reasons,omitempty"`
	Text      string         `json:"text,omitempty"`
	CaseID    string         `json:"case_id,omitempty"`
	Status    string         `json:"case_status,omitempty"`
	Followup  *int           `json:"followup_level,omitempty"`
	Note      string         `json:"note,omitempty"`
	At        time.Time      `json:"at"`
}

// RecordOf is what e sends to the platform, if anything: every rating, and a
// case step that ends the case (closed or dismissed).
func RecordOf(sp *queue.Spec, target string, e *queue.Event) (Record, bool) {
	r := Record{PushID: sp.HallID + ":" + strconv.FormatInt(e.Seq, 10), Hall: sp.HallID, RatingID: e.RatingID, At: e.At}
	switch {
	case e.Kind == queue.EvRatingSubmitted:
		r.Type, r.TicketID, r.Ticket, r.Service, r.Counter = "rating", e.TicketID, e.Ticket, e.Service, e.Counter
		r.Level, r.Dims, r.Reasons, r.Text, r.CaseID = e.Level, e.Dims, e.Reasons, e.RatingText, e.CaseID
		if lc, err := queue.ExportLevel(target, e.Level); err == nil {
			r.LevelCode, r.LevelName, r.Target = lc.Code, lc.Name, target
		}
		r.StaffID = opt(e.StaffID)
		if st := sp.Staff[e.StaffID]; st != nil {
			r.StaffNo, r.Unit = opt(st.StaffNo), opt(st.Unit)
		}
		return r, true
	case e.Kind == queue.EvCaseStep && (e.CaseStatus == queue.CaseClosed || e.CaseStatus == queue.CaseDismissed):
		r.Type, r.CaseID, r.Status, r.Followup, r.Note = "case_outcome", e.CaseID, e.CaseStatus, e.FollowupLevel, e.Note
		if e.FollowupLevel != nil {
			if lc, err := queue.ExportLevel(target, *e.FollowupLevel); err == nil {
				r.LevelCode, r.LevelName, r.Target = lc.Code, lc.Name, target
			}
		}
		return r, true
	}
	return Record{}, false
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
