package rowsql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/fold"
)

// Load reads the tickets, their current visits, the open counter sessions
// and the cases that evs touch, so that folding evs onto them and writing
// back gives the rows a fold of the whole journal would.
func Load(ctx context.Context, q Queryer, hall string, evs []queue.Event) (*fold.Projection, error) {
	p := fold.NewProjection()
	tickets, counters, cases := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var opens []any // sessions this batch opens, in case it was copied before
	for i := range evs {
		switch e := &evs[i]; e.Kind {
		case queue.EvCounterOpened:
			opens = append(opens, e.Seq)
		case queue.EvCounterClosed, queue.EvCounterPaused, queue.EvCounterResumed:
			counters[e.Counter] = true
		case queue.EvCaseOpened, queue.EvCaseStep:
			if e.CaseID != "" {
				cases[e.CaseID] = true
			}
		case queue.EvStaffSignedIn:
		default:
			if e.TicketID != "" {
				tickets[e.TicketID] = true
			}
		}
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(TicketCols()[1:], ", ")+" FROM tickets WHERE hall = ? AND ticket_id IN",
		hall, keys(tickets), func(rows *sql.Rows) error {
			t, err := ScanTicket(rows)
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
	if err := selectIn(ctx, q, "SELECT "+strings.Join(VisitCols()[1:], ", ")+" FROM calls WHERE hall = ? AND seq IN",
		hall, calls, func(rows *sql.Rows) error {
			v, err := ScanVisit(rows)
			if err == nil {
				p.Visits[v.Seq] = v
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read calls: %w", err)
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(SessionCols()[1:], ", ")+
		" FROM counter_sessions WHERE hall = ? AND close_seq IS NULL AND counter IN",
		hall, keys(counters), func(rows *sql.Rows) error {
			s, err := ScanSession(rows)
			if err == nil {
				p.SeedSession(s)
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read counter_sessions: %w", err)
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(SessionCols()[1:], ", ")+" FROM counter_sessions WHERE hall = ? AND open_seq IN",
		hall, opens, func(rows *sql.Rows) error {
			s, err := ScanSession(rows)
			if err == nil {
				p.Sessions[s.OpenSeq] = s
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read counter_sessions: %w", err)
	}
	if err := selectIn(ctx, q, "SELECT "+strings.Join(CaseCols()[1:], ", ")+" FROM cases WHERE hall = ? AND case_id IN",
		hall, keys(cases), func(rows *sql.Rows) error {
			c, err := ScanCase(rows)
			if err == nil {
				p.Cases[c.CaseID] = c
			}
			return err
		}); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	return p, nil
}

// selectIn runs "head (?, ?, ...)" for the values in chunks, calling fn per row.
func selectIn(ctx context.Context, q Queryer, head, hall string, vals []any, fn func(*sql.Rows) error) error {
	for start := 0; start < len(vals); start += maxRowsPerStatement {
		chunk := vals[start:min(start+maxRowsPerStatement, len(vals))]
		rows, err := q.QueryContext(ctx, head+" ("+Placeholders(len(chunk))+")", append([]any{hall}, chunk...)...)
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

func intp(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// ScanTicket scans a row of TicketCols()[1:].
func ScanTicket(rows *sql.Rows) (*fold.TicketRow, error) {
	var t fold.TicketRow
	var day, issued, called, started, finished, ended, rated, first, promised NullTime
	var appt, counter, staff, reason, ratingID, caseKind, caseNo sql.NullString
	var waited, served, callSeq, rating, est, waitUS, serviceUS sql.NullInt64
	var unrated int
	err := rows.Scan(&t.TicketID, &day, &t.Number, &t.N, &t.Service, &t.FirstService, &t.Channel, &appt,
		&t.Status, &issued, &called, &started, &finished, &ended, &counter, &staff,
		&waited, &served, &t.Calls, &t.Recalls, &t.Transfers, &t.NoShows, &callSeq, &rating, &rated,
		&reason, &t.UpdatedSeq, &first, &est, &unrated, &ratingID, &caseKind, &caseNo, &promised,
		&waitUS, &serviceUS)
	if err != nil {
		return nil, err
	}
	t.Day, t.Appointment, t.Counter, t.StaffID, t.EndReason = day.Day(), appt.String, counter.String, staff.String, reason.String
	t.IssuedAt, t.CalledAt, t.StartedAt = issued.T, called.T, started.T
	t.FinishedAt, t.EndedAt, t.RatedAt, t.FirstCalledAt = finished.T, ended.T, rated.T, first.T
	t.WaitedS, t.ServedS, t.EstWaitS = intp(waited), intp(served), intp(est)
	t.CallSeq, t.Rating, t.Unrated = callSeq.Int64, int(rating.Int64), unrated != 0
	t.RatingID, t.CaseKind, t.CaseNo, t.PromisedDate = ratingID.String, caseKind.String, caseNo.String, promised.Day()
	t.WaitUS, t.ServiceUS = int64p(waitUS), int64p(serviceUS)
	return &t, nil
}

// ScanVisit scans a row of VisitCols()[1:].
func ScanVisit(rows *sql.Rows) (*fold.VisitRow, error) {
	var v fold.VisitRow
	var day, called, started, ended NullTime
	var staff, outcome, toSvc, toCtr sql.NullString
	var waited, served, rating sql.NullInt64
	err := rows.Scan(&v.Seq, &v.TicketID, &day, &v.Number, &v.Service, &v.Channel, &v.Counter, &staff,
		&called, &waited, &v.Recalls, &started, &ended, &served, &outcome, &toSvc, &toCtr, &rating, &v.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	v.Day, v.StaffID, v.Outcome, v.ToService, v.ToCounter = day.Day(), staff.String, outcome.String, toSvc.String, toCtr.String
	v.CalledAt, v.StartedAt, v.EndedAt = called.T, started.T, ended.T
	v.WaitedS, v.ServedS, v.Rating = intp(waited), intp(served), int(rating.Int64)
	return &v, nil
}

// ScanSession scans a row of SessionCols()[1:].
func ScanSession(rows *sql.Rows) (*fold.SessionRow, error) {
	var s fold.SessionRow
	var staff, reason sql.NullString
	var opened, closed, paused NullTime
	var closeSeq, openS sql.NullInt64
	err := rows.Scan(&s.OpenSeq, &s.Counter, &staff, &opened, &closed, &closeSeq, &reason, &openS,
		&s.Pauses, &s.PausedS, &paused, &s.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	s.StaffID, s.CloseReason, s.OpenedAt, s.ClosedAt, s.PausedAt = staff.String, reason.String, opened.T, closed.T, paused.T
	s.CloseSeq, s.OpenS = closeSeq.Int64, intp(openS)
	return &s, nil
}

// ScanCase scans a row of CaseCols()[1:].
func ScanCase(rows *sql.Rows) (*fold.CaseRow, error) {
	var c fold.CaseRow
	var ratingID, ticketID, number, service, counter, staff sql.NullString
	var day, created, verifyBy, rectifyBy, verified, rectified, callback NullTime
	var followup sql.NullInt64
	err := rows.Scan(&c.CaseID, &ratingID, &ticketID, &day, &number, &service, &counter, &staff, &c.Level, &c.Status,
		&created, &verifyBy, &rectifyBy, &verified, &rectified, &callback, &followup, &c.Steps, &c.UpdatedSeq)
	if err != nil {
		return nil, err
	}
	c.RatingID, c.TicketID, c.Number, c.Service = ratingID.String, ticketID.String, number.String, service.String
	c.Counter, c.StaffID, c.Day = counter.String, staff.String, day.Day()
	c.CreatedAt, c.VerifyBy, c.RectifyBy = created.T, verifyBy.T, rectifyBy.T
	c.VerifiedAt, c.RectifiedAt, c.CallbackAt, c.FollowupLevel = verified.T, rectified.T, callback.T, intp(followup)
	return &c, nil
}

func int64p(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}
