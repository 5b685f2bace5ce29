package calendar

import (
	"fmt"
	"time"
)

// Calendar answers which days are working days and how long the hall is
// open on a given day. The zero Calendar has no weekend and no holidays.
type Calendar struct {
	weekend    [7]bool
	holidays   map[string]bool
	workdays   map[string]bool
	exceptions map[string]Exception
}

// Exception overrides the weekly opening hours on one date.
type Exception struct {
	Date   string
	Closed bool          // the hall takes no tickets that day
	Open   time.Duration // since local midnight; with Close, the day's hours (延时服务, 先时服务)
	Close  time.Duration
}

// Rules are the calendar's inputs, as the config gives them.
type Rules struct {
	Weekend    []time.Weekday
	Holidays   []string
	Workdays   []string
	Exceptions []Exception
}

// DefaultWeekend is the weekend when the config names none.
var DefaultWeekend = []time.Weekday{time.Saturday, time.Sunday}

// RuleError is a problem with one input, named by its list and index so the
// config loader can point at the key.
type RuleError struct {
	List    string // "holidays", "workdays" or "exceptions"
	Index   int
	Problem string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%s[%d]: %s", e.List, e.Index, e.Problem)
}

// New checks the rules and builds a calendar. A date that is not YYYY-MM-DD,
// a date both a holiday and a workday, a date listed twice in exceptions, or
// an exception whose close is not after its open is an error (CONTRACT §1).
func New(r Rules) (*Calendar, error) {
	c := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}, exceptions: map[string]Exception{}}
	for _, d := range r.Weekend {
		c.weekend[d] = true
	}
	for i, d := range r.Holidays {
		if _, err := ParseDate(d); err != nil {
			return nil, &RuleError{"holidays", i, err.Error()}
		}
		c.holidays[d] = true
	}
	for i, d := range r.Workdays {
		if _, err := ParseDate(d); err != nil {
			return nil, &RuleError{"workdays", i, err.Error()}
		}
		if c.holidays[d] {
			return nil, &RuleError{"workdays", i, fmt.Sprintf("%s is also listed in holidays", d)}
		}
		c.workdays[d] = true
	}
	for i, e := range r.Exceptions {
		if _, err := ParseDate(e.Date); err != nil {
			return nil, &RuleError{"exceptions", i, err.Error()}
		}
		if _, dup := c.exceptions[e.Date]; dup {
			return nil, &RuleError{"exceptions", i, fmt.Sprintf("%s is listed twice", e.Date)}
		}
		if !e.Closed && e.Close <= e.Open {
			return nil, &RuleError{"exceptions", i, "close must be after open (or set closed: true)"}
		}
		c.exceptions[e.Date] = e
	}
	return c, nil
}

// IsWorkday reports whether day (YYYY-MM-DD) is a working day. A day that is
// not a valid date is not a working day.
func (c *Calendar) IsWorkday(day string) bool {
	if c.workdays[day] {
		return true
	}
	t, err := ParseDate(day)
	if err != nil {
		return false
	}
	return !c.weekend[t.Weekday()] && !c.holidays[day]
}

// AddWorkdays returns the nth working day after day, not counting day itself
// (CONTRACT §1); n = 0 returns day. It gives up with an error past ten years
// without enough working days (a calendar with every day off).
func (c *Calendar) AddWorkdays(day string, n int) (string, error) {
	t, err := ParseDate(day)
	if err != nil {
		return "", err
	}
	if n < 0 {
		return "", fmt.Errorf("working days to add must not be negative, got %d", n)
	}
	for i := 0; n > 0; i++ {
		if i > 3660 {
			return "", fmt.Errorf("no %d working days within ten years after %s", n, day)
		}
		t = t.AddDate(0, 0, 1)
		if c.IsWorkday(t.Format(DateLayout)) {
			n--
		}
	}
	return t.Format(DateLayout), nil
}

// DayHours returns the opening exception for day, if there is one.
func (c *Calendar) DayHours(day string) (Exception, bool) {
	e, ok := c.exceptions[day]
	return e, ok
}

// Holidays lists the holiday dates (unordered).
func (c *Calendar) Holidays() []string { return keys(c.holidays) }

// Workdays lists the make-up working dates (unordered).
func (c *Calendar) Workdays() []string { return keys(c.workdays) }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// OpenHours is DayHours in plain values, for the queue core's Calendar
// interface: ok is false when day has no exception.
func (c *Calendar) OpenHours(day string) (open, close time.Duration, closed, ok bool) {
	e, ok := c.exceptions[day]
	return e.Open, e.Close, e.Closed, ok
}
