package calendar

import (
	"fmt"
	"time"
)

// DateLayout is the layout of every date the calendar takes and gives.
const DateLayout = "2006-01-02"

// ParseDate checks that s is a real YYYY-MM-DD date and returns it as a time
// at midnight UTC (the calendar never needs a time zone: dates are already
// hall-local).
func ParseDate(s string) (time.Time, error) {
	if len(s) != len(DateLayout) {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	return t, nil
}

// AddDays returns the date n calendar days after day (before it when n < 0).
func AddDays(day string, n int) (string, error) {
	t, err := ParseDate(day)
	if err != nil {
		return "", err
	}
	return t.AddDate(0, 0, n).Format(DateLayout), nil
}
