package report

import (
	"context"
	"sort"
)

// DimRow is satisfaction on one rating dimension (CONTRACT §2 dims:
// approval 审批行为, efficiency 办事效率, attitude 服务态度, fees 收费情况,
// integrity 廉政建设) over the ratings of a date range.
type DimRow struct {
	Dim       string   `json:"dim"`
	Rated     int      `json:"rated"`
	Level5    int      `json:"level_5"`
	Level4    int      `json:"level_4"`
	Level3    int      `json:"level_3"`
	Level2    int      `json:"level_2"`
	Level1    int      `json:"level_1"`
	MeanLevel *float64 `json:"mean_level"`
	GoodRate  *float64 `json:"good_rate"` // (5+4+3)/rated
}

// Dims is satisfaction by dimension for ratings of business days from..to.
func (s *Source) Dims(ctx context.Context, from, to string) ([]DimRow, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT d.dim, d.level, COUNT(*) FROM rating_dims d JOIN ratings r"+
		" ON r.hall = d.hall AND r.seq = d.seq WHERE d.hall = ? AND r.day >= ? AND r.day <= ? GROUP BY d.dim, d.level",
		s.Hall, from, to)
	if err != nil {
		return nil, wrap("read rating_dims", err)
	}
	defer rows.Close()
	by := map[string]*DimRow{}
	sums := map[string]int{}
	for rows.Next() {
		var dim string
		var level, n int
		if err := rows.Scan(&dim, &level, &n); err != nil {
			return nil, wrap("read rating_dims", err)
		}
		r := by[dim]
		if r == nil {
			r = &DimRow{Dim: dim}
			by[dim] = r
		}
		if level < 1 || level > 5 {
			continue
		}
		r.Rated += n
		sums[dim] += level * n
		*[]*int{&r.Level1, &r.Level2, &r.Level3, &r.Level4, &r.Level5}[level-1] += n
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read rating_dims", err)
	}
	out := make([]DimRow, 0, len(by))
	for dim, r := range by {
		if r.Rated > 0 {
			m := float64(sums[dim]) / float64(r.Rated)
			r.MeanLevel = &m
		}
		r.GoodRate = rate(r.Level5+r.Level4+r.Level3, r.Rated)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dim < out[j].Dim })
	return out, nil
}

// DimsTable is the dimensions report as a table.
func DimsTable(rs []DimRow) *Table {
	t := &Table{Sheet: "dims", Header: []string{"dim", "rated", "level_5", "level_4", "level_3", "level_2", "level_1",
		"mean_level", "good_rate"}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []any{r.Dim, r.Rated, r.Level5, r.Level4, r.Level3, r.Level2, r.Level1,
			f(r.MeanLevel), f(r.GoodRate)})
	}
	return t
}
