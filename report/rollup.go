package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// Day rollups (docs/reports.md "Rollups"): a closed day's visits, per key and
// service, folded once from its ticket rows and kept next to them, so a
// month's report reads 30 small rows instead of 600,000 tickets. They are a
// cache of the report rows, not a second record: each carries the day's
// report_days.version, which every write of the day's ticket rows bumps,
// and is used only while the versions agree; any day without one is read
// from the tickets. Waits are kept whole (sorted, to the microsecond), so
// percentiles and service levels come out exactly as from the tickets.

// cell is one day's visits of one key and service.
type cell struct {
	key, service                        string
	issued, served, noShow, transferred int
	rated, unrated                      int
	levels                              [5]int // level 1..5
	cases                               [4]int // instant, promised, joint, referred
	svcSum                              int64  // µs, over served
	waits                               []int64
	promised                            map[string]int // finished promised visits by promised date
}

// counts are the cell's counters, in encoding order.
func (c *cell) counts() []*int {
	return []*int{&c.issued, &c.served, &c.noShow, &c.transferred, &c.rated, &c.unrated,
		&c.levels[0], &c.levels[1], &c.levels[2], &c.levels[3], &c.levels[4],
		&c.cases[0], &c.cases[1], &c.cases[2], &c.cases[3]}
}

// caseKinds are the case kinds in cell.cases order.
var caseKinds = [4]string{queue.CaseInstant, queue.CasePromised, queue.CaseJoint, queue.CaseReferred}

// add counts one ticket into c.
func (c *cell) add(v *visit) {
	c.issued++
	if v.finished {
		c.served++
		c.svcSum += v.serviceUS
		for i, k := range caseKinds {
			if v.caseKind == k {
				c.cases[i]++
			}
		}
		if v.caseKind == queue.CasePromised && v.promised != "" {
			if c.promised == nil {
				c.promised = map[string]int{}
			}
			c.promised[v.promised]++
		}
	}
	if v.status == string(queue.NoShow) {
		c.noShow++
	}
	if v.transfers > 0 {
		c.transferred++
	}
	if v.called {
		c.waits = append(c.waits, v.waitUS)
	}
	switch {
	case v.rating >= 1 && v.rating <= 5:
		c.rated++
		c.levels[v.rating-1]++
	case v.unrated:
		c.unrated++
	}
}

// scanCells folds the tickets of business days from..to into cells of by.
func (s *Source) scanCells(ctx context.Context, from, to, by string) ([]*cell, error) {
	type ks struct{ key, service string }
	m := map[ks]*cell{}
	var out []*cell
	err := s.scanVisits(ctx, from, to, by, func(v *visit) {
		if v.key == "" {
			return // counter/staff: never called (or no staff signed in)
		}
		c := m[ks{v.key, v.service}]
		if c == nil {
			c = &cell{key: v.key, service: v.service}
			m[ks{v.key, v.service}] = c
			out = append(out, c)
		}
		c.add(v)
	})
	for _, c := range out {
		slices.Sort(c.waits)
	}
	return out, err
}

// merge adds c into its key's accumulator; promised dates before today
// count as past.
func (s *Source) merge(accs map[string]*acc, c *cell, today string) {
	a := accs[c.key]
	if a == nil {
		a = &acc{row: VisitsRow{Key: c.key}}
		accs[c.key] = a
	}
	r := &a.row
	r.Issued += c.issued
	r.Served += c.served
	r.NoShow += c.noShow
	r.Transferred += c.transferred
	r.Rated += c.rated
	r.Unrated += c.unrated
	for i, p := range []*int{&r.Level1, &r.Level2, &r.Level3, &r.Level4, &r.Level5} {
		*p += c.levels[i]
	}
	for i, p := range []*int{&r.CaseInstant, &r.CasePromised, &r.CaseJoint, &r.CaseReferred} {
		*p += c.cases[i]
	}
	a.svcSum += c.svcSum
	a.waits = append(a.waits, c.waits...)
	if tgt, ok := s.Targets[c.service]; !ok || tgt <= 0 {
		a.withinTgt += len(c.waits)
	} else {
		lim := tgt.Microseconds()
		a.withinTgt += sort.Search(len(c.waits), func(i int) bool { return c.waits[i] > lim })
	}
	for d, n := range c.promised {
		if d < today {
			a.past += n
		}
	}
}

// rollups are the usable day rollups of by for business days from..to
// before today: their version is the day's.
func (s *Source) rollups(ctx context.Context, from, to, by, today string) (map[string][]byte, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT r.day, r.data FROM report_rollups r JOIN report_days d"+
		" ON d.hall = r.hall AND d.day = r.day AND d.version = r.version"+
		" WHERE r.hall = ? AND r.rollup_by = ? AND r.day >= ? AND r.day <= ? AND r.day < ?",
		s.Hall, by, from, to, today)
	if err != nil {
		return nil, wrap("read day rollups", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	day := keyScan{loc: s.Loc}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&day, &data); err != nil {
			return nil, wrap("read day rollups", err)
		}
		out[day.s] = data
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read day rollups", err)
	}
	return out, nil
}

// visitCells calls fn with every cell of by over business days from..to:
// from the usable rollups, and from the tickets for the days between them.
func (s *Source) visitCells(ctx context.Context, from, to, by, today string, fn func(*cell)) error {
	rolled, err := s.rollups(ctx, from, to, by, today)
	if err != nil {
		return err
	}
	days := make([]string, 0, len(rolled))
	for d := range rolled {
		days = append(days, d)
	}
	sort.Strings(days)
	scan := func(a, b string) error {
		if a > b {
			return nil
		}
		cells, err := s.scanCells(ctx, a, b, by)
		for _, c := range cells {
			fn(c)
		}
		return err
	}
	next := from // the first day not yet counted
	for _, d := range days {
		cells, err := decodeDay(rolled[d])
		if err != nil {
			continue // read from the tickets with the days after it
		}
		if err := scan(next, addDays(d, -1)); err != nil {
			return err
		}
		for _, c := range cells {
			fn(c)
		}
		next = addDays(d, 1)
	}
	return scan(next, to)
}

// addDays is the date n days after d (both YYYY-MM-DD).
func addDays(d string, n int) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

// settleBatch is how many days one Settle folds at most.
const settleBatch = 7

// Settle writes, through w (a writable handle on s.DB's database), the
// rollups of up to settleBatch closed days (before today) that have none of
// their current version, newest first, and returns how many it wrote.
func (s *Source) Settle(ctx context.Context, w rowsql.Execer) (int, error) {
	today := s.today()
	// The version is read before the tickets: a write in between makes the
	// rollup stale (settled again), never wrong.
	rows, err := s.DB.QueryContext(ctx, "SELECT d.day, d.version FROM report_days d LEFT JOIN report_rollups r"+
		" ON r.hall = d.hall AND r.day = d.day AND r.rollup_by = 'hour' AND r.version = d.version"+
		" WHERE d.hall = ? AND d.day < ? AND r.day IS NULL ORDER BY d.day DESC LIMIT ?", s.Hall, today, settleBatch)
	if err != nil {
		return 0, fmt.Errorf("settle day rollups: %w", err)
	}
	type todo struct {
		day     string
		version int64
	}
	var days []todo
	day := keyScan{loc: s.Loc}
	for rows.Next() {
		var t todo
		if err := rows.Scan(&day, &t.version); err != nil {
			rows.Close()
			return 0, fmt.Errorf("settle day rollups: %w", err)
		}
		t.day = day.s
		days = append(days, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("settle day rollups: %w", err)
	}
	for i, t := range days {
		var out [][]any
		for _, by := range []string{"service", "counter", "staff", "day", "hour"} { // hour last: Settle looks for it
			cells, err := s.scanCells(ctx, t.day, t.day, by)
			if err != nil {
				return i, fmt.Errorf("settle %s: %w", t.day, err)
			}
			out = append(out, []any{s.Hall, by, t.day, t.version, encodeDay(cells)})
		}
		if err := s.Dialect.Upsert(ctx, w, "report_rollups", []string{"hall", "rollup_by", "day", "version", "data"}, 3,
			out...); err != nil {
			return i, fmt.Errorf("settle %s: %w", t.day, err)
		}
	}
	return len(days), nil
}

// RunSettle settles closed days until ctx ends: in batches while days are
// left, then every interval, logging progress and failures.
func (s *Source) RunSettle(ctx context.Context, w *sql.DB, every time.Duration, log zerolog.Logger) {
	total := 0
	for {
		n, err := s.Settle(ctx, w)
		total += n
		if err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Msg("report rollups not settled; reports read the tickets meanwhile 报表日汇总未完成")
		}
		if n < settleBatch || err != nil {
			if total > 0 {
				log.Info().Int("days", total).Msg("report day rollups settled 报表日汇总已更新")
				total = 0
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		log.Info().Int("days", total).Msg("settling report day rollups 正在汇总报表")
	}
}
