package queue

import "time"

func decideRating(s *State, now time.Time, c SubmitRating) Outcome {
	if c.Level < 1 || c.Level > 5 {
		return refuse(BadRequest, "评价等级须为 1-5 level must be an integer 1-5")
	}
	if len(c.Dims) > maxDims {
		return refuse(BadRequest, "评价维度过多 at most %d dims", maxDims)
	}
	for k, v := range c.Dims {
		if k == "" || len(k) > maxDimKey || v < 1 || v > 5 {
			return refuse(BadRequest, "评价维度无效 dims must map names of 1-%d bytes to levels 1-5", maxDimKey)
		}
	}
	ct := s.Counters[c.Counter]
	if ct == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	id := c.TicketID
	if id == "" {
		id = ct.LastFinished
		if id == "" {
			return refuse(NothingToRate, "暂无可评价的办件 nothing to rate at counter %s", c.Counter)
		}
	}
	t := s.Tickets[id]
	if t == nil {
		return refuse(UnknownTicket, "没有此号 unknown ticket %q", id)
	}
	if t.Status != Done || t.Counter != c.Counter {
		return refuse(NothingToRate, "%s 未在本窗口办结 was not finished at counter %s", t.Number, c.Counter)
	}
	if t.Rated {
		return refuse(AlreadyRated, "%s 已评价 is already rated", t.Number)
	}
	if now.Sub(t.FinishedAt) > s.Spec.RatingWindow {
		return refuse(NothingToRate, "评价时间已过 the rating window of %s has closed", t.Number)
	}
	e := Event{Kind: EvRatingSubmitted, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.Counter, StaffID: t.StaffID, Level: c.Level, Dims: c.Dims}
	return Outcome{Events: []Event{e}, Result: func(*State) any {
		return &RatingResult{TicketID: t.ID, Ticket: t.Number, Service: t.Service, Counter: c.Counter,
			StaffID: strp(t.StaffID), Level: c.Level, LevelName: LevelName(c.Level), Dims: c.Dims, At: now}
	}}
}
