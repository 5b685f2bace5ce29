package report

import (
	"context"
	"database/sql"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"time"

	"github.com/hallq/hallq/queue"
)

// SampleCounter is one counter's 回访 sample (CONTRACT §5 sampling).
type SampleCounter struct {
	Counter    string   `json:"counter"`
	Visits     int      `json:"visits"`
	SampleSize int      `json:"sample_size"`
	TicketIDs  []string `json:"ticket_ids"`
}

// SampleSize is the pinned rule: every visit below 50, else
// min(100, 50 + floor((visits - 50) / 10)).
func SampleSize(visits int) int {
	if visits < 50 {
		return visits
	}
	return min(100, 50+(visits-50)/10)
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// monthRange is the first and last day of a YYYY-MM month.
func monthRange(month string) (string, string, error) {
	if !monthRE.MatchString(month) {
		return "", "", queue.Errorf(queue.BadRequest, "月份格式错误 month must be YYYY-MM, got %q", month)
	}
	first, _ := time.Parse("2006-01", month)
	return first.Format("2006-01-02"), first.AddDate(0, 1, -1).Format("2006-01-02"), nil
}

// Sampling draws each counter's sample of the month's finished visits (a
// ticket finished at that counter, business day in the month). The draw is
// uniform and depends only on the month, the seed, the counter and its set
// of visits: the ticket ids are sorted, then a partial Fisher-Yates shuffle
// driven by PCG(seed, FNV-1a(counter)) picks sample_size of them, listed
// sorted (docs/reports.md).
func (s *Source) Sampling(ctx context.Context, month string, seed uint64) ([]SampleCounter, error) {
	from, to, err := monthRange(month)
	if err != nil {
		return nil, err
	}
	where, args := s.ticketsIn(from, to)
	rows, err := s.DB.QueryContext(ctx, "SELECT counter, ticket_id"+where+
		" AND finished_at IS NOT NULL AND counter IS NOT NULL", args...)
	if err != nil {
		return nil, wrap("read tickets", err)
	}
	defer rows.Close()
	byCounter := map[string][]string{}
	var counter sql.NullString
	var id string
	for rows.Next() {
		if err := rows.Scan(&counter, &id); err != nil {
			return nil, wrap("read tickets", err)
		}
		byCounter[counter.String] = append(byCounter[counter.String], id)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read tickets", err)
	}
	out := make([]SampleCounter, 0, len(byCounter))
	for c, ids := range byCounter {
		sort.Strings(ids)
		n := SampleSize(len(ids))
		h := fnv.New64a()
		h.Write([]byte(c))
		r := rand.New(rand.NewPCG(seed, h.Sum64()))
		for i := 0; i < n; i++ {
			j := i + r.IntN(len(ids)-i)
			ids[i], ids[j] = ids[j], ids[i]
		}
		pick := append([]string(nil), ids[:n]...)
		sort.Strings(pick)
		out = append(out, SampleCounter{Counter: c, Visits: len(ids), SampleSize: n, TicketIDs: pick})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Counter < out[j].Counter })
	return out, nil
}

// SamplingTable is the sample as a table for the callers: one row per
// drawn ticket.
func SamplingTable(cs []SampleCounter) *Table {
	t := &Table{Sheet: "sampling", Header: []string{"counter", "visits", "sample_size", "ticket_id"}}
	for _, c := range cs {
		for _, id := range c.TicketIDs {
			t.Rows = append(t.Rows, []any{c.Counter, c.Visits, c.SampleSize, id})
		}
	}
	return t
}
