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
