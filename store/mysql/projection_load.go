package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hallq/hallq/queue"
)

// Reading the projection rows a batch touches (projection_write.go writes
// back the changed ones). Column lists live here, next to the scans that
// depend on their order.

// queryer is a *sql.Tx or *sql.DB.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func ticketCols() []string {
	return []string{"hall", "ticket_id", "day", "number", "n", "service", "first_service", "channel", "appointment",
		"status", "issued_at", "called_at", "started_at", "finished_at", "ended_at", "counter", "staff_id",
		"waited_s", "served_s", "calls", "recalls", "transfers", "no_shows", "call_seq", "rating", "rated_at",
		"end_reason", "updated_seq"}
}

func visitCols() []string {
	return []string{"hall", "seq", "ticket_id", "day", "number", "service", "channel", "counter", "staff_id",
		"called_at", "waited_s", "recalls", "started_at", "ended_at", "served_s", "outcome", "to_service",
		"to_counter", "rating", "updated_seq"}
}

func sessionCols() []string {
	return []string{"hall", "open_seq", "counter", "staff_id", "opened_at", "closed_at", "close_seq",
		"close_reason", "open_s", "pauses", "paused_s", "paused_at", "updated_seq"}
}

// loadProjection reads the tickets, their current visits and the open
// counter sessions that evs touch.
func loadProjection(ctx context.Context, q queryer, hall string, evs []queue.Event) (*Projection, error) {
	p := NewProjection()
	tickets, counters := map[string]bool{}, map[string]bool{}
	var opens []any // sessions this batch opens, in case it was copied before
	for i := range evs {
		switch e := &evs[i]; e.Kind {
		case queue.EvCounterOpened:
			opens = append(opens, e.Seq)
		case queue.EvCounterClosed, queue.EvCounterPaused, queue.EvCounterResumed:
			counters[e.Counter] = true
		default:
			if e.TicketID != "" {
				tickets[e.TicketID] = true
			}
		}
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(ticketCols()[1:], ", ")+" FROM tickets WHERE hall = ? AND ticket_id IN",
		hall, keys(tickets), func(rows *sql.Rows) error {
			t, err := scanTicket(rows)
			if err == nil {
				p.Tickets[t.TicketID] = t
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	var calls []any
	for _, t := range p.Tickets {
		if t.CallSeq != 0 {
			calls = append(calls, t.CallSeq)
		}
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(visitCols()[1:], ", ")+" FROM calls WHERE hall = ? AND seq IN",
		hall, calls, func(rows *sql.Rows) error {
			v, err := scanVisit(rows)
			if err == nil {
				p.Visits[v.Seq] = v
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read calls: %w", err)
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(sessionCols()[1:], ", ")+
		" FROM counter_sessions WHERE hall = ? AND close_seq IS NULL AND counter IN",
		hall, keys(counters), func(rows *sql.Rows) error {
			s, err := scanSession(rows)
			if err == nil {
				p.seedSession(s)
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read counter_sessions: %w", err)
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(sessionCols()[1:], ", ")+" FROM counter_sessions WHERE hall = ? AND open_seq IN",
		hall, opens, func(rows *sql.Rows) error {
			s, err := scanSession(rows)
			if err == nil {
				p.Sessions[s.OpenSeq] = s
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read counter_sessions: %w", err)
	}
	return p, nil
}

// selectIn runs "head (?, ?, ...)" for the values in chunks, calling fn per row.
func selectIn(ctx context.Context, q queryer, head, hall string, vals []any, fn func(*sql.Rows) error) error {
	for start := 0; start < len(vals); start += maxRowsPerStatement {
		chunk := vals[start:min(start+maxRowsPerStatement, len(vals))]
		rows, err := q.QueryContext(ctx, head+" ("+placeholders(len(chunk))+")", append([]any{hall}, chunk...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func keys(m map[string]bool) []any {
	out := make([]any, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func scanTicket(rows *sql.Rows) (*TicketRow, error) {
	var t TicketRow
	var day sql.NullTime
	var appt, counter, staff, reason sql.NullString
	var issued, called, started, finished, ended, rated sql.NullTime
	var waited, served, callSeq, rating sql.NullInt64
	err := rows.Scan(&t.TicketID, &day, &t.Number, &t.N, &t.Service, &t.FirstService, &t.Channel, &appt,
		&t.Status, &issued, &called, &started, &finished, &ended, &counter, &staff,
		&waited, &served, &t.Calls, &t.Recalls, &t.Transfers, &t.NoShows, &callSeq, &rating, &rated,
		&reason, &t.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	t.Day, t.Appointment, t.Counter, t.StaffID, t.EndReason = fromDate(day.Time), appt.String, counter.String, staff.String, reason.String
	t.IssuedAt, t.CalledAt, t.StartedAt = fromNullTime(issued), fromNullTime(called), fromNullTime(started)
	t.FinishedAt, t.EndedAt, t.RatedAt = fromNullTime(finished), fromNullTime(ended), fromNullTime(rated)
	t.WaitedS, t.ServedS = fromNullInt(waited), fromNullInt(served)
	t.CallSeq, t.Rating = callSeq.Int64, int(rating.Int64)
	return &t, nil
}

func scanVisit(rows *sql.Rows) (*VisitRow, error) {
	var v VisitRow
	var day sql.NullTime
	var staff, outcome, toSvc, toCtr sql.NullString
	var started, ended sql.NullTime
	var waited, served, rating sql.NullInt64
	err := rows.Scan(&v.Seq, &v.TicketID, &day, &v.Number, &v.Service, &v.Channel, &v.Counter, &staff,
		&v.CalledAt, &waited, &v.Recalls, &started, &ended, &served, &outcome, &toSvc, &toCtr, &rating, &v.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	v.Day, v.StaffID, v.Outcome, v.ToService, v.ToCounter = fromDate(day.Time), staff.String, outcome.String, toSvc.String, toCtr.String
	v.StartedAt, v.EndedAt = fromNullTime(started), fromNullTime(ended)
	v.WaitedS, v.ServedS, v.Rating = fromNullInt(waited), fromNullInt(served), int(rating.Int64)
	return &v, nil
}

func scanSession(rows *sql.Rows) (*SessionRow, error) {
	var s SessionRow
	var staff, reason sql.NullString
	var closed, paused sql.NullTime
	var closeSeq, openS sql.NullInt64
	err := rows.Scan(&s.OpenSeq, &s.Counter, &staff, &s.OpenedAt, &closed, &closeSeq, &reason, &openS,
		&s.Pauses, &s.PausedS, &paused, &s.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	s.StaffID, s.CloseReason, s.ClosedAt, s.PausedAt = staff.String, reason.String, fromNullTime(closed), fromNullTime(paused)
	s.CloseSeq, s.OpenS = closeSeq.Int64, fromNullInt(openS)
	return &s, nil
}
