package report

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hallq/hallq/report/rowsql"
)

// The visits report is aggregated by the database, with the same SQL for
// SQLite and MySQL (integer arithmetic only, so both give the same numbers):
// one GROUP BY for the counts and sums, one window query for the two
// percentiles. Only a few rows per key come back, which is what keeps a
// month of a large hall under a second (docs/benchmarks.md).

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
		" FROM tickets WHERE hall = ? AND day >= ? AND day <= ? GROUP BY " + k
	rows, err := s.DB.QueryContext(ctx, q, append(wargs, s.Hall, from, to)...)
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
	// Nearest-rank percentiles: the rn-th smallest wait where rn = ceil(p n),
	// written without division so that both dialects agree.
	q = "SELECT k, wait_us, rn, n FROM (SELECT " + k + " AS k, wait_us," +
		" ROW_NUMBER() OVER (PARTITION BY " + k + " ORDER BY wait_us) AS rn," +
		" COUNT(*) OVER (PARTITION BY " + k + ") AS n" +
		" FROM tickets WHERE hall = ? AND day >= ? AND day <= ? AND wait_us IS NOT NULL) x" +
		" WHERE (2 * rn >= n AND 2 * (rn - 1) < n) OR (10 * rn >= 9 * n AND 10 * (rn - 1) < 9 * n)"
	rows, err = s.DB.QueryContext(ctx, q, s.Hall, from, to)
	if err != nil {
		return nil, wrap("read tickets", err)
	}
	defer rows.Close()
	for rows.Next() {
		var wait, rn, n sql.NullInt64
		if err := rows.Scan(&key, &wait, &rn, &n); err != nil {
			return nil, wrap("read tickets", err)
		}
		r := accs[key.s]
		if r == nil {
			continue
		}
		v := secs(float64(wait.Int64))
		if 2*rn.Int64 >= n.Int64 && 2*(rn.Int64-1) < n.Int64 {
			r.WaitP50S = v
		}
		if 10*rn.Int64 >= 9*n.Int64 && 10*(rn.Int64-1) < 9*n.Int64 {
			r.WaitP90S = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read tickets", err)
	}
	out := make([]VisitsRow, 0, len(accs))
	for _, r := range accs {
		out = append(out, *r)
	}
	sortRows(out)
	return out, nil
}
