package queue

// applyEvaluation applies the evaluation half of an event (visits, ratings,
// sign-in, cases, complaints). Apply calls it before its own switch, so a
// transfer's visit is recorded with the segment the ticket is leaving.
func applyEvaluation(s *State, e *Event, t *Ticket) {
	s.initEvaluation()
	switch e.Kind {
	case EvTicketFinished, EvTicketTransferred:
		if t == nil {
			return
		}
		v := &Visit{ID: visitID(t.ID, t.Transfers+1), TicketID: t.ID, Ticket: t.Number, Service: t.Service,
			Counter: e.Counter, StaffID: e.StaffID, EndedAt: e.At}
		if e.Kind == EvTicketTransferred && e.FromService != "" {
			v.Service = e.FromService
		}
		s.Visits[v.ID] = v
		s.RatePending = append(s.RatePending, v.ID)
		if c := s.Counters[e.Counter]; c != nil {
			c.LastVisit = v.ID
		}
	case EvRatingSubmitted:
		if v := s.Visits[e.Visit]; v != nil {
			v.Rated = true
		}
		s.trimPending()
	case EvRatingUnrated:
		if v := s.Visits[e.Visit]; v != nil {
			v.Unrated = true
		}
		s.trimPending()
	case EvStaffSignedIn:
		if c := s.Counters[e.Counter]; c != nil {
			c.StaffID = e.StaffID
		}
	case EvCaseOpened:
		c := &Case{ID: e.CaseID, RatingID: e.RatingID, TicketID: e.TicketID, Ticket: e.Ticket, Service: e.Service,
			Counter: e.Counter, StaffID: strp(e.StaffID), Level: e.Level, Reasons: append([]string{}, e.Reasons...),
			Text: e.RatingText, CreatedAt: e.At, Status: CaseOpen,
			History: []CaseStep{{At: e.At, Action: StepOpened}}}
		if e.VerifyBy != nil {
			c.VerifyBy = *e.VerifyBy
		}
		if e.RectifyBy != nil {
			c.RectifyBy = *e.RectifyBy
		}
		s.Cases[c.ID] = c
	case EvCaseStep:
		c := s.Cases[e.CaseID]
		if c == nil {
			return
		}
		c.Status = e.CaseStatus
		if e.FollowupLevel != nil {
			c.FollowupLevel = intp(*e.FollowupLevel)
		}
		if e.Reached != nil {
			r := *e.Reached
			c.CallbackReached = &r
		}
		c.History = append(c.History, CaseStep{At: e.At, Action: e.Action, By: strp(e.By), Note: e.Note})
	case EvComplaintLogged:
		if e.Complaint != nil {
			k := *e.Complaint
			k.History = append([]CaseStep(nil), k.History...)
			s.Complaints[k.ID] = &k
		}
	case EvComplaintStep:
		k := s.Complaints[e.ComplaintID]
		if k == nil {
			return
		}
		k.Status = e.CaseStatus
		if e.Action == ComplaintClose {
			at := e.At
			k.Outcome, k.ClosedAt = e.Note, &at
		}
		k.History = append(k.History, CaseStep{At: e.At, Action: e.Action, By: strp(e.By), Note: e.Note})
	}
}

// initEvaluation makes the evaluation maps of a state decoded from an older
// snapshot.
func (s *State) initEvaluation() {
	if s.Visits == nil {
		s.Visits = map[string]*Visit{}
	}
	if s.Cases == nil {
		s.Cases = map[string]*Case{}
	}
	if s.Complaints == nil {
		s.Complaints = map[string]*Complaint{}
	}
}

// trimPending drops decided visits from the front of RatePending.
func (s *State) trimPending() {
	i := 0
	for i < len(s.RatePending) {
		v := s.Visits[s.RatePending[i]]
		if v != nil && !v.Rated && !v.Unrated {
			break
		}
		i++
	}
	s.RatePending = s.RatePending[i:]
}

// aboutPastVisit reports whether events of kind k concern a visit that has
// ended (a rating, 未评价, a case): they carry no counter_status, so screens
// do not take their ticket for the counter's current one.
func aboutPastVisit(k Kind) bool {
	switch k {
	case EvRatingSubmitted, EvRatingUnrated, EvCaseOpened, EvCaseStep, EvComplaintLogged, EvComplaintStep:
		return true
	}
	return false
}
