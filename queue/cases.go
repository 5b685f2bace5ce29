package queue

import (
	"time"
	"unicode/utf8"
)

// Case kinds (办件类型) recorded at serve.finish (CONTRACT §2 case, 1.1).
const (
	CaseInstant  = "instant"  // 即办件: done on the spot
	CasePromised = "promised" // 承诺件: result promised on promised_date
	CaseJoint    = "joint"    // 联办件: several counters, one leading
	CaseReferred = "referred" // 上报件: reviewed here, filed upward
)

// MaxCaseNo is the longest case_no accepted, in characters (CONTRACT §2).
const MaxCaseNo = 64

// CaseInfo is the case argument of serve.finish.
type CaseInfo struct {
	Kind        string
	No          string // 办件编号; may be empty
	LeadCounter string // joint cases: the leading counter; default the finishing one
}

// checkCase validates a case argument (bad_request, nothing stored).
func checkCase(s *State, c *CaseInfo) *Error {
	switch c.Kind {
	case CaseInstant, CasePromised, CaseJoint, CaseReferred:
	default:
		return Errorf(BadRequest, "未知办件类型 case.kind must be instant, promised, joint or referred, got %q", clipText(c.Kind))
	}
	if utf8.RuneCountInString(c.No) > MaxCaseNo {
		return Errorf(BadRequest, "办件编号过长 case.case_no is longer than %d characters", MaxCaseNo)
	}
	if err := checkText("case.case_no", c.No, 4*MaxCaseNo); err != nil {
		return err
	}
	if c.LeadCounter != "" && s.Spec.Counters[c.LeadCounter] == nil {
		return Errorf(BadRequest, "没有此窗口 case.lead_counter: unknown counter %q", clipText(c.LeadCounter))
	}
	return nil
}

// PromisedDate is the promise_days-th working day after the business day of
// now (CONTRACT §2 serve.finish, §1 calendar). Without a calendar every day
// is a working day.
func PromisedDate(sp *Spec, service string, now time.Time) (string, error) {
	n := 0
	if svc := sp.Services[service]; svc != nil {
		n = svc.PromiseDays
	}
	today := sp.BusinessDay(now)
	if sp.Calendar == nil {
		lt := now.In(sp.Location)
		return time.Date(lt.Year(), lt.Month(), lt.Day()+n, 0, 0, 0, 0, sp.Location).Format("2006-01-02"), nil
	}
	return sp.Calendar.AddWorkdays(today, n)
}

// withCase adds a case to a ticket.finished event.
func withCase(s *State, e *Event, c *CaseInfo, now time.Time) *Error {
	if c == nil {
		return nil
	}
	e.CaseKind, e.CaseNo = c.Kind, c.No
	switch c.Kind {
	case CasePromised:
		d, err := PromisedDate(s.Spec, e.Service, now)
		if err != nil {
			return Errorf(InvalidState, "无法计算承诺日期 cannot compute the promised date: %v", err)
		}
		e.PromisedDate = d
	case CaseJoint:
		e.LeadCounter = c.LeadCounter
		if e.LeadCounter == "" {
			e.LeadCounter = e.Counter
		}
	case CaseReferred:
		e.FiledUpward = true
	}
	return nil
}
