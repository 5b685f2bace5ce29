// Package report answers the management reports of CONTRACT §5 (visits,
// sampling, rankings) from the report rows of report/fold, over
// database/sql: one hall from the local SQLite store, many halls from MySQL
// or TiDB, with the same code and the same answers (docs/reports.md).
package report

import (
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// Source is where reports read one hall's rows.
type Source struct {
	DB      *sql.DB
	Dialect rowsql.Dialect
	Hall    string
	Loc     *time.Location           // hall-local time for hours of issue
	Targets map[string]time.Duration // service -> target wait (service level)
	Now     func() time.Time         // the clock for "today" (nil: the wall clock)
}

// NewSource reads hall's rows from db (of dialect d), with the hall's
// services and time zone from spec.
func NewSource(db *sql.DB, d rowsql.Dialect, spec *queue.Spec) *Source {
	s := &Source{DB: db, Dialect: d, Hall: spec.HallID, Loc: spec.Location, Targets: map[string]time.Duration{}}
	if s.Loc == nil {
		s.Loc = time.UTC
	}
	for id, svc := range spec.Services {
		s.Targets[id] = svc.TargetWait
	}
	return s
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseDate checks a YYYY-MM-DD date (CONTRACT §5 dates).
func ParseDate(key, s string) (string, error) {
	if !dateRE.MatchString(s) {
		return "", queue.Errorf(queue.BadRequest, "日期格式错误 %s must be YYYY-MM-DD, got %q", key, s)
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return "", queue.Errorf(queue.BadRequest, "日期无效 %s is not a date: %q", key, s)
	}
	return s, nil
}

// wrap adds context to a database error as the contract's unavailable.
func wrap(what string, err error) error {
	return queue.Errorf(queue.Unavailable, "报表暂不可用 %s: %v", what, fmt.Errorf("%w", err))
}

// ticketsIn is the FROM and WHERE of the tickets of business days
// from..to, and its arguments. Ticket ids start with their day (20261123-A001),
// and both stores keep tickets clustered by (hall, ticket_id), so the id range
// makes a month one sequential read of the table instead of a lookup per row
// through the day index.
func (s *Source) ticketsIn(from, to string) (string, []any) {
	hint := ""
	if s.Dialect == rowsql.MySQL {
		hint = " FORCE INDEX (PRIMARY)"
	}
	next := to
	if t, err := time.Parse("2006-01-02", to); err == nil {
		next = t.AddDate(0, 0, 1).Format("2006-01-02")
	}
	compact := func(d string) string { return d[:4] + d[5:7] + d[8:10] }
	return " FROM tickets" + hint + " WHERE hall = ? AND ticket_id >= ? AND ticket_id < ? AND day >= ? AND day <= ?",
		[]any{s.Hall, compact(from), compact(next), from, to}
}
