package queue

import "time"

// Calendar is the working-day calendar every date rule asks (CONTRACT §1
// calendar); the calendar package implements it. Days are hall-local
// YYYY-MM-DD.
type Calendar interface {
	// IsWorkday reports whether day is a working day.
	IsWorkday(day string) bool
	// AddWorkdays returns the nth working day after day, not counting day.
	AddWorkdays(day string, n int) (string, error)
	// OpenHours returns day's opening exception; ok is false when it has none.
	OpenHours(day string) (open, close time.Duration, closed, ok bool)
}

// StaffSpec is one configured staff member: who is credited with calls,
// services and ratings, and shown on the counter screen and keypad.
type StaffSpec struct {
	ID       string
	Name     string
	StaffNo  string // 工号
	Unit     string
	Role     string   // staff | supervisor | admin
	Counters []string // where they may sign in; empty = every counter
}

// MaySignInAt reports whether the staff member may sign in at counter.
func (st *StaffSpec) MaySignInAt(counter string) bool {
	if len(st.Counters) == 0 {
		return true
	}
	for _, c := range st.Counters {
		if c == counter {
			return true
		}
	}
	return false
}

// ServiceInfo is a service's 六公开 (CONTRACT §1 services[].info).
type ServiceInfo struct {
	Items     Name   `json:"items"`
	Procedure Name   `json:"procedure"`
	Materials Name   `json:"materials"`
	TimeLimit Name   `json:"time_limit"`
	Fees      Name   `json:"fees"`
	Phone     string `json:"phone"`
}

// Supervision holds the alert thresholds (CONTRACT §1 supervision, §3).
type Supervision struct {
	RedFactor     float64 // an alert turns red at this multiple of its yellow threshold
	IdleWithQueue time.Duration
	LongPause     time.Duration
	ServiceOver   time.Duration
	DeviceOffline time.Duration
}
