package queue

import "time"

// ruleBadRating is bad_rating (CONTRACT §3: per case, yellow only): a 差评
// was given; it clears when its case leaves open. value_s: seconds past
// verify_by, 0 before it.
func ruleBadRating(s *State, now time.Time, out []Condition) []Condition {
	for _, id := range sortedKeys(s.Cases) {
		c := s.Cases[id]
		if c.Status == CaseOpen {
			out = append(out, Condition{Kind: AlertBadRating, Level: Yellow, CaseID: id, Counter: c.Counter,
				Service: c.Service, Start: c.CreatedAt, Value: max(now.Sub(c.VerifyBy), 0)})
		}
	}
	return out
}

// ruleCaseOverdue is case_overdue (CONTRACT §3: per case, red only): open
// past verify_by, or verified past rectify_by; value_s: the seconds past
// that due time.
func ruleCaseOverdue(s *State, now time.Time, out []Condition) []Condition {
	for _, id := range sortedKeys(s.Cases) {
		c := s.Cases[id]
		if due, ok := c.OverdueAt(now); ok {
			out = append(out, Condition{Kind: AlertCaseOverdue, Level: Red, CaseID: id, Counter: c.Counter,
				Service: c.Service, Start: due, Value: now.Sub(due)})
		}
	}
	return out
}
