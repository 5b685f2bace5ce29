package queue

import "time"

func decideOpen(s *State, now time.Time, c OpenCounter) Outcome {
	if err := checkText("staff_id", c.StaffID, maxStaffID); err != nil {
		return Outcome{Err: err}
	}
	ct := s.Counters[c.Counter]
	if ct == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	if c.StaffID != "" {
		if err := checkStaff(s, c.Counter, c.StaffID); err != nil {
			return Outcome{Err: err}
		}
	}
	if ct.Open { // CONTRACT §2: open on an open counter succeeds and changes nothing
		if c.StaffID != "" && c.StaffID != ct.StaffID { // …unless someone else signs in: a handover (AB岗)
			return Outcome{Events: []Event{signedIn(ct, c.StaffID, now)}, Result: counterNow(c.Counter)}
		}
		return Outcome{Result: counterNow(c.Counter)}
	}
	evs := []Event{{Kind: EvCounterOpened, At: now, Counter: c.Counter, StaffID: c.StaffID}}
	if c.StaffID != "" && c.StaffID != ct.StaffID { // sign-in is a journal event (attendance), once
		evs = append(evs, Event{Kind: EvStaffSignedIn, At: now, Counter: c.Counter, StaffID: c.StaffID})
	}
	return Outcome{Events: evs, Result: counterNow(c.Counter)}
}

func decideClose(s *State, now time.Time, c CloseCounter) Outcome {
	ct := s.Counters[c.Counter]
	if ct == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	if !ct.Open {
		return Outcome{Result: counterNow(c.Counter)}
	}
	var evs []Event
	if t := current(s, ct); t != nil {
		evs = append(evs, finishEvent(t, ct, now))
	}
	evs = append(evs, Event{Kind: EvCounterClosed, At: now, Counter: c.Counter, StaffID: ct.StaffID})
	return Outcome{Events: evs, Result: counterNow(c.Counter)}
}

func decidePause(s *State, now time.Time, c PauseCounter) Outcome {
	if err := checkText("reason", c.Reason, maxReason); err != nil {
		return Outcome{Err: err}
	}
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	if ct.Paused {
		return Outcome{Result: counterNow(c.Counter)}
	}
	return Outcome{Events: []Event{{Kind: EvCounterPaused, At: now, Counter: c.Counter, Reason: c.Reason, StaffID: ct.StaffID}},
		Result: counterNow(c.Counter)}
}

func decideResumeCounter(s *State, now time.Time, c ResumeCounter) Outcome {
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	if !ct.Paused {
		return Outcome{Result: counterNow(c.Counter)}
	}
	return Outcome{Events: []Event{{Kind: EvCounterResumed, At: now, Counter: c.Counter, StaffID: ct.StaffID}},
		Result: counterNow(c.Counter)}
}
