package report

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// Groupings of the visits report (CONTRACT §5 reports).
var visitGroupings = map[string]bool{"service": true, "counter": true, "staff": true, "day": true, "hour": true}

// VisitsRow is one row of the visits report, fields and order as CONTRACT §5
// pins them. Seconds have millisecond precision; a rate over nothing is null.
type VisitsRow struct {
	Key          string   `json:"key"`
	Issued       int      `json:"issued"`
	Served       int      `json:"served"`
	NoShow       int      `json:"no_show"`
	Transferred  int      `json:"transferred"`
	WaitMeanS    *float64 `json:"wait_mean_s"`
	WaitP50S     *float64 `json:"wait_p50_s"`
	WaitP90S     *float64 `json:"wait_p90_s"`
	ServiceMeanS *float64 `json:"service_mean_s"`
	ServiceLevel *float64 `json:"service_level"`
	Rated        int      `json:"rated"`
	Unrated      int      `json:"unrated"`
	Level5       int      `json:"level_5"`
	Level4       int      `json:"level_4"`
	Level3       int      `json:"level_3"`
	Level2       int      `json:"level_2"`
	Level1       int      `json:"level_1"`
	GoodRate     *float64 `json:"good_rate"`
	BadRate      *float64 `json:"bad_rate"`
	UnratedRate  *float64 `json:"unrated_rate"`
	// Added after the pinned fields (issue 13, docs/reports.md): finished
	// visits per case kind, and the share of the promised ones whose
	// promised date is before today in hall time.
	CaseInstant      int      `json:"case_instant"`
	CasePromised     int      `json:"case_promised"`
	CaseJoint        int      `json:"case_joint"`
	CaseReferred     int      `json:"case_referred"`
	PromisedPastRate *float64 `json:"promised_past_rate"`
}

// VisitsHeader is the CSV/XLSX header: the field names.
var VisitsHeader = []string{"key", "issued", "served", "no_show", "transferred", "wait_mean_s", "wait_p50_s",
	"wait_p90_s", "service_mean_s", "service_level", "rated", "unrated", "level_5", "level_4", "level_3",
	"level_2", "level_1", "good_rate", "bad_rate", "unrated_rate",
	"case_instant", "case_promised", "case_joint", "case_referred", "promised_past_rate"}

// Cells is the row in VisitsHeader order (nil for null).
func (r VisitsRow) Cells() []any {
	return []any{r.Key, r.Issued, r.Served, r.NoShow, r.Transferred, f(r.WaitMeanS), f(r.WaitP50S), f(r.WaitP90S),
		f(r.ServiceMeanS), f(r.ServiceLevel), r.Rated, r.Unrated, r.Level5, r.Level4, r.Level3, r.Level2, r.Level1,
		f(r.GoodRate), f(r.BadRate), f(r.UnratedRate),
		r.CaseInstant, r.CasePromised, r.CaseJoint, r.CaseReferred, f(r.PromisedPastRate)}
}

func f(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// visit is one ticket as the visits report needs it.
type visit struct {
	key, service, status string
	waitUS, serviceUS    int64
	called, finished     bool
	transfers, rating    int
	unrated              bool
	caseKind, promised   string // case kind and promised date (YYYY-MM-DD)
}

// keyCols are the tickets column each grouping keys on.
var keyCols = map[string]string{"service": "first_service", "counter": "counter", "staff": "staff_id", "day": "day",
	"hour": "issued_at"}

// keyScan scans a key column of either dialect: text, or a MySQL DATE or
// DATETIME (hour: the hall-local hour of issue).
type keyScan struct {
	loc  *time.Location
	hour bool
	s    string
}

// Scan implements sql.Scanner.
func (k *keyScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		k.s = ""
		return nil
	case string:
		k.s = v
	case []byte:
		k.s = string(v)
	case time.Time:
		if k.hour {
			k.s = v.In(k.loc).Format("15")
		} else {
			k.s = v.Format("2006-01-02")
		}
		return nil
	default:
		return fmt.Errorf("report: cannot scan %T into a key", src)
	}
	if k.hour {
		var t rowsql.NullTime
		if err := t.Scan(k.s); err != nil {
			return err
		}
		k.s = t.T.In(k.loc).Format("15")
	}
	return nil
}

// scanVisits calls fn for each ticket of the hall whose business day is in
// [from, to], keyed by by (a key of keyCols).
func (s *Source) scanVisits(ctx context.Context, from, to, by string, fn func(*visit)) error {
	where, args := s.ticketsIn(from, to)
	key := keyScan{loc: s.Loc}
	k := s.keyExpr(by, from, to)
	if k == "" { // the hour of issue, worked out here
		k, key.hour = keyCols[by], true
	}
	rows, err := s.DB.QueryContext(ctx, "SELECT "+k+", first_service, status, wait_us, service_us,"+
		" CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END, transfers, rating, unrated,"+
		" case_kind, promised_date"+where, args...)
	if err != nil {
		return wrap("read tickets", err)
	}
	defer rows.Close()
	var v visit
	var wait, svc, rating sql.NullInt64
	var finished, unrated int
	var kind sql.NullString
	var promised keyScan
	for rows.Next() {
		if err := rows.Scan(&key, &v.service, &v.status, &wait, &svc, &finished, &v.transfers, &rating, &unrated,
			&kind, &promised); err != nil {
			return wrap("read tickets", err)
		}
		v.key, v.waitUS, v.called, v.serviceUS = key.s, wait.Int64, wait.Valid, svc.Int64
		v.finished, v.rating, v.unrated = finished != 0, int(rating.Int64), unrated != 0
		v.caseKind, v.promised = kind.String, promised.s
		fn(&v)
	}
	if err := rows.Err(); err != nil {
		return wrap("read tickets", err)
	}
	return nil
}

// acc accumulates one key's row.
type acc struct {
	row       VisitsRow
	waits     []int64 // microseconds, over called tickets
	withinTgt int
	svcSum    int64 // microseconds, over served tickets
	past      int   // finished promised visits whose date has passed
}

// Visits is the visits report for business days from..to grouped by by
// (CONTRACT §5 reports): one row per key with at least one ticket, by key.
func (s *Source) Visits(ctx context.Context, from, to, by string) ([]VisitsRow, error) {
	if err := checkVisits(from, to, by); err != nil {
		return nil, err
	}
	// Closed days from their rollups, the rest from the tickets (rollup.go).
	accs := map[string]*acc{}
	today := s.today()
	if err := s.visitCells(ctx, from, to, by, today, func(c *cell) { s.merge(accs, c, today) }); err != nil {
		return nil, err
	}
	return finishAll(accs), nil
}

// checkVisits checks a visits report's grouping and range.
func checkVisits(from, to, by string) error {
	if !visitGroupings[by] {
		return queue.Errorf(queue.BadRequest, "分组无效 by must be service, counter, staff, day or hour, got %q", by)
	}
	if from > to {
		return queue.Errorf(queue.BadRequest, "日期范围无效 from %s is after to %s", from, to)
	}
	return nil
}

// finishAll is the report's rows, by key.
func finishAll(accs map[string]*acc) []VisitsRow {
	out := make([]VisitsRow, 0, len(accs))
	for _, a := range accs {
		out = append(out, a.finish())
	}
	sortRows(out)
	return out
}

// sortRows orders report rows by key.
func sortRows(rs []VisitsRow) { sort.Slice(rs, func(i, j int) bool { return rs[i].Key < rs[j].Key }) }

// finish computes the means, percentiles and rates.
func (a *acc) finish() VisitsRow {
	r := a.row
	if n := len(a.waits); n > 0 {
		slices.Sort(a.waits)
		var sum int64
		for _, w := range a.waits {
			sum += w
		}
		r.WaitMeanS = secs(float64(sum) / float64(n))
		r.WaitP50S = secs(float64(nearestRank(a.waits, 1, 2)))
		r.WaitP90S = secs(float64(nearestRank(a.waits, 9, 10)))
		r.ServiceLevel = rate(a.withinTgt, n)
	}
	if r.Served > 0 {
		r.ServiceMeanS = secs(float64(a.svcSum) / float64(r.Served))
	}
	r.GoodRate = rate(r.Level5+r.Level4+r.Level3, r.Rated)
	r.BadRate = rate(r.Level2+r.Level1, r.Rated)
	r.UnratedRate = rate(r.Unrated, r.Rated+r.Unrated)
	r.PromisedPastRate = rate(a.past, r.CasePromised)
	return r
}

// nearestRank is the num/den-th percentile of sorted by the nearest-rank
// method: the ceil(num/den × n)-th smallest value, in integers.
func nearestRank(sorted []int64, num, den int) int64 {
	i := (num*len(sorted)+den-1)/den - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// secs is microseconds as seconds rounded to the millisecond.
func secs(us float64) *float64 {
	v := math.Round(us/1000) / 1000
	return &v
}

// rate is n/of, or nil over nothing.
func rate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}
