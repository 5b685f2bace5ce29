package report

import (
	"context"
	"database/sql"
	"math"
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
}

// VisitsHeader is the CSV/XLSX header: the field names.
var VisitsHeader = []string{"key", "issued", "served", "no_show", "transferred", "wait_mean_s", "wait_p50_s",
	"wait_p90_s", "service_mean_s", "service_level", "rated", "unrated", "level_5", "level_4", "level_3",
	"level_2", "level_1", "good_rate", "bad_rate", "unrated_rate"}

// Cells is the row in VisitsHeader order (nil for null).
func (r VisitsRow) Cells() []any {
	return []any{r.Key, r.Issued, r.Served, r.NoShow, r.Transferred, f(r.WaitMeanS), f(r.WaitP50S), f(r.WaitP90S),
		f(r.ServiceMeanS), f(r.ServiceLevel), r.Rated, r.Unrated, r.Level5, r.Level4, r.Level3, r.Level2, r.Level1,
		f(r.GoodRate), f(r.BadRate), f(r.UnratedRate)}
}

func f(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// visit is one ticket as the visits report needs it.
type visit struct {
	day, service, counter, staff, status string
	issued, firstCalled, finished        time.Time
	transfers, rating                    int
	unrated                              bool
}

// visitCols are the tickets columns scanned into a visit.
const visitCols = "day, first_service, status, issued_at, first_called_at, finished_at, counter, staff_id, transfers, rating, unrated"

// scanVisits calls fn for each ticket of the hall whose business day is in
// [from, to].
func (s *Source) scanVisits(ctx context.Context, from, to string, fn func(*visit)) error {
	rows, err := s.DB.QueryContext(ctx, "SELECT "+visitCols+" FROM tickets WHERE hall = ? AND day >= ? AND day <= ?",
		s.Hall, from, to)
	if err != nil {
		return wrap("read tickets", err)
	}
	defer rows.Close()
	var v visit
	var day, issued, called, finished rowsql.NullTime
	var counter, staff sql.NullString
	var rating sql.NullInt64
	var unrated int
	for rows.Next() {
		if err := rows.Scan(&day, &v.service, &v.status, &issued, &called, &finished, &counter, &staff, &v.transfers,
			&rating, &unrated); err != nil {
			return wrap("read tickets", err)
		}
		v.day, v.issued, v.firstCalled, v.finished = day.Day(), issued.T, called.T, finished.T
		v.counter, v.staff, v.rating, v.unrated = counter.String, staff.String, int(rating.Int64), unrated != 0
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
}

// Visits is the visits report for business days from..to grouped by by
// (CONTRACT §5 reports): one row per key with at least one ticket, by key.
func (s *Source) Visits(ctx context.Context, from, to, by string) ([]VisitsRow, error) {
	if !visitGroupings[by] {
		return nil, queue.Errorf(queue.BadRequest, "分组无效 by must be service, counter, staff, day or hour, got %q", by)
	}
	if from > to {
		return nil, queue.Errorf(queue.BadRequest, "日期范围无效 from %s is after to %s", from, to)
	}
	accs := map[string]*acc{}
	err := s.scanVisits(ctx, from, to, func(v *visit) {
		var key string
		switch by {
		case "service":
			key = v.service // CONTRACT §5: the service it was issued for
		case "counter":
			key = v.counter // where it was finished, or else last called
		case "staff":
			key = v.staff
		case "day":
			key = v.day
		case "hour":
			key = v.issued.In(s.Loc).Format("15")
		}
		if key == "" {
			return // counter/staff: never called (or no staff signed in)
		}
		a := accs[key]
		if a == nil {
			a = &acc{row: VisitsRow{Key: key}}
			accs[key] = a
		}
		s.add(a, v)
	})
	if err != nil {
		return nil, err
	}
	out := make([]VisitsRow, 0, len(accs))
	for _, a := range accs {
		out = append(out, a.finish())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// add counts one ticket into a.
func (s *Source) add(a *acc, v *visit) {
	r := &a.row
	r.Issued++
	if !v.finished.IsZero() {
		r.Served++
		if !v.firstCalled.IsZero() {
			a.svcSum += v.finished.Sub(v.firstCalled).Microseconds()
		}
	}
	if v.status == string(queue.NoShow) {
		r.NoShow++
	}
	if v.transfers > 0 {
		r.Transferred++
	}
	if !v.firstCalled.IsZero() {
		w := v.firstCalled.Sub(v.issued).Microseconds()
		a.waits = append(a.waits, w)
		if tgt, ok := s.Targets[v.service]; !ok || tgt <= 0 || w <= tgt.Microseconds() {
			a.withinTgt++
		}
	}
	switch {
	case v.rating >= 1 && v.rating <= 5:
		r.Rated++
		*[]*int{&r.Level1, &r.Level2, &r.Level3, &r.Level4, &r.Level5}[v.rating-1]++
	case v.unrated:
		r.Unrated++
	}
}

// finish computes the means, percentiles and rates.
func (a *acc) finish() VisitsRow {
	r := a.row
	if n := len(a.waits); n > 0 {
		sort.Slice(a.waits, func(i, j int) bool { return a.waits[i] < a.waits[j] })
		var sum int64
		for _, w := range a.waits {
			sum += w
		}
		r.WaitMeanS = secs(float64(sum) / float64(n))
		r.WaitP50S = secs(float64(nearestRank(a.waits, 0.5)))
		r.WaitP90S = secs(float64(nearestRank(a.waits, 0.9)))
		r.ServiceLevel = rate(a.withinTgt, n)
	}
	if r.Served > 0 {
		r.ServiceMeanS = secs(float64(a.svcSum) / float64(r.Served))
	}
	r.GoodRate = rate(r.Level5+r.Level4+r.Level3, r.Rated)
	r.BadRate = rate(r.Level2+r.Level1, r.Rated)
	r.UnratedRate = rate(r.Unrated, r.Rated+r.Unrated)
	return r
}

// nearestRank is the p-th percentile of sorted by the nearest-rank method:
// the smallest value with at least p of the values at or below it.
func nearestRank(sorted []int64, p float64) int64 {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
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
