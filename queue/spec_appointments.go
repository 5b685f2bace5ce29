package queue

import (
	"time"
)

// AppointmentSpec holds the appointment rules (CONTRACT §5, docs/appointments.md).
type AppointmentSpec struct {
	Capacity  int // bookings per service and slot when the service sets none
	DaysAhead int // how many days ahead a slot may be booked
}

// Appointment defaults: 4 bookings per slot, up to 30 days ahead.
const (
	DefaultAppointmentCapacity = 4
	DefaultAppointmentDays     = 30
	// MaxSlotLength bounds one slot's length.
	MaxSlotLength = 4 * time.Hour
	// CheckInEarly is how long before its slot's start a booking may check in (CONTRACT §5).
	CheckInEarly = 30 * time.Minute
	// LegacySlotLength is the slot length of bookings journalled before slots had an end.
	LegacySlotLength = 30 * time.Minute
)

// ExtraHours opens the hall outside its hours for some tickets only: early
// (先时) or extended (延时) service, a holiday appointment session, or a fast
// lane's named services (绿色通道 for major projects). The calling rule is
// not affected: counters call whatever waits.
type ExtraHours struct {
	Date             string         // YYYY-MM-DD; empty = every week on Days
	Days             []time.Weekday // used when Date is empty
	Open, Close      time.Duration  // since local midnight
	AppointmentsOnly bool           // only appointment check-ins (and bookings)
	Services         []string       // only these services; empty = every service
}

// covers reports whether the window opens t (hall-local) for service and channel.
func (x *ExtraHours) covers(lt time.Time, since time.Duration, service, channel string) bool {
	if since < x.Open || since >= x.Close {
		return false
	}
	if x.Date != "" {
		if x.Date != lt.Format("2006-01-02") {
			return false
		}
	} else {
		hit := false
		for _, d := range x.Days {
			hit = hit || d == lt.Weekday()
		}
		if !hit {
			return false
		}
	}
	if x.AppointmentsOnly && channel != Appointment {
		return false
	}
	if len(x.Services) == 0 {
		return true
	}
	for _, s := range x.Services {
		if s == service {
			return true
		}
	}
	return false
}

// OpenFor reports whether the hall takes a ticket of service through
// channel at t: when it is open (OpenAt), or an extra window opens it for
// that service or channel.
func (sp *Spec) OpenFor(t time.Time, service, channel string) bool {
	if sp.OpenAt(t) {
		return true
	}
	lt := t.In(sp.Location)
	since := lt.Sub(time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, sp.Location))
	for i := range sp.ExtraHours {
		if sp.ExtraHours[i].covers(lt, since, service, channel) {
			return true
		}
	}
	return false
}

// SlotCapacity is how many bookings one slot of service takes.
func (sp *Spec) SlotCapacity(service string) int {
	if svc := sp.Services[service]; svc != nil && svc.AppointmentCapacity > 0 {
		return svc.AppointmentCapacity
	}
	if sp.Appointments.Capacity > 0 {
		return sp.Appointments.Capacity
	}
	return DefaultAppointmentCapacity
}
