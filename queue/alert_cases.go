package queue

import "time"

// CaseAlert is what the 差评 case rules need of one case (CONTRACT §5
// cases). The cases live in State.Cases on the evaluation branch (issue 11);
// until that merges, CaseRules takes a function that lists them.
type CaseAlert struct {
	ID        string
	Status    string // open | verified | rectified | closed | dismissed | appealed
	Counter   string
	Service   string
	CreatedAt time.Time
	VerifyBy  time.Time
	RectifyBy time.Time
}

// CaseRules are the bad_rating and case_overdue rules (CONTRACT §3) over
// the cases that cases lists in s; append them to AlertRules():
//
//	rules := append(queue.AlertRules(), queue.CaseRules(listCases)...)
func CaseRules(cases func(s *State) []CaseAlert) []AlertRule {
	return []AlertRule{
		// bad_rating (per case, yellow only): a 差评 was given; cleared when
		// its case leaves open. value_s: seconds past verify_by, 0 before it.
		func(s *State, now time.Time, out []Condition) []Condition {
			for _, c := range cases(s) {
				if c.Status == "open" {
					out = append(out, Condition{Kind: AlertBadRating, Level: Yellow, CaseID: c.ID, Counter: c.Counter,
						Service: c.Service, Start: c.CreatedAt, Value: max(now.Sub(c.VerifyBy), 0)})
				}
			}
			return out
		},
		// case_overdue (per case, red only): open past verify_by, or verified
		// past rectify_by; value_s: the seconds past that due time.
		func(s *State, now time.Time, out []Condition) []Condition {
			for _, c := range cases(s) {
				due := time.Time{}
				switch c.Status {
				case "open":
					due = c.VerifyBy
				case "verified":
					due = c.RectifyBy
				}
				if !due.IsZero() && now.After(due) {
					out = append(out, Condition{Kind: AlertCaseOverdue, Level: Red, CaseID: c.ID, Counter: c.Counter,
						Service: c.Service, Start: due, Value: now.Sub(due)})
				}
			}
			return out
		},
	}
}
