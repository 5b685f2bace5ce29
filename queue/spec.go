package queue

import (
	"fmt"
	"strings"
	"time"
)

// Name is a display name in Chinese and English.
type Name struct {
	Zh string `json:"zh" yaml:"zh"`
	En string `json:"en" yaml:"en"`
}

// Spec is the static description of a hall that the core decides against.
type Spec struct {
	HallID       string
	HallName     Name
	Location     *time.Location
	Hours        []Hours // empty means open all day, every day
	RecallLimit  int     // recalls allowed per call; past it call.recall is invalid_state
	RatingWindow time.Duration
	Services     map[string]*ServiceSpec
	ServiceOrder []string // config order
	Counters     map[string]*CounterSpec
	CounterOrder []string
	Devices      map[string]*DeviceSpec
	DeviceOrder  []string
	Notice       Name

	// The management half (contract 1.1, spec_management.go).
	Calendar    Calendar // nil = every day a working day, no exceptions
	VerifyDays  int      // working days to verify a 差评 case
	RectifyDays int      // working days to rectify it
	Supervision Supervision
	Staff       map[string]*StaffSpec
	StaffOrder  []string

	// Appointments and opening outside hours (spec_appointments.go).
	Appointments AppointmentSpec
	ExtraHours   []ExtraHours // 先时/延时, holiday appointment sessions, fast lanes
	// ComplaintDays is the working days to answer a complaint (0 = DefaultComplaintDays).
	ComplaintDays int
}

// ServiceSpec is one service (业务) of the hall.
type ServiceSpec struct {
	ID         string
	Prefix     string
	Name       Name
	DailyQuota int           // 0 = unlimited
	TargetWait time.Duration // the published target wait; a ticket past StarveFactor times it jumps the queue
	AvgService time.Duration // initial estimate of one service's duration
	// PromiseDays is the working days promised for a 承诺件 (CONTRACT §2 serve.finish).
	PromiseDays int
	Info        *ServiceInfo // 六公开; nil when not configured
	// AppointmentCapacity is the bookings per slot; 0 = Spec.Appointments.Capacity.
	AppointmentCapacity int
}

// CounterSpec is one counter (窗口) and the services it serves.
type CounterSpec struct {
	ID       string
	Name     Name
	Services []string
}

// DeviceSpec is one configured device.
type DeviceSpec struct {
	ID      string
	Kind    string
	Counter string
}

// Hours are opening hours for some weekdays, in hall-local time.
type Hours struct {
	Days  []time.Weekday
	Open  time.Duration // since local midnight
	Close time.Duration
}

// StarveFactor is how many times its service's target wait a ticket may wait
// before it is called ahead of green-channel and appointment tickets.
const StarveFactor = 2

// AppointmentEarly is how long before its slot an appointment counts as due.
const AppointmentEarly = 10 * time.Minute

// Serves reports whether counter c serves service svc.
func (c *CounterSpec) Serves(svc string) bool {
	for _, s := range c.Services {
		if s == svc {
			return true
		}
	}
	return false
}

// BusinessDay is the hall-local date of t, as 2006-01-02.
func (sp *Spec) BusinessDay(t time.Time) string {
	return t.In(sp.Location).Format("2006-01-02")
}

// OpenAt reports whether the hall takes tickets at t: a calendar exception
// for t's day (closed, or its own hours) overrides the weekly hours.
func (sp *Spec) OpenAt(t time.Time) bool {
	lt := t.In(sp.Location)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, sp.Location)
	since := lt.Sub(midnight)
	if sp.Calendar != nil {
		if open, cl, closed, ok := sp.Calendar.OpenHours(lt.Format("2006-01-02")); ok {
			return !closed && since >= open && since < cl
		}
	}
	if len(sp.Hours) == 0 {
		return true
	}
	for _, h := range sp.Hours {
		for _, d := range h.Days {
			if d == lt.Weekday() && since >= h.Open && since < h.Close {
				return true
			}
		}
	}
	return false
}

// ParseClock parses "08:30" into a duration since midnight.
func ParseClock(s string) (time.Duration, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m > 0) {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// ParseWeekday parses mon..sun.
func ParseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String()[:3], s) {
			return d, true
		}
	}
	return 0, false
}
