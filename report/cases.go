package report

import (
	"context"
	"database/sql"

	"github.com/hallq/hallq/report/rowsql"
)

// CaseRates are the 差评 follow-up rates over the cases opened in a date
// range (docs/reports.md defines them):
//   - reply_rate 差评回复率: cases with at least one step (verified,
//     dismissed, appealed, ...) / cases;
//   - rectify_rate 回访整改率: cases rectified / cases not dismissed;
//   - rectify_satisfied_rate 回访整改满意率: callbacks whose 追评 is 3-5 /
//     callbacks with a 追评.
type CaseRates struct {
	Cases                int      `json:"cases"`
	Replied              int      `json:"replied"`
	Dismissed            int      `json:"dismissed"`
	Rectified            int      `json:"rectified"`
	Callbacks            int      `json:"callbacks"` // with a 追评 level
	CallbackSatisfied    int      `json:"callback_satisfied"`
	Open                 int      `json:"open"` // open or verified or appealed now
	ReplyRate            *float64 `json:"reply_rate"`
	RectifyRate          *float64 `json:"rectify_rate"`
	RectifySatisfiedRate *float64 `json:"rectify_satisfied_rate"`
}

// CaseRates counts the cases opened on business days from..to.
func (s *Source) CaseRates(ctx context.Context, from, to string) (*CaseRates, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT status, steps, rectified_at, followup_level FROM cases"+
		" WHERE hall = ? AND day >= ? AND day <= ?", s.Hall, from, to)
	if err != nil {
		return nil, wrap("read cases", err)
	}
	defer rows.Close()
	c := &CaseRates{}
	for rows.Next() {
		var status string
		var steps int
		var rectified rowsql.NullTime
		var followup sql.NullInt64
		if err := rows.Scan(&status, &steps, &rectified, &followup); err != nil {
			return nil, wrap("read cases", err)
		}
		c.Cases++
		if steps > 0 {
			c.Replied++
		}
		switch status {
		case "dismissed":
			c.Dismissed++
		case "open", "verified", "appealed":
			c.Open++
		}
		if !rectified.T.IsZero() {
			c.Rectified++
		}
		if followup.Valid {
			c.Callbacks++
			if followup.Int64 >= 3 {
				c.CallbackSatisfied++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read cases", err)
	}
	c.ReplyRate = rate(c.Replied, c.Cases)
	c.RectifyRate = rate(c.Rectified, c.Cases-c.Dismissed)
	c.RectifySatisfiedRate = rate(c.CallbackSatisfied, c.Callbacks)
	return c, nil
}
