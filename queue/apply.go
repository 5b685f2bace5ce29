package queue

import "time"

// serviceEMA is the weight of the newest service time in the moving average.
const serviceEMA = 0.2

// Apply changes s by one event and fills the event's after-the-fact fields
// (counter_status, waiting). It is the only function that changes a State,
// and replaying a journal through it rebuilds the state exactly.
func Apply(s *State, e *Event) {
	if e.Seq > s.Seq {
		s.Seq = e.Seq
	}
	s.countDay(e)
	t := s.Tickets[e.TicketID]
	c := s.Counters[e.Counter]
	applyEvaluation(s, e, t)
	switch e.Kind {
	case EvDayStarted:
		s.reset(e.Day)
		for _, c := range s.Counters {
			c.Current, c.Held, c.LastFinished, c.LastVisit = "", "", "", ""
		}
		for code, b := range s.Appointments {
			if b.Day < e.Day {
				delete(s.Appointments, code)
			}
		}
	case EvTicketIssued:
		t = &Ticket{ID: e.TicketID, Number: e.Ticket, N: e.N, Service: e.Service, Channel: e.Channel,
			IDHash: e.IDHash, Appointment: e.Appointment, IssuedAt: e.At, Status: Waiting}
		if e.Slot != nil {
			t.Slot = *e.Slot
		}
		s.Issued++
		t.Order = s.Issued
		s.Tickets[t.ID] = t
		if e.N > s.NextN[e.Service] {
			s.NextN[e.Service] = e.N
		}
		if t.IDHash != "" {
			s.OpenIDs[t.Service+"|"+t.IDHash] = t.ID
		}
		if b := s.Appointments[t.Appointment]; b != nil {
			b.Used, b.TicketID = true, t.ID
		}
		s.insertWaiting(t)
	case EvTicketCalled:
		if t.Status == Waiting {
			s.removeWaiting(t)
		}
		t.Status, t.Counter, t.CalledAt, t.Recalls, t.TargetCounter = Called, e.Counter, e.At, 0, ""
		t.StaffID = c.StaffID
		c.Current = t.ID
		s.RecentCalls = append([]RecentCall{{Ticket: t.Number, Counter: e.Counter, At: e.At}}, s.RecentCalls...)
		if len(s.RecentCalls) > RecentCallsKept {
			s.RecentCalls = s.RecentCalls[:RecentCallsKept]
		}
	case EvTicketRecalled:
		t.Recalls = e.Recalls
		s.RecentCalls = append([]RecentCall{{Ticket: t.Number, Counter: e.Counter, At: e.At}}, s.RecentCalls...)
		if len(s.RecentCalls) > RecentCallsKept {
			s.RecentCalls = s.RecentCalls[:RecentCallsKept]
		}
	case EvTicketServing:
		t.Status, t.StartedAt = Serving, e.At
	case EvTicketFinished:
		start := t.StartedAt
		if start.IsZero() {
			start = t.CalledAt
		}
		if !start.IsZero() {
			secs := e.At.Sub(start).Seconds()
			if avg, ok := s.AvgService[t.Service]; ok {
				s.AvgService[t.Service] = avg + serviceEMA*(secs-avg)
			} else {
				s.AvgService[t.Service] = secs
			}
		}
		t.Status, t.FinishedAt = Done, e.At
		t.CaseKind, t.CaseNo, t.PromisedDate, t.LeadCounter = e.CaseKind, e.CaseNo, e.PromisedDate, e.LeadCounter
		s.closeTicket(t)
		if c.Current == t.ID {
			c.Current = ""
		}
		if c.Held == t.ID {
			c.Held = ""
		}
		c.LastFinished = t.ID
	case EvTicketNoShow:
		t.Status = NoShow
		c.Current = ""
		s.closeTicket(t)
	case EvTicketReinstated:
		t.Status = Waiting
		if t.IDHash != "" {
			s.OpenIDs[t.Service+"|"+t.IDHash] = t.ID
		}
		s.insertWaiting(t)
	case EvTicketTransferred:
		if c != nil && c.Current == t.ID {
			c.Current = ""
		}
		if t.IDHash != "" {
			delete(s.OpenIDs, t.Service+"|"+t.IDHash)
		}
		t.Status, t.Service, t.TargetCounter, t.Recalls = Waiting, e.Service, e.ToCounter, 0
		t.Transfers++
		if t.IDHash != "" {
			s.OpenIDs[t.Service+"|"+t.IDHash] = t.ID
		}
		s.insertWaiting(t)
	case EvTicketHeld:
		t.Status = Held
		c.Current, c.Held = "", t.ID
	case EvTicketResumed:
		t.Status = Serving
		c.Held, c.Current = "", t.ID
		if t.StartedAt.IsZero() {
			t.StartedAt = e.At
		}
	case EvTicketCancelled, EvTicketExpired:
		if t.Status == Waiting {
			s.removeWaiting(t)
		}
		for _, c := range s.Counters {
			if c.Held == t.ID {
				c.Held = ""
			}
			if c.Current == t.ID {
				c.Current = ""
			}
		}
		if e.Kind == EvTicketCancelled {
			t.Status = Cancelled
		} else {
			t.Status = Expired
		}
		s.closeTicket(t)
	case EvCounterOpened:
		if !c.Open {
			c.OpenedAt = e.At
		}
		c.Open, c.Paused, c.PauseReason = true, false, ""
		if e.StaffID != "" {
			c.StaffID = e.StaffID
		}
	case EvCounterClosed:
		c.Open, c.Paused, c.PauseReason, c.StaffID, c.OpenedAt = false, false, "", "", time.Time{}
	case EvCounterPaused:
		c.Paused, c.PauseReason = true, e.Reason
	case EvCounterResumed:
		c.Paused, c.PauseReason = false, ""
	case EvRatingSubmitted:
		t.Rated = true
	case EvAppointmentBooked, EvAppointmentCancelled, EvAppointmentMissed:
		applyAppointment(s, e)
	case EvDeviceOnline, EvDeviceOffline:
		since := e.At
		if p := s.Devices[e.Device]; p != nil && p.Online == (e.Kind == EvDeviceOnline) {
			since = p.Since // a status that only changes fw or config keeps "online since"
		}
		s.Devices[e.Device] = &DevicePresence{Online: e.Kind == EvDeviceOnline, Since: since, FW: e.FW, ConfigVersion: e.ConfigVersion,
			FWState: e.FWState, FWError: e.FWError, LastSeen: e.At}
		if e.Kind == EvDeviceOnline {
			s.Firmware.seen(s.Spec, e.Device, e.At)
		}
	case EvFirmwareImageStored, EvRolloutStarted, EvFirmwareOffered, EvFirmwareUpdated, EvFirmwareFailed, EvRolloutState:
		s.Firmware.apply(e, s.Devices)
	case EvNoticeSet:
		s.Notice = *e.Text
	case EvAlertRaised, EvAlertUpdated, EvAlertCleared:
		s.applyAlert(e)
	case EvKioskTokenIssued, EvKioskTokenRevoked:
		applyKioskToken(s, e)
	}
	if e.Kind == EvCounterOpened || e.Kind == EvCounterClosed || e.Kind == EvCounterPaused || e.Kind == EvCounterResumed {
		s.tallyCounters()
	}
	if e.Counter != "" && s.Counters[e.Counter] != nil && !aboutPastVisit(e.Kind) {
		e.CounterStatus = s.CounterStatus(e.Counter)
		s.Counters[e.Counter].markStatus(e.CounterStatus, e.At)
	}
	if e.Service != "" && e.Kind != EvAppointmentBooked && e.Kind != EvAppointmentCancelled && e.Kind != EvAppointmentMissed {
		e.Waiting = intp(s.WaitingCount(e.Service))
	}
}

// closeTicket forgets an id hash once its ticket is no longer open.
func (s *State) closeTicket(t *Ticket) {
	if t.IDHash != "" && s.OpenIDs[t.Service+"|"+t.IDHash] == t.ID {
		delete(s.OpenIDs, t.Service+"|"+t.IDHash)
	}
}

// markStatus notes when the counter's shown status changed.
func (c *Counter) markStatus(status string, at time.Time) {
	if c.Shown != status {
		c.Shown, c.StatusSince = status, at
	}
}
