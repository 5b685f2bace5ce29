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
	if !s.Spec.OpenAt(now) {
		return refuse(ServiceClosed, "当前不在办理时间 %s is closed now", c.Service)
	}
	var booking *Booking
	if c.Channel == Appointment {
		b := s.Appointments[c.AppointmentCode]
		if b == nil || b.Day != s.Day || b.Service != c.Service || b.Used {
			return refuse(UnknownAppointment, "预约码无效 appointment %q is not booked for %s today or was used", c.AppointmentCode, c.Service)
		}
		booking = b
	} else if svc.DailyQuota > 0 && s.NextN[c.Service] >= svc.DailyQuota {
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

func decideBook(s *State, now time.Time, c BookAppointment) Outcome {
	if c.Code == "" {
		return refuse(BadRequest, "缺少预约码 code is required")
	}
	if err := checkText("code", c.Code, maxCode); err != nil {
		return Outcome{Err: err}
	}
	if s.Spec.Services[c.Service] == nil {
		return refuse(UnknownService, "没有此业务 unknown service %q", c.Service)
	}
	if c.Slot.IsZero() {
		return refuse(BadRequest, "缺少预约时段 slot is required")
	}
	day := s.Spec.BusinessDay(c.Slot)
	if day < s.Day {
		return refuse(BadRequest, "预约时段已过 slot %s is in the past", day)
	}
	if s.Appointments[c.Code] != nil {
		return refuse(InvalidState, "预约码已存在 appointment %q is already booked", c.Code)
	}
	slot := c.Slot.In(s.Spec.Location)
	return Outcome{Events: []Event{{Kind: EvAppointmentBooked, At: now, Appointment: c.Code, Service: c.Service,
		Day: day, Slot: &slot}}, Result: func(*State) any { return &BookingResult{Code: c.Code, Service: c.Service, Slot: slot} }}
}

func decidePresence(s *State, now time.Time, c ReportPresence) Outcome {
	if s.Spec.Devices[c.Device] == nil {
		return refuse(BadRequest, "没有此设备 unknown device %q", c.Device)
	}
	if err := checkText("fw", c.FW, 64); err != nil {
		return Outcome{Err: err}
	}
	p := s.Devices[c.Device]
	if p != nil && p.Online == c.Online && p.FW == c.FW && p.ConfigVersion == c.ConfigVersion {
		return Outcome{Result: func(*State) any { return nil }}
	}
	kind := EvDeviceOffline
	if c.Online {
		kind = EvDeviceOnline
	}
	return Outcome{Events: []Event{{Kind: kind, At: now, Device: c.Device, FW: c.FW, ConfigVersion: c.ConfigVersion}},
		Result: func(*State) any { return nil }}
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
