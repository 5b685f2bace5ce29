package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hallq/hallq/report/rowsql"
)

// The visits report is aggregated by the database, with the same SQL for
// SQLite and MySQL (integer arithmetic only, so both give the same numbers):
// one GROUP BY for the counts and sums; the percentiles are taken here from
// the waits (docs/benchmarks.md).

// keyExpr is the SQL of a grouping's key, or "" when the hour of issue has
// to be worked out in Go (the hall's zone changes its offset in the range).
func (s *Source) keyExpr(by, from, to string) string {
	if by != "hour" {
		return keyCols[by]
	}
	off, ok := fixedOffset(s.Loc, from, to)
	if !ok {
		return ""
	}
	if s.Dialect == rowsql.SQLite {
		return fmt.Sprintf("strftime('%%H', issued_at, '%+d minutes')", off/60)
	}
	return fmt.Sprintf("DATE_FORMAT(DATE_ADD(issued_at, INTERVAL %d MINUTE), '%%H')", off/60)
}

// fixedOffset is loc's UTC offset in seconds if it is the same all through
// the days from..to.
func fixedOffset(loc *time.Location, from, to string) (int, bool) {
	d, err1 := time.ParseInLocation("2006-01-02", from, loc)
	end, err2 := time.ParseInLocation("2006-01-02", to, loc)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	_, off := d.Zone()
	for ; !d.After(end.AddDate(0, 0, 1)); d = d.Add(6 * time.Hour) {
		if _, o := d.Zone(); o != off {
			return 0, false
		}
	}
	return off, true
}

// withinTarget is the SQL condition "wait_us within the target of the
// service issued for" (CONTRACT §5 service_level) and its arguments; a
// service without a target counts every wait as within.
func (s *Source) withinTarget() (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("wait_us <= CASE first_service")
	for id, tgt := range s.Targets {
		if tgt > 0 {
			b.WriteString(" WHEN ? THEN ?")
			args = append(args, id, tgt.Microseconds())
		}
	}
	b.WriteString(" ELSE wait_us END")
	return b.String(), args
}

// visitsSQL is Visits aggregated by the database, keyed by the SQL k.
func (s *Source) visitsSQL(ctx context.Context, from, to, k string) ([]VisitsRow, error) {
	within, wargs := s.withinTarget()
	where, wa := s.ticketsIn(from, to)
	q := "SELECT " + k + ", COUNT(*)," +
		" SUM(CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END)," +
		" SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END)," +
		" SUM(CASE WHEN transfers > 0 THEN 1 ELSE 0 END)," +
		" COUNT(wait_us), COALESCE(SUM(wait_us), 0)," +
		" COALESCE(SUM(CASE WHEN finished_at IS NULL THEN NULL ELSE service_us END), 0)," +
		" SUM(CASE WHEN wait_us IS NOT NULL AND " + within + " THEN 1 ELSE 0 END)," +
		" SUM(CASE WHEN rating = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 4 THEN 1 ELSE 0 END)," +
		" SUM(CASE WHEN rating = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 2 THEN 1 ELSE 0 END)," +
		" SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END)," +
		" SUM(CASE WHEN (rating IS NULL OR rating < 1 OR rating > 5) AND unrated <> 0 THEN 1 ELSE 0 END)" +
		where + " GROUP BY " + k
	rows, err := s.DB.QueryContext(ctx, q, append(wargs, wa...)...)
	if err != nil {
		return nil, wrap("read tickets", err)
	}
	accs := map[string]*VisitsRow{}
	type sums struct{ called, wait, svc, within int64 }
	extra := map[string]*sums{}
	key := keyScan{loc: s.Loc}
	for rows.Next() {
		var r VisitsRow
		var x sums
		if err := rows.Scan(&key, &r.Issued, &r.Served, &r.NoShow, &r.Transferred, &x.called, &x.wait, &x.svc, &x.within,
			&r.Level5, &r.Level4, &r.Level3, &r.Level2, &r.Level1, &r.Unrated); err != nil {
			rows.Close()
			return nil, wrap("read tickets", err)
		}
		if key.s == "" {
			continue // counter/staff: never called (or no staff signed in)
		}
		r.Key = key.s
		r.Rated = r.Level5 + r.Level4 + r.Level3 + r.Level2 + r.Level1
		if x.called > 0 {
			r.WaitMeanS = secs(float64(x.wait) / float64(x.called))
			r.ServiceLevel = rate(int(x.within), int(x.called))
		}
		if r.Served > 0 {
			r.ServiceMeanS = secs(float64(x.svc) / float64(r.Served))
		}
		r.GoodRate = rate(r.Level5+r.Level4+r.Level3, r.Rated)
		r.BadRate = rate(r.Level2+r.Level1, r.Rated)
		r.UnratedRate = rate(r.Unrated, r.Rated+r.Unrated)
		accs[r.Key] = &r
		extra[r.Key] = &x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("read tickets", err)
	}
	// The percentiles (nearest rank) from every called ticket's wait, sorted
	// here: a window function over the month costs the database several
	// times more than handing over two integer columns.
	rows, err = s.DB.QueryContext(ctx, "SELECT "+k+", wait_us"+where+" AND wait_us IS NOT NULL", wa...)
	if err != nil {
		return nil, wrap("read tickets", err)
	}
	defer rows.Close()
	waits := map[string][]int64{}
	for rows.Next() {
		var w int64
		if err := rows.Scan(&key, &w); err != nil {
			return nil, wrap("read tickets", err)
		}
		if accs[key.s] != nil {
			waits[key.s] = append(waits[key.s], w)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read tickets", err)
	}
	for k, ws := range waits {
		slices.Sort(ws)
		accs[k].WaitP50S = secs(float64(nearestRank(ws, 1, 2)))
		accs[k].WaitP90S = secs(float64(nearestRank(ws, 9, 10)))
	}
	out := make([]VisitsRow, 0, len(accs))
	for _, r := range accs {
		out = append(out, *r)
	}
	sortRows(out)
	return out, nil
}
