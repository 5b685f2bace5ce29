package queue

import "time"

// Unrated returns the rating.unrated events due at now: every visit whose
// rating window has closed without a rating (未评价, never a default level).
// Windows still open when the business day ends close with it, so the hall
// writer runs this before Rollover on every tick and batch, like Rollover a
// pure function of the state and the clock.
func Unrated(s *State, now time.Time) []Event {
	dayOver := s.Day != "" && s.Spec.BusinessDay(now) != s.Day
	var evs []Event
	for _, id := range s.RatePending { // in the order the visits ended
		v := s.Visits[id]
		if v == nil || v.Rated || v.Unrated {
			continue
		}
		if !dayOver && now.Sub(v.EndedAt) <= s.Spec.RatingWindow {
			break
		}
		evs = append(evs, Event{Kind: EvRatingUnrated, At: now, Visit: v.ID, TicketID: v.TicketID, Ticket: v.Ticket,
			Service: v.Service, Counter: v.Counter, StaffID: v.StaffID})
	}
	return evs
}

// CaseAlert is an alert a 差评 case stands for at some time (CONTRACT §3
// bad_rating and case_overdue); the alert engine turns these into alert
// events.
type CaseAlert struct {
	Kind   string    // bad_rating | case_overdue
	CaseID string    //
	Level  string    // yellow (bad_rating) | red (case_overdue)
	Since  time.Time // when the condition began: the case opened, or the missed due time
	ValueS float64   // seconds past the due time (case_overdue), or since the case opened (bad_rating)
}

// Case alert kinds (CONTRACT §3).
const (
	AlertBadRating   = "bad_rating"
	AlertCaseOverdue = "case_overdue"
)

// CaseAlerts lists the case alerts standing at now, ordered by case id then
// kind: bad_rating (yellow) while a case is open, case_overdue (red) while
// it is open past verify_by or verified past rectify_by.
func CaseAlerts(s *State, now time.Time) []CaseAlert {
	var out []CaseAlert
	for _, id := range sortedKeys(s.Cases) {
		c := s.Cases[id]
		if c.Status == CaseOpen {
			out = append(out, CaseAlert{Kind: AlertBadRating, CaseID: id, Level: "yellow", Since: c.CreatedAt,
				ValueS: secs(now.Sub(c.CreatedAt))})
		}
		if since, ok := c.OverdueAt(now); ok {
			out = append(out, CaseAlert{Kind: AlertCaseOverdue, CaseID: id, Level: "red", Since: since,
				ValueS: secs(now.Sub(since))})
		}
	}
	return out
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }
