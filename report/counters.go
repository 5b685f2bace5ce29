package report

import (
	"context"
	"sort"
	"time"

	"github.com/hallq/hallq/report/rowsql"
)

// CounterRow is one counter's attendance over a date range: how long it was
// open, paused, busy with a ticket (called to the end of the visit) and idle
// (open, not paused, not busy), from counter sessions and calls.
type CounterRow struct {
	Counter  string  `json:"counter"`
	Sessions int     `json:"sessions"`
	OpenS    float64 `json:"open_s"`
	PausedS  float64 `json:"paused_s"`
	BusyS    float64 `json:"busy_s"`
	IdleS    float64 `json:"idle_s"`
	Calls    int     `json:"calls"`
}

// CountersHeader is the CSV/XLSX header of the counters report.
var CountersHeader = []string{"counter", "sessions", "open_s", "paused_s", "busy_s", "idle_s", "calls"}

// Counters is the counters report for business days from..to: sessions
// opened in those hall-local days, calls of tickets of those days. A session
// still open counts until now.
func (s *Source) Counters(ctx context.Context, from, to string, now time.Time) ([]CounterRow, error) {
	lo, _ := time.ParseInLocation("2006-01-02", from, s.Loc)
	hi, _ := time.ParseInLocation("2006-01-02", to, s.Loc)
	hi = hi.AddDate(0, 0, 1)
	rows := map[string]*CounterRow{}
	get := func(c string) *CounterRow {
		r := rows[c]
		if r == nil {
			r = &CounterRow{Counter: c}
			rows[c] = r
		}
		return r
	}
	q, err := s.DB.QueryContext(ctx, "SELECT counter, opened_at, closed_at, paused_s, paused_at FROM counter_sessions"+
		" WHERE hall = ? AND opened_at >= ? AND opened_at < ?", s.Hall, lo.UTC().Format(rowsql.TimeLayout), hi.UTC().Format(rowsql.TimeLayout))
	if err != nil {
		return nil, wrap("read counter_sessions", err)
	}
	var counter string
	var opened, closed, pausedAt rowsql.NullTime
	var paused int64
	for q.Next() {
		if err := q.Scan(&counter, &opened, &closed, &paused, &pausedAt); err != nil {
			q.Close()
			return nil, wrap("read counter_sessions", err)
		}
		end := closed.T
		if end.IsZero() {
			end = now
			if !pausedAt.T.IsZero() {
				paused += int64(now.Sub(pausedAt.T).Seconds())
			}
		}
		r := get(counter)
		r.Sessions++
		r.OpenS += float64(end.Sub(opened.T).Microseconds()) / 1e6
		r.PausedS += float64(paused)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, wrap("read counter_sessions", err)
	}
	q, err = s.DB.QueryContext(ctx, "SELECT counter, called_at, ended_at FROM calls WHERE hall = ? AND day >= ? AND day <= ?",
		s.Hall, from, to)
	if err != nil {
		return nil, wrap("read calls", err)
	}
	var called, ended rowsql.NullTime
	for q.Next() {
		if err := q.Scan(&counter, &called, &ended); err != nil {
			q.Close()
			return nil, wrap("read calls", err)
		}
		r := get(counter)
		r.Calls++
		end := ended.T
		if end.IsZero() {
			continue // still open, held or cut by a restore: not counted as busy
		}
		r.BusyS += float64(end.Sub(called.T).Microseconds()) / 1e6
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, wrap("read calls", err)
	}
	out := make([]CounterRow, 0, len(rows))
	for _, r := range rows {
		r.OpenS, r.PausedS, r.BusyS = round3(r.OpenS), round3(r.PausedS), round3(r.BusyS)
		r.IdleS = round3(max(0, r.OpenS-r.PausedS-r.BusyS))
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Counter < out[j].Counter })
	return out, nil
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

// CountersTable is the counters report as a table.
func CountersTable(rs []CounterRow) *Table {
	t := &Table{Sheet: "counters", Header: CountersHeader}
	for _, r := range rs {
		t.Rows = append(t.Rows, []any{r.Counter, r.Sessions, r.OpenS, r.PausedS, r.BusyS, r.IdleS, r.Calls})
	}
	return t
}
