package report

import "time"

// today is the current date in hall time, from s.Now (or the wall clock).
func (s *Source) today() string {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	return now.In(s.Loc).Format("2006-01-02")
}
