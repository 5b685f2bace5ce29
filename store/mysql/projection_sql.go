package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hallq/hallq/queue"
)

// Reading the projection rows a batch touches and writing back the changed
// ones. Column lists live here, next to the scans that depend on their order.

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

// writeProjection upserts the rows Apply changed, in key order.
func writeProjection(ctx context.Context, x execer, hall string, p *Projection) error {
	ids := make([]string, 0, len(p.Tickets))
	for id, t := range p.Tickets {
		if p.dirty[t] {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	cols := ticketCols()
	tw := newRows("tickets", cols, updateAll(cols[2:]...))
	for _, id := range ids {
		t := p.Tickets[id]
		tw.add(hall, clip(t.TicketID, 64), t.Day, clip(t.Number, 16), t.N, clip(t.Service, 64), clip(t.FirstService, 64),
			clip(t.Channel, 16), nullString(t.Appointment, 32), clip(t.Status, 16), nullTime(t.IssuedAt), nullTime(t.CalledAt),
			nullTime(t.StartedAt), nullTime(t.FinishedAt), nullTime(t.EndedAt), nullString(t.Counter, 32),
			nullString(t.StaffID, 64), nullInt(t.WaitedS), nullInt(t.ServedS), t.Calls, t.Recalls, t.Transfers, t.NoShows,
			nullInt64(t.CallSeq), nullLevel(t.Rating), nullTime(t.RatedAt), nullString(t.EndReason, 200), t.UpdatedSeq)
	}

	seqs := make([]int64, 0, len(p.Visits))
	for seq, v := range p.Visits {
		if p.dirty[v] {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	cols = visitCols()
	vw := newRows("calls", cols, updateAll(cols[2:]...))
	for _, seq := range seqs {
		v := p.Visits[seq]
		vw.add(hall, v.Seq, clip(v.TicketID, 64), v.Day, clip(v.Number, 16), clip(v.Service, 64), clip(v.Channel, 16),
			clip(v.Counter, 32), nullString(v.StaffID, 64), dbTime(v.CalledAt), nullInt(v.WaitedS), v.Recalls,
			nullTime(v.StartedAt), nullTime(v.EndedAt), nullInt(v.ServedS), nullString(v.Outcome, 16),
			nullString(v.ToService, 64), nullString(v.ToCounter, 32), nullLevel(v.Rating), v.UpdatedSeq)
	}

	seqs = seqs[:0]
	for seq, s := range p.Sessions {
		if p.dirty[s] {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	cols = sessionCols()
	sw := newRows("counter_sessions", cols, updateAll(cols[2:]...))
	for _, seq := range seqs {
		s := p.Sessions[seq]
		sw.add(hall, s.OpenSeq, clip(s.Counter, 32), nullString(s.StaffID, 64), dbTime(s.OpenedAt), nullTime(s.ClosedAt),
			nullInt64(s.CloseSeq), nullString(s.CloseReason, 200), nullInt(s.OpenS), s.Pauses, s.PausedS,
			nullTime(s.PausedAt), s.UpdatedSeq)
	}

	rw := newRows("ratings", []string{"hall", "seq", "ticket_id", "day", "number", "service", "counter", "staff_id", "level", "dims", "at"},
		"level = VALUES(level)")
	dw := newRows("rating_dims", []string{"hall", "seq", "dim", "level"}, "level = VALUES(level)")
	for _, r := range p.Ratings {
		var dims any
		if len(r.Dims) > 0 {
			b, _ := json.Marshal(r.Dims)
			dims = string(b)
		}
		rw.add(hall, r.Seq, clip(r.TicketID, 64), r.Day, clip(r.Number, 16), clip(r.Service, 64), clip(r.Counter, 32),
			nullString(r.StaffID, 64), r.Level, dims, dbTime(r.At))
		for _, k := range sortedDims(r.Dims) {
			dw.add(hall, r.Seq, clip(k, 32), r.Dims[k])
		}
	}
	for _, w := range []*rowsWriter{tw, vw, sw, rw, dw} {
		if err := w.exec(ctx, x); err != nil {
			return err
		}
	}
	return nil
}

func sortedDims(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
