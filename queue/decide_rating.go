package queue

import "time"

// checkRating checks a rating's level, dims, reasons and text (CONTRACT §2
// rating.submit); anything else is bad_request and nothing is stored.
func checkRating(c SubmitRating) *Error {
	if c.Level < 1 || c.Level > 5 {
		return Errorf(BadRequest, "评价等级须为 1-5 level must be an integer 1-5")
	}
	for k, v := range c.Dims {
		if !isDimKey(k) {
			return Errorf(BadRequest, "未知评价维度 %q unknown dim; dims are approval, efficiency, attitude, fees, integrity", k)
		}
		if v < 1 || v > 5 {
			return Errorf(BadRequest, "评价维度 %s 须为 1-5 dim %s must be an integer 1-5", k, k)
		}
	}
	if len(c.Reasons) > MaxReasons {
		return Errorf(BadRequest, "评价原因过多 at most %d reasons", MaxReasons)
	}
	for _, r := range c.Reasons {
		if r == "" {
			return Errorf(BadRequest, "评价原因为空 a reason is empty")
		}
		if err := textChars("reasons", r, MaxReasonChars); err != nil {
			return err
		}
	}
	return textChars("text", c.Text, MaxRatingText)
}

// rateableVisit finds the visit a rating at counter is for: the counter's
// latest visit, or the latest visit of ticketID at this counter.
func rateableVisit(s *State, counter, ticketID string) (*Visit, *Error) {
	ct := s.Counters[counter]
	if ticketID == "" {
		if v := s.Visits[ct.LastVisit]; v != nil {
			return v, nil
		}
		return nil, Errorf(NothingToRate, "暂无可评价的办件 nothing to rate at counter %s", counter)
	}
	t := s.Tickets[ticketID]
	if t == nil {
		return nil, Errorf(UnknownTicket, "没有此号 unknown ticket %q", ticketID)
	}
	for seg := t.Transfers + 1; seg >= 1; seg-- {
		if v := s.Visits[visitID(t.ID, seg)]; v != nil && v.Counter == counter {
			return v, nil
		}
	}
	return nil, Errorf(NothingToRate, "%s 未在本窗口办结 was not served at counter %s", t.Number, counter)
}

func decideRating(s *State, now time.Time, c SubmitRating) Outcome {
	if err := checkRating(c); err != nil {
		return Outcome{Err: err}
	}
	if s.Counters[c.Counter] == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	v, err := rateableVisit(s, c.Counter, c.TicketID)
	if err != nil {
		return Outcome{Err: err}
	}
	if v.Rated {
		return refuse(AlreadyRated, "%s 已评价 is already rated", v.Ticket)
	}
	if v.Unrated || now.Sub(v.EndedAt) > s.Spec.RatingWindow {
		return refuse(NothingToRate, "评价时间已过 the rating window of %s has closed", v.Ticket)
	}
	e := Event{Kind: EvRatingSubmitted, At: now, TicketID: v.TicketID, Ticket: v.Ticket, Service: v.Service,
		Counter: c.Counter, StaffID: v.StaffID, Level: c.Level, Dims: c.Dims, Visit: v.ID, RatingID: RatingID(v.ID),
		Reasons: c.Reasons, RatingText: c.Text}
	evs := []Event{e}
	if c.Level <= 2 { // CONTRACT §5: every 差评 opens a case in the same durable change
		evs[0].CaseID = CaseID(v.ID)
		verify, rectify := s.Spec.dueBy(now, s.Spec.VerifyDays), s.Spec.dueBy(now, s.Spec.RectifyDays)
		evs = append(evs, Event{Kind: EvCaseOpened, At: now, CaseID: CaseID(v.ID), RatingID: RatingID(v.ID),
			TicketID: v.TicketID, Ticket: v.Ticket, Service: v.Service, Counter: c.Counter, StaffID: v.StaffID,
			Level: c.Level, Reasons: c.Reasons, RatingText: c.Text, VerifyBy: &verify, RectifyBy: &rectify})
	}
	return Outcome{Events: evs, Result: func(*State) any {
		r := &RatingResult{RatingID: RatingID(v.ID), TicketID: v.TicketID, Ticket: v.Ticket, Service: v.Service,
			Counter: c.Counter, StaffID: strp(v.StaffID), Level: c.Level, LevelName: LevelName(c.Level), Dims: c.Dims,
			Reasons: c.Reasons, Text: c.Text, At: now}
		if c.Level <= 2 {
			r.CaseID = strp(CaseID(v.ID))
		}
		return r
	}}
}
