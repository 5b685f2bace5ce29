package report

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/hallq/hallq/queue"
)

// Ranking weights of the monthly score (docs/reports.md): satisfaction
// weighs 20% (DOMAIN: 满意度占20%), the rest comes from the service level,
// the wait against the target, the no-show share and the 差评 cases.
const (
	wSatisfaction = 0.20
	wServiceLevel = 0.30
	wWait         = 0.20
	wNoShow       = 0.10
	wCases        = 0.20
)

// minServedToRank is how many finished visits a counter or staff member
// needs in the period to be ranked at all.
const minServedToRank = 20

// RankRow is one counter's or staff member's score in a period.
type RankRow struct {
	Rank         int      `json:"rank"`
	Key          string   `json:"key"`
	Score        float64  `json:"score"` // 0-100
	Served       int      `json:"served"`
	Satisfaction *float64 `json:"satisfaction"` // good_rate
	ServiceLevel *float64 `json:"service_level"`
	WaitScore    *float64 `json:"wait_score"` // 1 - mean(min(1, wait / (2 × target)))
	NoShowRate   *float64 `json:"no_show_rate"`
	Cases        int      `json:"cases"`      // 差评 cases opened, not dismissed
	CaseScore    *float64 `json:"case_score"` // 1 - min(1, 10 × cases / served)
}

// Rankings is the ranking of a month or a quarter.
type Rankings struct {
	Period  string    `json:"period"`
	By      string    `json:"by"`
	Rows    []RankRow `json:"rows"`     // ranked, best first; unranked (too few visits) left out
	RedFlag *string   `json:"red_flag"` // 红旗窗口/岗位: the top of a month
	Top     []string  `json:"top"`      // the period's top 10 (优秀窗口/个人)
	Bottom  *string   `json:"bottom"`   // the last, named
}

var quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// periodRange is the days of "YYYY-MM" or "YYYY-Qn".
func periodRange(period string) (string, string, error) {
	if m := quarterRE.FindStringSubmatch(period); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		first := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		return first.Format("2006-01-02"), first.AddDate(0, 3, -1).Format("2006-01-02"), nil
	}
	from, to, err := monthRange(period)
	if err != nil {
		return "", "", queue.Errorf(queue.BadRequest, "期间格式错误 period must be YYYY-MM or YYYY-Qn, got %q", period)
	}
	return from, to, nil
}

type rankAcc struct {
	served, issued, noShow, called, good, rated, cases int
	within                                             int
	waitLoad                                           float64
}

// Rankings scores every counter or staff member (by) over a month
// ("YYYY-MM") or quarter ("YYYY-Qn"). Tickets are attributed as in the
// visits report (where finished, or else last called).
func (s *Source) Rankings(ctx context.Context, period, by string) (*Rankings, error) {
	if by != "counter" && by != "staff" {
		return nil, queue.Errorf(queue.BadRequest, "排名对象无效 by must be counter or staff, got %q", by)
	}
	from, to, err := periodRange(period)
	if err != nil {
		return nil, err
	}
	accs := map[string]*rankAcc{}
	err = s.scanVisits(ctx, from, to, by, func(v *visit) {
		if v.key == "" {
			return
		}
		a := accs[v.key]
		if a == nil {
			a = &rankAcc{}
			accs[v.key] = a
		}
		a.issued++
		if v.finished {
			a.served++
		}
		if v.status == string(queue.NoShow) {
			a.noShow++
		}
		if v.called {
			a.called++
			tgt := s.Targets[v.service].Microseconds()
			if tgt <= 0 || v.waitUS <= tgt {
				a.within++
			}
			if tgt > 0 {
				a.waitLoad += math.Min(1, float64(v.waitUS)/float64(2*tgt))
			}
		}
		if v.rating >= 1 && v.rating <= 5 {
			a.rated++
			if v.rating >= 3 {
				a.good++
			}
		}
	})
	if err != nil {
		return nil, err
	}
	col := "counter"
	if by == "staff" {
		col = "staff_id"
	}
	rows, err := s.DB.QueryContext(ctx, "SELECT "+col+", COUNT(*) FROM cases WHERE hall = ? AND day >= ? AND day <= ?"+
		" AND status <> 'dismissed' GROUP BY "+col, s.Hall, from, to)
	if err != nil {
		return nil, wrap("read cases", err)
	}
	for rows.Next() {
		var k sql.NullString
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, wrap("read cases", err)
		}
		if a := accs[k.String]; a != nil {
			a.cases += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("read cases", err)
	}
	out := &Rankings{Period: period, By: by, Rows: []RankRow{}, Top: []string{}}
	for k, a := range accs {
		if a.served < minServedToRank {
			continue
		}
		r := RankRow{Key: k, Served: a.served, Cases: a.cases}
		r.Satisfaction = rate(a.good, a.rated)
		r.ServiceLevel = rate(a.within, a.called)
		r.NoShowRate = rate(a.noShow, a.issued)
		if a.called > 0 {
			v := 1 - a.waitLoad/float64(a.called)
			r.WaitScore = &v
		}
		cs := 1 - math.Min(1, 10*float64(a.cases)/float64(a.served))
		r.CaseScore = &cs
		r.Score = score(r)
		out.Rows = append(out.Rows, r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Key < b.Key
	})
	for i := range out.Rows {
		out.Rows[i].Rank = i + 1
		if i < 10 {
			out.Top = append(out.Top, out.Rows[i].Key)
		}
	}
	if n := len(out.Rows); n > 0 {
		top, last := out.Rows[0].Key, out.Rows[n-1].Key
		if !quarterRE.MatchString(period) {
			out.RedFlag = &top
		}
		out.Bottom = &last
	}
	return out, nil
}

// score is the weighted sum of the components, 0-100, rounded to 0.01. A
// component over nothing (no ratings, no calls) is left out and the other
// weights are scaled up.
func score(r RankRow) float64 {
	var sum, weight float64
	add := func(w float64, v *float64) {
		if v != nil {
			sum += w * *v
			weight += w
		}
	}
	add(wSatisfaction, r.Satisfaction)
	add(wServiceLevel, r.ServiceLevel)
	add(wWait, r.WaitScore)
	if r.NoShowRate != nil {
		ns := 1 - *r.NoShowRate
		add(wNoShow, &ns)
	}
	add(wCases, r.CaseScore)
	if weight == 0 {
		return 0
	}
	return math.Round(10000*sum/weight) / 100
}

// RankingsTable is the ranking as a table.
func RankingsTable(r *Rankings) *Table {
	t := &Table{Sheet: "rankings", Header: []string{"rank", "key", "score", "served", "satisfaction", "service_level",
		"wait_score", "no_show_rate", "cases", "case_score"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []any{x.Rank, x.Key, x.Score, x.Served, f(x.Satisfaction), f(x.ServiceLevel),
			f(x.WaitScore), f(x.NoShowRate), x.Cases, f(x.CaseScore)})
	}
	return t
}
