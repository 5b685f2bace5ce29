package queue

import (
	"strings"
	"time"
)

func decideCallNext(s *State, now time.Time, c CallNext) Outcome {
	ct, err := callingCounter(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	var evs []Event
	if t := current(s, ct); t != nil {
		evs = append(evs, finishEvent(t, ct, now))
	}
	next := NextFor(s, c.Counter, now)
	if next == nil { // the finish stands (CONTRACT §2)
		return Outcome{Events: evs, Err: Errorf(QueueEmpty, "暂无等候 nobody is waiting for counter %s", c.Counter)}
	}
	evs = append(evs, calledEvent(next, ct, now))
	return Outcome{Events: evs, Result: calledNow(next.ID, now)}
}

func decideCallNumber(s *State, now time.Time, c CallNumber) Outcome {
	number := strings.ToUpper(strings.TrimSpace(c.Number))
	if number == "" || len(number) > maxNumber {
		return refuse(BadRequest, "号码无效 number must be 1-%d characters", maxNumber)
	}
	ct, err := callingCounter(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := s.TicketByNumber(number)
	if t == nil {
		return refuse(UnknownTicket, "今日没有 %s unknown ticket %s", number, number)
	}
	if t.Status != Waiting && t.Status != NoShow {
		return refuse(InvalidState, "%s 当前为 %s，不能呼叫 cannot be called", number, t.Status)
	}
	var evs []Event
	if cur := current(s, ct); cur != nil {
		evs = append(evs, finishEvent(cur, ct, now))
	}
	if t.Status == NoShow { // CONTRACT §2: a no-show is reinstated by call.number
		evs = append(evs, Event{Kind: EvTicketReinstated, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service, Counter: c.Counter})
	}
	evs = append(evs, calledEvent(t, ct, now))
	return Outcome{Events: evs, Result: calledNow(t.ID, now)}
}

func decideRecall(s *State, now time.Time, c Recall) Outcome {
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil || t.Status != Called {
		return refuse(InvalidState, "没有正在呼叫的号 nothing called at counter %s", c.Counter)
	}
	if t.Recalls >= s.Spec.RecallLimit {
		return refuse(InvalidState, "已达重呼上限 %s was recalled %d times, the limit", t.Number, t.Recalls)
	}
	return Outcome{Events: []Event{{Kind: EvTicketRecalled, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.Counter, StaffID: ct.StaffID, Recalls: t.Recalls + 1}}, Result: func(s *State) any {
		r := ticketResult(s.Tickets[t.ID], Called, c.Counter)
		r.Recalls = intp(s.Tickets[t.ID].Recalls)
		return r
	}}
}

func decideStart(s *State, now time.Time, c StartServing) Outcome {
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil || t.Status != Called {
		return refuse(InvalidState, "没有已呼叫待办理的号 nothing called at counter %s", c.Counter)
	}
	return Outcome{Events: []Event{{Kind: EvTicketServing, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.Counter, StaffID: ct.StaffID}}, Result: ticketNow(t.ID)}
}

func decideFinish(s *State, now time.Time, c Finish) Outcome {
	if c.Case != nil {
		if err := checkCase(s, c.Case); err != nil {
			return Outcome{Err: err}
		}
	}
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil {
		return refuse(InvalidState, "没有正在办理的号 nothing being served at counter %s", c.Counter)
	}
	e := finishEvent(t, ct, now)
	if err := withCase(s, &e, c.Case, now); err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Events: []Event{e}, Result: ticketNow(t.ID)}
}

func decideNoShow(s *State, now time.Time, c MarkNoShow) Outcome {
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil || t.Status != Called {
		return refuse(InvalidState, "没有已呼叫的号 nothing called at counter %s", c.Counter)
	}
	return Outcome{Events: []Event{{Kind: EvTicketNoShow, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.Counter, StaffID: ct.StaffID}}, Result: ticketNow(t.ID)}
}

func decideTransfer(s *State, now time.Time, c Transfer) Outcome {
	if (c.ToService == "") == (c.ToCounter == "") {
		return refuse(BadRequest, "须指定 to_service 或 to_counter 之一 give exactly one of to_service or to_counter")
	}
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil {
		return refuse(InvalidState, "没有可转移的号 nothing called or served at counter %s", c.Counter)
	}
	e := Event{Kind: EvTicketTransferred, At: now, TicketID: t.ID, Ticket: t.Number, Counter: c.Counter,
		StaffID: ct.StaffID, FromService: t.Service, Service: t.Service}
	if c.ToService != "" {
		if s.Spec.Services[c.ToService] == nil {
			return refuse(UnknownService, "没有此业务 unknown service %q", c.ToService)
		}
		e.ToService, e.Service = c.ToService, c.ToService
	} else {
		if s.Spec.Counters[c.ToCounter] == nil {
			return refuse(BadRequest, "没有此窗口 unknown counter %q", c.ToCounter)
		}
		e.ToCounter = c.ToCounter
	}
	return Outcome{Events: []Event{e}, Result: func(s *State) any {
		r := ticketResult(s.Tickets[t.ID], Waiting, "")
		r.WaitingAhead = intp(AheadOf(s, s.Tickets[t.ID], now))
		return r
	}}
}

func decideHold(s *State, now time.Time, c Hold) Outcome {
	if err := checkText("reason", c.Reason, maxReason); err != nil {
		return Outcome{Err: err}
	}
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	t := current(s, ct)
	if t == nil {
		return refuse(InvalidState, "没有可挂起的号 nothing called or served at counter %s", c.Counter)
	}
	if ct.Held != "" {
		return refuse(InvalidState, "本窗口已有挂起的号 counter %s already holds %s", c.Counter, s.Tickets[ct.Held].Number)
	}
	return Outcome{Events: []Event{{Kind: EvTicketHeld, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.Counter, StaffID: ct.StaffID, Reason: c.Reason}}, Result: ticketNow(t.ID)}
}

func decideResumeHeld(s *State, now time.Time, c ResumeHeld) Outcome {
	ct, err := counterFor(s, c.Counter)
	if err != nil {
		return Outcome{Err: err}
	}
	if ct.Held == "" {
		return refuse(InvalidState, "本窗口没有挂起的号 counter %s holds no ticket", c.Counter)
	}
	held := s.Tickets[ct.Held]
	var evs []Event
	if cur := current(s, ct); cur != nil { // CONTRACT §2: a ticket the counter holds is finished first
		evs = append(evs, finishEvent(cur, ct, now))
	}
	evs = append(evs, Event{Kind: EvTicketResumed, At: now, TicketID: held.ID, Ticket: held.Number, Service: held.Service,
		Counter: c.Counter, StaffID: ct.StaffID})
	return Outcome{Events: evs, Result: ticketNow(held.ID)}
}
