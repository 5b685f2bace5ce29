package report

import (
	"time"

	"github.com/hallq/hallq/queue"
)

// today is the current date in hall time, from s.Now (or the wall clock).
func (s *Source) today() string {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	return now.In(s.Loc).Format("2006-01-02")
}

// addCase counts a finished visit's case kind into a, and whether its
// promised date is before today (issue 13; docs/reports.md).
func addCase(a *acc, v *visit, today string) {
	if !v.finished {
		return
	}
	r := &a.row
	switch v.caseKind {
	case queue.CaseInstant:
		r.CaseInstant++
	case queue.CasePromised:
		r.CasePromised++
		if v.promised != "" && v.promised < today {
			a.past++
		}
	case queue.CaseJoint:
		r.CaseJoint++
	case queue.CaseReferred:
		r.CaseReferred++
	}
}
