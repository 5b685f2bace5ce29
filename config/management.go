package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/hallq/hallq/calendar"
	"github.com/hallq/hallq/queue"
)

// Calendar is the working-day calendar (CONTRACT §1 calendar, 1.1).
type Calendar struct {
	Weekend    *[]string           `yaml:"weekend"` // absent = [sat, sun]
	Holidays   []string            `yaml:"holidays"`
	Workdays   []string            `yaml:"workdays"`
	Exceptions []CalendarException `yaml:"exceptions"`
}

// CalendarException overrides the opening hours on one date.
type CalendarException struct {
	Date   string `yaml:"date"`
	Closed bool   `yaml:"closed"`
	Open   string `yaml:"open"`
	Close  string `yaml:"close"`
	// Only (appointments) and Services make the exception an extra window
	// that opens the day for those tickets only, on top of the day's hours
	// (config/appointments.go).
	Only     string   `yaml:"only"`
	Services []string `yaml:"services"`
}

// ServiceInfo is a service's 六公开: what a citizen may read before coming
// (CONTRACT §1 services[].info, 1.1).
type ServiceInfo struct {
	Items     queue.Name `yaml:"items" json:"items"`
	Procedure queue.Name `yaml:"procedure" json:"procedure"`
	Materials queue.Name `yaml:"materials" json:"materials"`
	TimeLimit queue.Name `yaml:"time_limit" json:"time_limit"`
	Fees      queue.Name `yaml:"fees" json:"fees"`
	Phone     string     `yaml:"phone" json:"phone"`
}

// Evaluation holds the 差评 case deadlines in working days (CONTRACT §1).
type Evaluation struct {
	VerifyDays  *int `yaml:"verify_days"`  // default 1
	RectifyDays *int `yaml:"rectify_days"` // default 15

	// ComplaintDays is the working days to answer a complaint (投诉); default 5.
	ComplaintDays *int `yaml:"complaint_days"`
	// PushURL is the provincial 好差评 platform's endpoint; empty = no push.
	PushURL string `yaml:"push_url"`
	// PushToken is sent as "Authorization: Bearer TOKEN" with each record.
	PushToken string `yaml:"push_token"`
	// PushLevels is the level code table of the push: provincial (default,
	// 1 = 非常满意), national (5 = 非常满意) or survey3.
	PushLevels string `yaml:"push_levels"`
}

// Supervision holds the alert thresholds of CONTRACT §3, in seconds.
type Supervision struct {
	RedFactor      float64 `yaml:"red_factor"`        // default 2
	IdleWithQueueS float64 `yaml:"idle_with_queue_s"` // default 300
	LongPauseS     float64 `yaml:"long_pause_s"`      // default 900
	ServiceOverS   float64 `yaml:"service_over_s"`    // default 1800
	DeviceOfflineS float64 `yaml:"device_offline_s"`  // default 60
}

func (c *Config) managementDefaults() {
	if c.Evaluation.VerifyDays == nil {
		n := 1
		c.Evaluation.VerifyDays = &n
	}
	if c.Evaluation.RectifyDays == nil {
		n := 15
		c.Evaluation.RectifyDays = &n
	}
	if c.Evaluation.ComplaintDays == nil {
		n := queue.DefaultComplaintDays
		c.Evaluation.ComplaintDays = &n
	}
	if c.Evaluation.PushLevels == "" {
		c.Evaluation.PushLevels = queue.TargetProvincial
	}
	s := &c.Supervision
	for _, d := range []struct {
		v   *float64
		def float64
	}{{&s.RedFactor, 2}, {&s.IdleWithQueueS, 300}, {&s.LongPauseS, 900}, {&s.ServiceOverS, 1800}, {&s.DeviceOfflineS, 60}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
}

// validateManagement checks the 1.1 management keys: calendar, evaluation,
// supervision, services' info and promise_days, staff cards.
func (c *Config) validateManagement(bad func(key, format string, args ...any) error) error {
	if _, err := c.BuildCalendar(); err != nil {
		var re *calendar.RuleError
		if errors.As(err, &re) {
			return bad(fmt.Sprintf("calendar.%s[%d]", re.List, re.Index), "%s", re.Problem)
		}
		var ke *keyError
		if errors.As(err, &ke) {
			return bad(ke.key, "%s", ke.problem)
		}
		return bad("calendar", "%v", err)
	}
	if v := *c.Evaluation.VerifyDays; v < 0 || v > 365 {
		return bad("evaluation.verify_days", "must be 0-365 working days")
	}
	if v := *c.Evaluation.RectifyDays; v < 0 || v > 365 {
		return bad("evaluation.rectify_days", "must be 0-365 working days")
	}
	if err := c.validateEvaluation(bad); err != nil {
		return err
	}
	s := c.Supervision
	if s.RedFactor < 1 || s.RedFactor > 100 {
		return bad("supervision.red_factor", "must be 1-100")
	}
	for key, v := range map[string]float64{"idle_with_queue_s": s.IdleWithQueueS, "long_pause_s": s.LongPauseS,
		"service_over_s": s.ServiceOverS, "device_offline_s": s.DeviceOfflineS} {
		if v <= 0 || v > 7*24*3600 {
			return bad("supervision."+key, "must be more than 0 and at most a week (604800 s)")
		}
	}
	for i, sv := range c.Services {
		key := fmt.Sprintf("services[%d]", i)
		if sv.PromiseDays < 0 || sv.PromiseDays > 365 {
			return bad(key+".promise_days", "must be 0-365 working days")
		}
		if in := sv.Info; in != nil {
			for name, n := range map[string]queue.Name{"items": in.Items, "procedure": in.Procedure,
				"materials": in.Materials, "time_limit": in.TimeLimit, "fees": in.Fees} {
				if len(n.Zh) > 4000 || len(n.En) > 4000 {
					return bad(key+".info."+name, "is longer than 4000 bytes")
				}
			}
			if len(in.Phone) > 32 {
				return bad(key+".info.phone", "is longer than 32 characters")
			}
		}
	}
	counters := map[string]bool{}
	for _, k := range c.Counters {
		counters[k.ID] = true
	}
	for i, st := range c.Staff {
		key := fmt.Sprintf("staff[%d]", i)
		if len(st.Name) > 64 || len(st.StaffNo) > 32 || len(st.Unit) > 128 {
			return bad(key, "name (64), staff_no (32) or unit (128 bytes) is too long")
		}
		for j, k := range st.Counters {
			if !counters[k] {
				return bad(fmt.Sprintf("%s.counters[%d]", key, j), "unknown counter %q", k)
			}
		}
	}
	return nil
}

type keyError struct{ key, problem string }

func (e *keyError) Error() string { return e.key + ": " + e.problem }

// BuildCalendar turns the calendar section into a calendar.Calendar.
func (c *Config) BuildCalendar() (*calendar.Calendar, error) {
	cal := c.Calendar
	r := calendar.Rules{Weekend: calendar.DefaultWeekend, Holidays: cal.Holidays, Workdays: cal.Workdays}
	if cal.Weekend != nil {
		r.Weekend = nil
		for j, d := range *cal.Weekend {
			wd, ok := queue.ParseWeekday(d)
			if !ok {
				return nil, &keyError{fmt.Sprintf("calendar.weekend[%d]", j), fmt.Sprintf("%q is not one of mon tue wed thu fri sat sun", d)}
			}
			r.Weekend = append(r.Weekend, wd)
		}
	}
	for i, e := range cal.Exceptions {
		if e.Only != "" || len(e.Services) > 0 {
			continue // an extra window (specAppointments), not the day's hours
		}
		ex := calendar.Exception{Date: e.Date, Closed: e.Closed}
		key := fmt.Sprintf("calendar.exceptions[%d]", i)
		if e.Closed {
			if e.Open != "" || e.Close != "" {
				return nil, &keyError{key, "a closed day has no open or close"}
			}
		} else {
			var err error
			if ex.Open, err = queue.ParseClock(e.Open); err != nil {
				return nil, &keyError{key + ".open", err.Error()}
			}
			if ex.Close, err = queue.ParseClock(e.Close); err != nil {
				return nil, &keyError{key + ".close", err.Error()}
			}
		}
		r.Exceptions = append(r.Exceptions, ex)
	}
	return calendar.New(r)
}

// specManagement fills the 1.1 parts of the spec.
func (c *Config) specManagement(sp *queue.Spec) {
	if cal, err := c.BuildCalendar(); err == nil { // checked by validate
		sp.Calendar = cal
	}
	sp.VerifyDays, sp.RectifyDays = *c.Evaluation.VerifyDays, *c.Evaluation.RectifyDays
	sp.ComplaintDays = *c.Evaluation.ComplaintDays
	sv := c.Supervision
	secs := func(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
	sp.Supervision = queue.Supervision{RedFactor: sv.RedFactor, IdleWithQueue: secs(sv.IdleWithQueueS),
		LongPause: secs(sv.LongPauseS), ServiceOver: secs(sv.ServiceOverS), DeviceOffline: secs(sv.DeviceOfflineS)}
	sp.Staff = map[string]*queue.StaffSpec{}
	for _, st := range c.Staff {
		sp.Staff[st.ID] = &queue.StaffSpec{ID: st.ID, Name: st.Name, StaffNo: st.StaffNo, Unit: st.Unit,
			Role: st.Role, Counters: st.Counters}
		sp.StaffOrder = append(sp.StaffOrder, st.ID)
	}
	for _, s := range c.Services {
		svc := sp.Services[s.ID]
		svc.PromiseDays = s.PromiseDays
		if s.Info != nil {
			in := *s.Info
			svc.Info = &queue.ServiceInfo{Items: in.Items, Procedure: in.Procedure, Materials: in.Materials,
				TimeLimit: in.TimeLimit, Fees: in.Fees, Phone: in.Phone}
		}
	}
}
