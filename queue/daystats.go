package queue

// DayStats is the current business day's service level and satisfaction so
// far, for the supervision screen (docs/supervision.md).
type DayStats struct {
	Called       int    `json:"called"`        // tickets called at least once today
	WithinTarget int    `json:"within_target"` // of those, first called within their service's target wait
	Ratings      [6]int `json:"ratings"`       // ratings by level 1-5 (index 0 unused)
}

// countDay keeps s.Today; Apply runs it before the event changes s, so a
// ticket's first call is the one with no earlier call time.
func (s *State) countDay(e *Event) {
	switch e.Kind {
	case EvDayStarted:
		s.Today = DayStats{}
	case EvTicketCalled:
		t := s.Tickets[e.TicketID]
		if t == nil || !t.CalledAt.IsZero() {
			return
		}
		s.Today.Called++
		if svc := s.Spec.Services[t.Service]; svc != nil && svc.TargetWait > 0 && e.At.Sub(t.IssuedAt) <= svc.TargetWait {
			s.Today.WithinTarget++
		}
	case EvRatingSubmitted:
		if e.Level >= 1 && e.Level <= 5 {
			s.Today.Ratings[e.Level]++
		}
	}
}

// ServiceLevel is the share of today's called tickets first called within
// target, or nil before any call.
func (d DayStats) ServiceLevel() *float64 {
	if d.Called == 0 {
		return nil
	}
	v := float64(d.WithinTarget) / float64(d.Called)
	return &v
}

// Rated is today's number of ratings.
func (d DayStats) Rated() int {
	return d.Ratings[1] + d.Ratings[2] + d.Ratings[3] + d.Ratings[4] + d.Ratings[5]
}

// GoodRate is today's 好评率: levels 5, 4 and 3 over all ratings, or nil.
func (d DayStats) GoodRate() *float64 {
	n := d.Rated()
	if n == 0 {
		return nil
	}
	v := float64(d.Ratings[3]+d.Ratings[4]+d.Ratings[5]) / float64(n)
	return &v
}
