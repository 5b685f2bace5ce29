package queue

import "time"

// caseNext is where each step takes a case from each status (CONTRACT §5);
// a step not listed is invalid_state.
func caseNext(status string, c StepCase) (string, *Error) {
	need := func(p *bool, name string) *Error {
		if p == nil {
			return Errorf(BadRequest, "缺少 %s %s is required", name, name)
		}
		return nil
	}
	switch c.Action {
	case StepVerify:
		if err := need(c.Valid, "valid"); err != nil {
			return "", err
		}
		if status == CaseOpen {
			if *c.Valid {
				return CaseVerified, nil
			}
			return CaseDismissed, nil
		}
	case StepRectify:
		if status == CaseVerified {
			return CaseRectified, nil
		}
	case StepCallback: // reached is recorded in the note's context; it does not change the step
		if c.Level != nil && (*c.Level < 1 || *c.Level > 5) {
			return "", Errorf(BadRequest, "追评等级须为 1-5 level must be 1-5 or null")
		}
		if status == CaseRectified {
			return CaseClosed, nil
		}
	case StepAppeal:
		if status == CaseOpen || status == CaseVerified {
			return CaseAppealed, nil
		}
	case StepReview:
		if err := need(c.Upheld, "upheld"); err != nil {
			return "", err
		}
		if status == CaseAppealed {
			if *c.Upheld {
				return CaseDismissed, nil
			}
			return CaseVerified, nil
		}
	default:
		return "", Errorf(BadRequest, "未知步骤 unknown case action %q", c.Action)
	}
	return "", Errorf(InvalidState, "案件当前为 %s，不能 %s case is %s; %s is not allowed", status, c.Action, status, c.Action)
}

// CaseActions lists the steps allowed on a case in status, for pages.
func CaseActions(status string) []string {
	switch status {
	case CaseOpen:
		return []string{StepVerify, StepAppeal}
	case CaseVerified:
		return []string{StepRectify, StepAppeal}
	case CaseRectified:
		return []string{StepCallback}
	case CaseAppealed:
		return []string{StepReview}
	}
	return []string{}
}

func decideCaseStep(s *State, now time.Time, c StepCase) Outcome {
	if err := textChars("note", c.Note, MaxNoteChars); err != nil {
		return Outcome{Err: err}
	}
	if err := checkText("by", c.By, maxStaffID); err != nil {
		return Outcome{Err: err}
	}
	k := s.Cases[c.CaseID]
	if k == nil {
		return refuse(UnknownCase, "没有此案件 unknown case %q", c.CaseID)
	}
	next, err := caseNext(k.Status, c)
	if err != nil {
		return Outcome{Err: err}
	}
	e := Event{Kind: EvCaseStep, At: now, CaseID: k.ID, RatingID: k.RatingID, Action: c.Action,
		By: c.By, Note: c.Note, CaseStatus: next}
	if c.Action == StepCallback {
		if c.Level != nil {
			e.FollowupLevel = intp(*c.Level)
		}
		if c.Reached != nil {
			r := *c.Reached
			e.Reached = &r
		}
	}
	id := k.ID
	return Outcome{Events: []Event{e}, Result: func(s *State) any { return s.Cases[id].Clone() }}
}

// Clone returns a copy of the case that shares nothing with it.
func (c *Case) Clone() *Case {
	cc := *c
	cc.Reasons = append([]string{}, c.Reasons...)
	cc.History = append([]CaseStep(nil), c.History...)
	if c.CallbackReached != nil {
		r := *c.CallbackReached
		cc.CallbackReached = &r
	}
	if c.FollowupLevel != nil {
		cc.FollowupLevel = intp(*c.FollowupLevel)
	}
	return &cc
}
