package queue

import "time"

// Bounds on outside input (CONTRACT §2: values out of range are bad_request).
const (
	maxIDHash   = 128
	maxCode     = 32
	maxReason   = 200
	maxStaffID  = 64
	maxNumber   = 16
	maxNoticeLn = 500
)

func decideTake(s *State, now time.Time, c TakeTicket) Outcome {
	if c.Channel == "" {
		c.Channel = WalkIn
	}
	switch c.Channel {
	case WalkIn, Green, Appointment:
	default:
		return refuse(BadRequest, "未知取号渠道 unknown channel %q", c.Channel)
	}
	if err := checkText("id_hash", c.IDHash, maxIDHash); err != nil {
		return Outcome{Err: err}
	}
	if c.Channel == Appointment {
		if c.AppointmentCode == "" {
			return refuse(BadRequest, "缺少预约码 appointment_code is required")
		}
		if err := checkText("appointment_code", c.AppointmentCode, maxCode); err != nil {
			return Outcome{Err: err}
		}
	}
	svc := s.Spec.Services[c.Service]
	if svc == nil {
		return refuse(UnknownService, "没有此业务 unknown service %q", c.Service)
	}
	var booking *Booking
	if c.Channel == Appointment {
		// CONTRACT §5: a booked code checks in from 30 min before its slot
		// until its end, on its date, once; the booking was checked against
		// the day's opening when it was made, so hours are not asked again.
		b, err := checkIn(s, now, c.Service, c.AppointmentCode)
		if err != nil {
			return Outcome{Err: err}
		}
		booking = b
	} else if !s.Spec.OpenFor(now, c.Service, c.Channel) {
		return refuse(ServiceClosed, "当前不在办理时间 %s is closed now", c.Service)
	}
	if c.Channel != Appointment && svc.DailyQuota > 0 && s.NextN[c.Service] >= svc.DailyQuota {
		return refuse(QuotaExhausted, "今日号源已满 daily quota of %s (%d) is exhausted", c.Service, svc.DailyQuota)
	}
	if c.IDHash != "" {
		if id, ok := s.OpenIDs[c.Service+"|"+c.IDHash]; ok {
			return refuse(DuplicateTicket, "您已有该业务的排队号 %s already holds an open ticket for %s", s.Tickets[id].Number, c.Service)
		}
	}
	n := s.NextN[c.Service] + 1
	number := formatNumber(svc.Prefix, n)
	t := &Ticket{ID: TicketID(s.Day, number), Service: c.Service, Channel: c.Channel, IssuedAt: now, Order: s.Issued + 1}
	e := Event{Kind: EvTicketIssued, At: now, TicketID: t.ID, Ticket: number, N: n, Service: c.Service,
		Channel: c.Channel, IDHash: c.IDHash}
	if booking != nil {
		t.Slot = booking.Slot
		slot := booking.Slot
		e.Appointment, e.Slot = booking.Code, &slot
	}
	ahead := s.WaitingCount(c.Service) // the newest walk-in: everyone waiting is ahead
	if rank(s.Spec, t, now) < 2 {
		ahead = AheadOf(s, t, now)
	}
	est := EstimateWait(s, c.Service, ahead)
	e.WaitingAhead, e.EstWaitS = intp(ahead), intp(est)
	return Outcome{Events: []Event{e}, Result: func(s *State) any {
		r := ticketResult(s.Tickets[t.ID], Waiting, "")
		r.WaitingAhead, r.EstWaitS = intp(ahead), intp(est)
		return r
	}}
}

func decideReinstate(s *State, now time.Time, c Reinstate) Outcome {
	t := s.Tickets[c.TicketID]
	if t == nil {
		return refuse(UnknownTicket, "没有此号 unknown ticket %q", c.TicketID)
	}
	if t.Status != NoShow {
		return refuse(InvalidState, "%s 不是过号状态 is %s, not no_show", t.Number, t.Status)
	}
	return Outcome{Events: []Event{{Kind: EvTicketReinstated, At: now, TicketID: t.ID, Ticket: t.Number, Service: t.Service}},
		Result: ticketNow(t.ID)}
}

func decideCancel(s *State, now time.Time, c Cancel) Outcome {
	if err := checkText("reason", c.Reason, maxReason); err != nil {
		return Outcome{Err: err}
	}
	t := s.Tickets[c.TicketID]
	if t == nil {
		return refuse(UnknownTicket, "没有此号 unknown ticket %q", c.TicketID)
	}
	if t.Status != Waiting && t.Status != Held {
		return refuse(InvalidState, "%s 当前为 %s，不能取消 cannot be cancelled", t.Number, t.Status)
	}
	return Outcome{Events: []Event{{Kind: EvTicketCancelled, At: now, TicketID: t.ID, Ticket: t.Number,
		Service: t.Service, Reason: c.Reason}}, Result: ticketNow(t.ID)}
}

func decidePresence(s *State, now time.Time, c ReportPresence) Outcome {
	if s.Spec.Devices[c.Device] == nil {
		return refuse(BadRequest, "没有此设备 unknown device %q", c.Device)
	}
	if err := checkText("fw", c.FW, 64); err != nil {
		return Outcome{Err: err}
	}
	if c.FWState != "" && !ValidFWState(c.FWState) { // CONTRACT §6 fw_state
		return refuse(BadRequest, "fw_state 无效 fw_state %q is not idle, downloading, installing or failed", c.FWState)
	}
	if err := checkText("fw_error", c.FWError, maxFWErrorLen); err != nil {
		return Outcome{Err: err}
	}
	p := s.Devices[c.Device]
	if p != nil && p.Online == c.Online && p.FW == c.FW && p.ConfigVersion == c.ConfigVersion && p.FWState == c.FWState && p.FWError == c.FWError {
		return Outcome{Result: func(*State) any { return nil }}
	}
	kind := EvDeviceOffline
	if c.Online {
		kind = EvDeviceOnline
	}
	evs := []Event{{Kind: kind, At: now, Device: c.Device, FW: c.FW, ConfigVersion: c.ConfigVersion, FWState: c.FWState, FWError: c.FWError}}
	return Outcome{Events: append(evs, firmwareProgress(s, now, c)...), Result: func(*State) any { return nil }}
}

func decideNotice(s *State, now time.Time, c SetNotice) Outcome {
	if err := checkText("text.zh", c.Text.Zh, maxNoticeLn); err != nil {
		return Outcome{Err: err}
	}
	if err := checkText("text.en", c.Text.En, maxNoticeLn); err != nil {
		return Outcome{Err: err}
	}
	text := c.Text
	return Outcome{Events: []Event{{Kind: EvNoticeSet, At: now, Text: &text}}, Result: func(*State) any { return text }}
}
