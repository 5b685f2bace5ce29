package queue

import (
	"fmt"
	"sort"
	"time"
)

// Outcome is what a command causes: the events to journal, how to describe
// the result once they are applied, and a refusal. A refusal may come with
// events that stand anyway (CONTRACT §2: call.next finishes the current ticket
// even when it then answers queue_empty).
type Outcome struct {
	Events []Event
	Result func(s *State) any
	Err    *Error
}

func refuse(code Code, format string, args ...any) Outcome {
	return Outcome{Err: Errorf(code, format, args...)}
}

// Decide returns what cmd causes in s at time now; it never changes s.
// The caller applies the events in order with Apply and then calls Result.
func Decide(s *State, now time.Time, cmd Command) Outcome {
	switch c := cmd.(type) {
	case TakeTicket:
		return decideTake(s, now, c)
	case OpenCounter:
		return decideOpen(s, now, c)
	case CloseCounter:
		return decideClose(s, now, c)
	case PauseCounter:
		return decidePause(s, now, c)
	case ResumeCounter:
		return decideResumeCounter(s, now, c)
	case CallNext:
		return decideCallNext(s, now, c)
	case Recall:
		return decideRecall(s, now, c)
	case CallNumber:
		return decideCallNumber(s, now, c)
	case StartServing:
		return decideStart(s, now, c)
	case Finish:
		return decideFinish(s, now, c)
	case MarkNoShow:
		return decideNoShow(s, now, c)
	case Transfer:
		return decideTransfer(s, now, c)
	case Hold:
		return decideHold(s, now, c)
	case ResumeHeld:
		return decideResumeHeld(s, now, c)
	case Reinstate:
		return decideReinstate(s, now, c)
	case Cancel:
		return decideCancel(s, now, c)
	case SubmitRating:
		return decideRating(s, now, c)
	case BookAppointment:
		return decideBook(s, now, c)
	case CancelAppointment:
		return decideCancelAppointment(s, now, c)
	case ReportPresence:
		return decidePresence(s, now, c)
	case SetNotice:
		return decideNotice(s, now, c)
	case StoreFirmwareImage:
		return decideStoreImage(s, now, c)
	case StartRollout:
		return decideStartRollout(s, now, c)
	case HaltRollout:
		return decideHalt(s, now, c)
	case RollbackRollout:
		return decideRollback(s, now, c)
	case IssueKioskToken:
		return decideIssueKioskToken(s, now, c)
	case RevokeKioskToken:
		return decideRevokeKioskToken(s, now, c)
	case SignIn:
		return decideSignIn(s, now, c)
	case StepCase:
		return decideCaseStep(s, now, c)
	case LogComplaint:
		return decideComplaint(s, now, c)
	case StepComplaint:
		return decideComplaintStep(s, now, c)
	}
	return refuse(BadRequest, "未知操作 unknown command %T", cmd)
}

// Rollover returns the events that end the state's business day and start
// the one now falls in: open tickets expire with a reason, counters close,
// numbering starts again. It returns nil when now is in the state's day or
// before it: a clock stepped back never reruns a rollover (numbers would be
// issued again).
func Rollover(s *State, now time.Time) []Event {
	day := s.Spec.BusinessDay(now)
	if day <= s.Day { // YYYY-MM-DD: the business day only moves forward, whatever the clock says
		return nil
	}
	var evs []Event
	if s.Day != "" {
		for _, svc := range sortedKeys(s.Tickets) {
			t := s.Tickets[svc]
			if t.Status.Open() {
				evs = append(evs, Event{Kind: EvTicketExpired, At: now, TicketID: t.ID, Ticket: t.Number,
					Service: t.Service, Counter: t.Counter, Reason: "day_end"})
			}
		}
		for _, id := range s.Spec.CounterOrder {
			if s.Counters[id].Open {
				evs = append(evs, Event{Kind: EvCounterClosed, At: now, Counter: id, Reason: "day_end"})
			}
		}
	}
	return append(evs, Event{Kind: EvDayStarted, At: now, Day: day})
}

// counterFor checks a counter exists and is open.
func counterFor(s *State, id string) (*Counter, *Error) {
	c := s.Counters[id]
	if c == nil {
		return nil, Errorf(BadRequest, "没有此窗口 unknown counter %q", id)
	}
	if !c.Open {
		return nil, Errorf(CounterClosed, "窗口未开启 counter %s is closed", id)
	}
	return c, nil
}

// callingCounter checks a counter may call now.
func callingCounter(s *State, id string) (*Counter, *Error) {
	c, err := counterFor(s, id)
	if err != nil {
		return nil, err
	}
	if c.Paused {
		return nil, Errorf(InvalidState, "窗口已暂停 counter %s is paused", id)
	}
	return c, nil
}

// current returns the counter's called or serving ticket, or nil.
func current(s *State, c *Counter) *Ticket {
	if c.Current == "" {
		return nil
	}
	return s.Tickets[c.Current]
}

func finishEvent(t *Ticket, c *Counter, now time.Time) Event {
	start := t.StartedAt
	if start.IsZero() {
		start = t.CalledAt
	}
	return Event{Kind: EvTicketFinished, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.ID, StaffID: c.StaffID, ServedS: intp(int(now.Sub(start).Seconds()))}
}

func calledEvent(t *Ticket, c *Counter, now time.Time) Event {
	return Event{Kind: EvTicketCalled, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service,
		Counter: c.ID, StaffID: c.StaffID, Channel: t.Channel, WaitedS: intp(int(now.Sub(t.IssuedAt).Seconds()))}
}

// ticketNow describes a ticket as it is in s after the events.
func ticketNow(id string) func(s *State) any {
	return func(s *State) any {
		t := s.Tickets[id]
		return ticketResult(t, t.Status, t.Counter)
	}
}

// calledNow describes a called ticket with how long it waited.
func calledNow(id string, now time.Time) func(s *State) any {
	return func(s *State) any {
		t := s.Tickets[id]
		r := ticketResult(t, t.Status, t.Counter)
		r.WaitedS = intp(int(now.Sub(t.IssuedAt).Seconds()))
		return r
	}
}

// counterNow describes a counter as it is in s after the events.
func counterNow(id string) func(s *State) any {
	return func(s *State) any {
		c := s.Counters[id]
		r := &CounterResult{Counter: id, Status: s.CounterStatus(id), StaffID: strp(c.StaffID), Reason: c.PauseReason}
		if t := current(s, c); t != nil {
			r.Ticket, r.Service = strp(t.Number), strp(t.Service)
		}
		return r
	}
}

func checkText(field, v string, max int) *Error {
	if len(v) > max {
		return Errorf(BadRequest, "%s 过长 %s longer than %d bytes", field, field, max)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return Errorf(BadRequest, "%s 含控制字符 %s has control characters", field, field)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func formatNumber(prefix string, n int) string { return fmt.Sprintf("%s%03d", prefix, n) }

func sortTickets(ts []*Ticket, less func(a, b *Ticket) bool) {
	sort.SliceStable(ts, func(i, j int) bool { return less(ts[i], ts[j]) })
}
