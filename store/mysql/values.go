package mysql

import (
	"time"
	"unicode/utf8"

	"github.com/hallq/hallq/report/rowsql"
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

// dbTime is t in UTC, cut to microseconds (MySQL would round, MariaDB
// truncates) and within DATETIME's range (years 1000 to 9999).
func dbTime(t time.Time) time.Time { return rowsql.DBTime(t) }
