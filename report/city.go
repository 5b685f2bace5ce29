package report

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// maxCityHalls bounds the halls of one city-wide report.
const maxCityHalls = 100

// CityHalls are the halls a city-wide report covers in MySQL: list is
// "all" or hall ids separated by commas; each must have replicated into db
// (its halls row), else a bad_request names it.
func CityHalls(ctx context.Context, db *sql.DB, list string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT hall FROM halls ORDER BY hall")
	if err != nil {
		return nil, wrap("read halls", err)
	}
	defer rows.Close()
	known := map[string]bool{}
	var all []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, wrap("read halls", err)
		}
		known[h] = true
		all = append(all, h)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read halls", err)
	}
	want := all
	if list != "all" {
		want = nil
		seen := map[string]bool{}
		for _, h := range strings.Split(list, ",") {
			h = strings.TrimSpace(h)
			if !known[h] {
				return nil, queue.Errorf(queue.BadRequest, "大厅不存在 hall %q has no rows in MySQL", h)
			}
			if !seen[h] {
				seen[h] = true
				want = append(want, h)
			}
		}
	}
	if len(want) == 0 || len(want) > maxCityHalls {
		return nil, queue.Errorf(queue.BadRequest, "大厅数量无效 halls must name 1 to %d halls, got %d", maxCityHalls, len(want))
	}
	sort.Strings(want)
	return want, nil
}

// CatalogSource reads hall's rows in MySQL db with the time zone and the
// service targets its hallqd wrote to the catalog (halls, services).
func CatalogSource(ctx context.Context, db *sql.DB, hall string) (*Source, error) {
	s := &Source{DB: db, Dialect: rowsql.MySQL, Hall: hall, Loc: time.UTC, Targets: map[string]time.Duration{}}
	var tz string
	if err := db.QueryRowContext(ctx, "SELECT timezone FROM halls WHERE hall = ?", hall).Scan(&tz); err != nil {
		return nil, wrap("read hall "+hall, err)
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		s.Loc = loc
	}
	rows, err := db.QueryContext(ctx, "SELECT service, target_wait_s FROM services WHERE hall = ?", hall)
	if err != nil {
		return nil, wrap("read services of "+hall, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var secs int64
		if err := rows.Scan(&id, &secs); err != nil {
			return nil, wrap("read services of "+hall, err)
		}
		s.Targets[id] = time.Duration(secs) * time.Second
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read services of "+hall, err)
	}
	return s, nil
}

// CityVisits is the visits report over several halls (docs/reports.md
// "City-wide"): rows by service, day and hour add up every hall's tickets
// (percentiles over all their waits, each wait against its own hall's
// target); counter and staff keys are "hall/id". "Today" is each hall's own.
func CityVisits(ctx context.Context, srcs []*Source, from, to, by string) ([]VisitsRow, error) {
	if err := checkVisits(from, to, by); err != nil {
		return nil, err
	}
	accs := map[string]*acc{}
	for _, s := range srcs {
		today := s.today()
		prefix := ""
		if by == "counter" || by == "staff" {
			prefix = s.Hall + "/"
		}
		err := s.visitCells(ctx, from, to, by, today, func(c *cell) {
			c.key = prefix + c.key
			s.merge(accs, c, today)
		})
		if err != nil {
			return nil, err
		}
	}
	return finishAll(accs), nil
}
