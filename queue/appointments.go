package queue

import (
	"sort"
	"strings"
	"time"
)

// Appointments (预约), CONTRACT §5: a booking names a service, a date and a
// slot [start, end); its code checks in once with ticket.take channel
// appointment from CheckInEarly before start until end, on that date. A
// booking never checked in by its end becomes appointment.missed (爽约).

// NormalizeCode is a booking code as hallq keeps it: upper case, so a code
// typed in lower case at the kiosk still matches.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// validCode reports whether code has only letters, digits, '-' and '_'.
func validCode(code string) bool {
	if code == "" || len(code) > maxCode {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// EndAt is the booking's slot end (old bookings had only a start).
func (b *Booking) EndAt() time.Time {
	if b.End.IsZero() {
		return b.Slot.Add(LegacySlotLength)
	}
	return b.End
}

// Status is where the booking stands: booked, checked_in, cancelled or missed.
func (b *Booking) Status() string {
	switch {
	case b.Used:
		return "checked_in"
	case b.Cancelled:
		return "cancelled"
	case b.Missed:
		return "missed"
	}
	return "booked"
}

// slotTimes parses a booking's date and HH:MM start and end in the hall's zone.
func slotTimes(sp *Spec, date, start, end string) (time.Time, time.Time, *Error) {
	d, err := time.ParseInLocation("2006-01-02", date, sp.Location)
	if err != nil {
		return time.Time{}, time.Time{}, Errorf(BadRequest, "日期格式错误 date must be YYYY-MM-DD, got %q", clipText(date))
	}
	st, err := ParseClock(start)
	if err != nil {
		return time.Time{}, time.Time{}, Errorf(BadRequest, "开始时间格式错误 start: %v", err)
	}
	en, err := ParseClock(end)
	if err != nil {
		return time.Time{}, time.Time{}, Errorf(BadRequest, "结束时间格式错误 end: %v", err)
	}
	if en <= st || en-st > MaxSlotLength {
		return time.Time{}, time.Time{}, Errorf(BadRequest, "预约时段须在4小时以内且结束晚于开始 end must be after start, at most 4 hours later")
	}
	at := func(c time.Duration) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), int(c/time.Hour), int(c%time.Hour/time.Minute), 0, 0, sp.Location)
	}
	return at(st), at(en), nil
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

func decideBook(s *State, now time.Time, c BookAppointment) Outcome {
	code := NormalizeCode(c.Code)
	if !validCode(code) {
		return refuse(BadRequest, "预约码须为1-32位字母、数字、-或_ code must be 1-32 letters, digits, - or _")
	}
	if s.Spec.Services[c.Service] == nil {
		return refuse(UnknownService, "没有此业务 unknown service %q", clipText(c.Service))
	}
	start, end, qe := slotTimes(s.Spec, c.Date, c.Start, c.End)
	if qe != nil {
		return Outcome{Err: qe}
	}
	days := s.Spec.Appointments.DaysAhead
	if days <= 0 {
		days = DefaultAppointmentDays
	}
	if last := now.In(s.Spec.Location).AddDate(0, 0, days).Format("2006-01-02"); c.Date > last {
		return refuse(BadRequest, "只能预约%d天内的时段 slots can be booked at most %d days ahead (until %s)", days, days, last)
	}
	if !end.After(now) {
		return refuse(InvalidState, "预约时段已结束 the slot %s %s-%s has already ended", c.Date, c.Start, c.End)
	}
	// CONTRACT §5: a closed day is invalid_state. The slot must lie in the
	// day's opening for appointments of this service (hours, calendar
	// exceptions, extra windows).
	if !s.Spec.OpenFor(start, c.Service, Appointment) || !s.Spec.OpenFor(end.Add(-time.Minute), c.Service, Appointment) {
		return refuse(InvalidState, "该时段不办理预约 the hall takes no appointments for %s on %s %s-%s (closed day or outside opening hours)",
			c.Service, c.Date, c.Start, c.End)
	}
	if s.Appointments[code] != nil {
		return refuse(InvalidState, "预约码已存在 appointment code %q is already booked", code)
	}
	taken := 0
	for _, b := range s.Appointments {
		if b.Service == c.Service && b.Slot.Equal(start) && !b.Cancelled {
			taken++
		}
	}
	if capy := s.Spec.SlotCapacity(c.Service); taken >= capy {
		return refuse(QuotaExhausted, "该时段预约已满 the slot %s %s-%s of %s is full (%d of %d booked)",
			c.Date, c.Start, c.End, c.Service, taken, capy)
	}
	return Outcome{Events: []Event{{Kind: EvAppointmentBooked, At: now, Appointment: code, Service: c.Service,
		Day: c.Date, Slot: &start, SlotStart: &start, SlotEnd: &end}}, Result: bookingNow(code)}
}

func decideCancelAppointment(s *State, now time.Time, c CancelAppointment) Outcome {
	code := NormalizeCode(c.Code)
	b := s.Appointments[code]
	if b == nil || !validCode(code) {
		return refuse(UnknownAppointment, "预约码不存在 appointment code %q is unknown", clipText(code))
	}
	switch {
	case b.Used:
		return refuse(InvalidState, "预约已签到，不能取消 appointment %s was already checked in", code)
	case b.Cancelled:
		return refuse(InvalidState, "预约已取消 appointment %s was already cancelled", code)
	case b.Missed || !b.EndAt().After(now):
		return refuse(InvalidState, "预约时段已结束 appointment %s has ended", code)
	}
	return Outcome{Events: []Event{{Kind: EvAppointmentCancelled, At: now, Appointment: code, Service: b.Service, Day: b.Day}},
		Result: bookingNow(code)}
}

// checkIn finds the booking a ticket.take with channel appointment uses, or
// says why it cannot (CONTRACT §2/§5 unknown_appointment).
func checkIn(s *State, now time.Time, service, code string) (*Booking, *Error) {
	code = NormalizeCode(code)
	b := s.Appointments[code]
	if b == nil {
		return nil, Errorf(UnknownAppointment, "预约码不存在 appointment code %q is not booked", clipText(code))
	}
	hm := func(t time.Time) string { return t.In(s.Spec.Location).Format("15:04") }
	today := s.Spec.BusinessDay(now)
	switch {
	case b.Used:
		return nil, Errorf(UnknownAppointment, "预约码已使用 appointment %s was already used (ticket %s)", code, b.TicketID)
	case b.Cancelled:
		return nil, Errorf(UnknownAppointment, "预约已取消 appointment %s was cancelled", code)
	case b.Service != service:
		return nil, Errorf(UnknownAppointment, "预约的不是此业务 appointment %s is for %s, not %s", code, b.Service, service)
	case b.Day > today:
		return nil, Errorf(UnknownAppointment, "预约日期未到 too early: appointment %s is for %s, check in from %s that day", code, b.Day, hm(b.Slot.Add(-CheckInEarly)))
	case b.Day < today:
		return nil, Errorf(UnknownAppointment, "预约已过期 too late: appointment %s was for %s", code, b.Day)
	case now.Before(b.Slot.Add(-CheckInEarly)):
		return nil, Errorf(UnknownAppointment, "签到过早，请于%s后签到 too early: appointment %s checks in from %s", hm(b.Slot.Add(-CheckInEarly)), code, hm(b.Slot.Add(-CheckInEarly)))
	case !now.Before(b.EndAt()):
		return nil, Errorf(UnknownAppointment, "预约时段已过 too late: appointment %s ended at %s", code, hm(b.EndAt()))
	}
	return b, nil
}

// MissedAppointments returns an appointment.missed event for each booking
// whose slot ended at now without a check-in or cancellation (预约爽约).
// The hall runtime calls it on its tick, before Rollover.
func MissedAppointments(s *State, now time.Time) []Event {
	var evs []Event
	for _, b := range s.Appointments {
		if !b.Used && !b.Cancelled && !b.Missed && !now.Before(b.EndAt()) {
			evs = append(evs, Event{Kind: EvAppointmentMissed, At: now, Appointment: b.Code, Service: b.Service, Day: b.Day})
		}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].Appointment < evs[j].Appointment })
	return evs
}

// applyAppointment applies appointment.booked, .cancelled and .missed.
func applyAppointment(s *State, e *Event) {
	switch e.Kind {
	case EvAppointmentBooked:
		b := &Booking{Code: e.Appointment, Service: e.Service, Day: e.Day}
		switch {
		case e.SlotStart != nil:
			b.Slot = *e.SlotStart
		case e.Slot != nil: // journals from before slots had an end
			b.Slot = *e.Slot
		}
		if e.SlotEnd != nil {
			b.End = *e.SlotEnd
		}
		s.Appointments[e.Appointment] = b
	case EvAppointmentCancelled:
		if b := s.Appointments[e.Appointment]; b != nil {
			b.Cancelled = true
		}
	case EvAppointmentMissed:
		if b := s.Appointments[e.Appointment]; b != nil {
			b.Missed = true
		}
	}
}

// bookingNow describes a booking as it is after the events.
func bookingNow(code string) func(s *State) any {
	return func(s *State) any {
		b := s.Appointments[code]
		return BookingOf(s.Spec, b)
	}
}

// BookingOf describes a booking for replies and listings.
func BookingOf(sp *Spec, b *Booking) *BookingResult {
	loc := sp.Location
	return &BookingResult{Code: b.Code, Service: b.Service, Date: b.Day,
		Start: b.Slot.In(loc).Format("15:04"), End: b.EndAt().In(loc).Format("15:04"),
		CheckInFrom: b.Slot.Add(-CheckInEarly).In(loc), CheckInUntil: b.EndAt().In(loc),
		Status: b.Status(), TicketID: b.TicketID}
}

// AppointmentCounts counts a day's bookings by status.
func AppointmentCounts(s *State, day string) map[string]int {
	out := map[string]int{"booked": 0, "checked_in": 0, "cancelled": 0, "missed": 0}
	for _, b := range s.Appointments {
		if b.Day == day {
			out[b.Status()]++
		}
	}
	return out
}
