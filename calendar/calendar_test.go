package calendar

import (
	"errors"
	"testing"
	"time"
)

// october2026 is the 2026 National Day week: 10-01..10-07 off, Sunday
// 09-27 and Saturday 10-10 worked instead (调休).
func october2026(t *testing.T) *Calendar {
	t.Helper()
	c, err := New(Rules{
		Weekend:  DefaultWeekend,
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		Workdays: []string{"2026-09-27", "2026-10-10"},
		Exceptions: []Exception{
			{Date: "2026-10-01", Closed: true},
			{Date: "2026-12-24", Open: 8*time.Hour + 30*time.Minute, Close: 20 * time.Hour},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIsWorkday(t *testing.T) {
	c := october2026(t)
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-09-25", true},  // Friday
		{"2026-09-26", false}, // Saturday
		{"2026-09-27", true},  // Sunday, make-up working day
		{"2026-09-30", true},  // Wednesday
		{"2026-10-01", false}, // holiday
		{"2026-10-07", false}, // holiday
		{"2026-10-08", true},  // Thursday
		{"2026-10-10", true},  // Saturday, make-up working day
		{"2026-10-11", false}, // Sunday
		{"2026-13-01", false}, // not a date
		{"", false},
	} {
		if got := c.IsWorkday(tc.day); got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tc.day, got, tc.want)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := october2026(t)
	for _, tc := range []struct {
		day  string
		n    int
		want string
	}{
		{"2026-09-30", 0, "2026-09-30"},
		{"2026-09-30", 1, "2026-10-08"},  // the holiday week does not count
		{"2026-09-29", 1, "2026-09-30"},  // D itself is not counted
		{"2026-09-26", 1, "2026-09-27"},  // a make-up Sunday counts
		{"2026-09-30", 3, "2026-10-10"},  // 10-08, 10-09, 10-10 (make-up Saturday)
		{"2026-09-30", 5, "2026-10-13"},  // ... 10-12, 10-13
		{"2026-10-03", 1, "2026-10-08"},  // from inside the holiday
		{"2026-12-04", 15, "2026-12-25"}, // three plain weeks
	} {
		got, err := c.AddWorkdays(tc.day, tc.n)
		if err != nil || got != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s", tc.day, tc.n, got, err, tc.want)
		}
	}
	if _, err := c.AddWorkdays("2026-02-30", 1); err == nil {
		t.Error("AddWorkdays of an impossible date: want an error")
	}
	if _, err := c.AddWorkdays("2026-10-01", -1); err == nil {
		t.Error("AddWorkdays with n < 0: want an error")
	}
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	never, err := New(Rules{Weekend: all})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := never.AddWorkdays("2026-10-01", 1); err == nil {
		t.Error("a calendar with no working day: want an error, not a hang")
	}
}

func TestZeroCalendarEveryDayWorks(t *testing.T) {
	var c Calendar
	if !c.IsWorkday("2026-10-03") {
		t.Error("the zero calendar has no weekend or holidays")
	}
	if got, _ := c.AddWorkdays("2026-10-03", 2); got != "2026-10-05" {
		t.Errorf("got %s", got)
	}
}

func TestOpenHours(t *testing.T) {
	c := october2026(t)
	if _, _, closed, ok := c.OpenHours("2026-10-01"); !ok || !closed {
		t.Errorf("2026-10-01: closed=%v ok=%v, want a closed exception", closed, ok)
	}
	open, cl, closed, ok := c.OpenHours("2026-12-24")
	if !ok || closed || open != 8*time.Hour+30*time.Minute || cl != 20*time.Hour {
		t.Errorf("2026-12-24: %v %v %v %v, want 08:30-20:00", open, cl, closed, ok)
	}
	if _, _, _, ok := c.OpenHours("2026-12-23"); ok {
		t.Error("2026-12-23 has no exception")
	}
}

func TestNewRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		r    Rules
		list string
		idx  int
	}{
		"ErrHolidayNotADate":  {Rules{Holidays: []string{"2026-10-01", "2026/10/02"}}, "holidays", 1},
		"ErrWorkdayNotADate":  {Rules{Workdays: []string{"2026-02-29"}}, "workdays", 0},
		"ErrBothHolidayAndWd": {Rules{Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-01"}}, "workdays", 0},
		"ErrExceptionDate":    {Rules{Exceptions: []Exception{{Date: "26-10-01", Closed: true}}}, "exceptions", 0},
		"ErrExceptionTwice":   {Rules{Exceptions: []Exception{{Date: "2026-10-01", Closed: true}, {Date: "2026-10-01", Closed: true}}}, "exceptions", 1},
		"ErrExceptionHours":   {Rules{Exceptions: []Exception{{Date: "2026-10-01", Open: 10 * time.Hour, Close: 9 * time.Hour}}}, "exceptions", 0},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.r)
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a RuleError", err)
			}
			if re.List != tc.list || re.Index != tc.idx {
				t.Errorf("error at %s[%d], want %s[%d]: %v", re.List, re.Index, tc.list, tc.idx, err)
			}
		})
	}
}
