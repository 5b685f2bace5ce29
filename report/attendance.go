package report

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// AttendanceRow is one staff member's attendance on one hall-local day
// (issue 11, docs/reports.md): from the staff sign-ins and the counter
// sessions of the fold. A stint at a counter starts at a sign-in and ends at
// the next sign-in there (a handover, AB岗) or when the counter closes.
type AttendanceRow struct {
	Day          string  `json:"day"`
	StaffID      string  `json:"staff_id"`
	FirstSignIn  *string `json:"first_sign_in"` // RFC 3339, hall time
	LastSignOut  *string `json:"last_sign_out"` // null while still signed in
	Minutes      float64 `json:"minutes"`       // signed in at counters (an open stint until now), 0.01 min
	Counters     string  `json:"counters"`      // the counters worked, comma-separated
	HandoversIn  int     `json:"handovers_in"`  // took a counter over from someone
	HandoversOut int     `json:"handovers_out"` // handed a counter over to someone
}

// AttendanceHeader is the CSV/XLSX header of the attendance report.
var AttendanceHeader = []string{"day", "staff_id", "first_sign_in", "last_sign_out", "minutes", "counters",
	"handovers_in", "handovers_out"}

// AttendanceTable is the attendance report as a table.
func AttendanceTable(rs []AttendanceRow) *Table {
	t := &Table{Sheet: "attendance", Header: AttendanceHeader}
	sp := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for _, r := range rs {
		t.Rows = append(t.Rows, []any{r.Day, r.StaffID, sp(r.FirstSignIn), sp(r.LastSignOut), r.Minutes, r.Counters,
			r.HandoversIn, r.HandoversOut})
	}
	return t
}

// signin is one staff_signins row.
type signin struct {
	seq            int64
	counter, staff string
	from           string
	at             time.Time
	end            time.Time // zero: still signed in
	session        bool      // inside a counter session
}

// span is one counter_sessions row's span.
type span struct{ opened, closed time.Time }

// Attendance is the attendance report for hall-local days from..to: one row
// per staff member and day of sign-in, by day then staff. A stint still open
// counts until now.
func (s *Source) Attendance(ctx context.Context, from, to string, now time.Time) ([]AttendanceRow, error) {
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	lo, _ := time.ParseInLocation("2006-01-02", from, s.Loc)
	hi, _ := time.ParseInLocation("2006-01-02", to, s.Loc)
	hi = hi.AddDate(0, 0, 1)
	// Sessions from a day earlier: a counter opened before midnight.
	los, his := lo.AddDate(0, 0, -1).UTC().Format(rowsql.TimeLayout), hi.UTC().Format(rowsql.TimeLayout)
	spans := map[string][]span{}
	q, err := s.DB.QueryContext(ctx, "SELECT counter, opened_at, closed_at FROM counter_sessions"+
		" WHERE hall = ? AND opened_at >= ? AND opened_at < ?", s.Hall, los, his)
	if err != nil {
		return nil, wrap("read counter_sessions", err)
	}
	var counter string
	var opened, closed rowsql.NullTime
	for q.Next() {
		if err := q.Scan(&counter, &opened, &closed); err != nil {
			q.Close()
			return nil, wrap("read counter_sessions", err)
		}
		spans[counter] = append(spans[counter], span{opened.T, closed.T})
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, wrap("read counter_sessions", err)
	}
	q, err = s.DB.QueryContext(ctx, "SELECT seq, counter, staff_id, from_staff, at FROM staff_signins"+
		" WHERE hall = ? AND at >= ? AND at < ? ORDER BY seq", s.Hall, lo.UTC().Format(rowsql.TimeLayout), his)
	if err != nil {
		return nil, wrap("read staff_signins", err)
	}
	var ins []*signin
	var fromStaff sql.NullString
	var at rowsql.NullTime
	for q.Next() {
		si := &signin{}
		if err := q.Scan(&si.seq, &si.counter, &si.staff, &fromStaff, &at); err != nil {
			q.Close()
			return nil, wrap("read staff_signins", err)
		}
		si.from, si.at = fromStaff.String, at.T
		ins = append(ins, si)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, wrap("read staff_signins", err)
	}
	stints(ins, spans)
	return s.attendanceRows(ins, now), nil
}

// stints sets each sign-in's end: the next sign-in at its counter within
// the same session, else the session's close (zero while open).
func stints(ins []*signin, spans map[string][]span) {
	last := map[string]*signin{} // counter -> its latest sign-in
	for _, si := range ins {
		var sp *span
		for i := range spans[si.counter] {
			c := &spans[si.counter][i]
			if !si.at.Before(c.opened) && (c.closed.IsZero() || !si.at.After(c.closed)) {
				if sp == nil || c.opened.After(sp.opened) {
					sp = c
				}
			}
		}
		if sp != nil {
			si.session, si.end = true, sp.closed
		}
		if prev := last[si.counter]; prev != nil && prev.session && (prev.end.IsZero() || !si.at.After(prev.end)) {
			prev.end = si.at
		}
		last[si.counter] = si
	}
}

// attendanceRows groups the stints by staff and hall-local day of sign-in.
func (s *Source) attendanceRows(ins []*signin, now time.Time) []AttendanceRow {
	type key struct{ day, staff string }
	type agg struct {
		row      AttendanceRow
		first    time.Time
		last     time.Time
		open     bool
		secs     float64
		counters map[string]bool
	}
	aggs := map[key]*agg{}
	get := func(day, staff string) *agg {
		a := aggs[key{day, staff}]
		if a == nil {
			a = &agg{row: AttendanceRow{Day: day, StaffID: staff}, counters: map[string]bool{}}
			aggs[key{day, staff}] = a
		}
		return a
	}
	for _, si := range ins {
		day := si.at.In(s.Loc).Format("2006-01-02")
		a := get(day, si.staff)
		if a.first.IsZero() || si.at.Before(a.first) {
			a.first = si.at
		}
		a.counters[si.counter] = true
		if si.from != "" {
			a.row.HandoversIn++
			get(day, si.from).row.HandoversOut++
		}
		if !si.session {
			continue // a sign-in outside any session: no time at the counter
		}
		end := si.end
		if end.IsZero() {
			a.open, end = true, now
		} else if end.After(a.last) {
			a.last = end
		}
		if end.After(si.at) {
			a.secs += end.Sub(si.at).Seconds()
		}
	}
	out := make([]AttendanceRow, 0, len(aggs))
	for _, a := range aggs {
		r := a.row
		if !a.first.IsZero() {
			v := a.first.In(s.Loc).Format(time.RFC3339)
			r.FirstSignIn = &v
		}
		if !a.open && !a.last.IsZero() {
			v := a.last.In(s.Loc).Format(time.RFC3339)
			r.LastSignOut = &v
		}
		r.Minutes = math.Round(a.secs/60*100) / 100
		cs := make([]string, 0, len(a.counters))
		for c := range a.counters {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		r.Counters = strings.Join(cs, ",")
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].StaffID < out[j].StaffID
	})
	return out
}

// checkRange refuses a date range that ends before it starts.
func checkRange(from, to string) error {
	if from > to {
		return queue.Errorf(queue.BadRequest, "日期范围无效 from %s is after to %s", from, to)
	}
	return nil
}
