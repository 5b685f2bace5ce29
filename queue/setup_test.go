package queue

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCalendar is a working-day calendar for the core's tests: weekend
// sat/sun, holidays, make-up workdays (调休). The calendar package is the
// real one; the core only knows the Calendar interface.
type testCalendar struct{ holidays, workdays map[string]bool }

func (c testCalendar) IsWorkday(day string) bool {
	if c.workdays[day] {
		return true
	}
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.holidays[day]
}

func (c testCalendar) AddWorkdays(day string, n int) (string, error) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return "", err
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if c.IsWorkday(t.Format("2006-01-02")) {
			n--
		}
	}
	return t.Format("2006-01-02"), nil
}

func (c testCalendar) OpenHours(string) (time.Duration, time.Duration, bool, bool) {
	return 0, 0, false, false
}

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, d := range strings.Split(list, ",") {
		if d != "" {
			m[d] = true
		}
	}
	return m
}

// runSetup handles the script lines that change the hall's spec:
//
//	messages                                  error lines carry messages
//	calendar holidays=D,D workdays=D,D        a working-day calendar (weekend sat/sun)
//	promise SERVICE N                         promise_days of a service
//	capacity N [service=S]                    bookings per slot
//	hours closed                              the hall has no weekly hours at all
//	extra DATE|DAYS OPEN CLOSE [only=appointments] [services=a,b]
func (h *harness) runSetup(t *testing.T, cmd string, pos []string, kv map[string]string) ([]string, bool) {
	sp := h.s.Spec
	switch cmd {
	case "messages":
		h.messages = true
	case "calendar":
		sp.Calendar = testCalendar{holidays: set(kv["holidays"]), workdays: set(kv["workdays"])}
	case "promise":
		n, _ := strconv.Atoi(pos[1])
		sp.Services[pos[0]].PromiseDays = n
	case "capacity":
		n, _ := strconv.Atoi(pos[0])
		if svc := kv["service"]; svc != "" {
			sp.Services[svc].AppointmentCapacity = n
		} else {
			sp.Appointments.Capacity = n
		}
	case "hours":
		sp.Hours = []Hours{{Days: []time.Weekday{time.Monday}, Open: 0, Close: time.Minute}} // effectively closed
	case "extra":
		x := ExtraHours{AppointmentsOnly: kv["only"] == "appointments"}
		if strings.Contains(pos[0], "-") {
			x.Date = pos[0]
		} else {
			for _, d := range strings.Split(pos[0], ",") {
				wd, _ := ParseWeekday(d)
				x.Days = append(x.Days, wd)
			}
		}
		x.Open, _ = ParseClock(pos[1])
		x.Close, _ = ParseClock(pos[2])
		if s := kv["services"]; s != "" {
			x.Services = strings.Split(s, ",")
		}
		sp.ExtraHours = append(sp.ExtraHours, x)
	default:
		return nil, false
	}
	return nil, true
}
