package mysql

import (
	"database/sql"
	"time"
	"unicode/utf8"
)

// Conversions between Go values and nullable MySQL columns. Strings are
// clipped to their column's width: a value MySQL refuses would stop
// replication for good, a clipped report column does not.

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// nullString is NULL for "", else s clipped to n characters.
func nullString(s string, n int) any {
	if s == "" {
		return nil
	}
	return clip(s, n)
}

// nullTime is NULL for the zero time, else dbTime(t).
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dbTime(t)
}

// dbTime is t in UTC, cut to microseconds (MySQL would round, MariaDB
// truncates) and within DATETIME's range (years 1000 to 9999).
func dbTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Microsecond)
	if lo := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC); t.Before(lo) {
		return lo
	}
	if hi := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); t.After(hi) {
		return hi
	}
	return t
}

// nullInt is NULL for nil.
func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullInt64 is NULL for 0.
func nullInt64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// nullLevel is NULL for 0 (not rated).
func nullLevel(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func fromNullTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time
}

func fromNullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func fromDate(t time.Time) string { return t.Format("2006-01-02") }
