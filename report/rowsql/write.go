package rowsql

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hallq/hallq/report/fold"
)

// Column lists, in the order Write and the scans use them; hall first, then
// the rest of the key.

// TicketCols are the columns of tickets.
func TicketCols() []string {
	return []string{"hall", "ticket_id", "day", "number", "n", "service", "first_service", "channel", "appointment",
		"status", "issued_at", "called_at", "started_at", "finished_at", "ended_at", "counter", "staff_id",
		"waited_s", "served_s", "calls", "recalls", "transfers", "no_shows", "call_seq", "rating", "rated_at",
		"end_reason", "updated_seq", "first_called_at", "est_wait_s", "unrated", "rating_id", "case_kind", "case_no",
		"promised_date", "wait_us", "service_us"}
}

// VisitCols are the columns of calls.
func VisitCols() []string {
	return []string{"hall", "seq", "ticket_id", "day", "number", "service", "channel", "counter", "staff_id",
		"called_at", "waited_s", "recalls", "started_at", "ended_at", "served_s", "outcome", "to_service",
		"to_counter", "rating", "updated_seq"}
}

// SessionCols are the columns of counter_sessions.
func SessionCols() []string {
	return []string{"hall", "open_seq", "counter", "staff_id", "opened_at", "closed_at", "close_seq",
		"close_reason", "open_s", "pauses", "paused_s", "paused_at", "updated_seq"}
}

// CaseCols are the columns of cases.
func CaseCols() []string {
	return []string{"hall", "case_id", "rating_id", "ticket_id", "day", "number", "service", "counter", "staff_id",
		"level", "status", "created_at", "verify_by", "rectify_by", "verified_at", "rectified_at", "callback_at",
		"followup_level", "steps", "updated_seq"}
}

// Write upserts the rows p's Apply changed, in key order, in x (the batch's
// transaction).
func Write(ctx context.Context, x Execer, d Dialect, hall string, p *fold.Projection) error {
	ids := make([]string, 0, len(p.Tickets))
	for id, t := range p.Tickets {
		if p.Dirty(t) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	tw := d.newRows("tickets", TicketCols(), 2)
	for _, id := range ids {
		t := p.Tickets[id]
		unrated := 0
		if t.Unrated {
			unrated = 1
		}
		tw.add(hall, clip(t.TicketID, 64), t.Day, clip(t.Number, 16), t.N, clip(t.Service, 64), clip(t.FirstService, 64),
			clip(t.Channel, 16), nullString(t.Appointment, 32), clip(t.Status, 16), d.Time(t.IssuedAt), d.Time(t.CalledAt),
			d.Time(t.StartedAt), d.Time(t.FinishedAt), d.Time(t.EndedAt), nullString(t.Counter, 32),
			nullString(t.StaffID, 64), nullInt(t.WaitedS), nullInt(t.ServedS), t.Calls, t.Recalls, t.Transfers, t.NoShows,
			nullInt64(t.CallSeq), nullInt64(int64(t.Rating)), d.Time(t.RatedAt), nullString(t.EndReason, 200), t.UpdatedSeq,
			d.Time(t.FirstCalledAt), nullInt(t.EstWaitS), unrated, nullString(t.RatingID, 64), nullString(t.CaseKind, 16),
			nullString(t.CaseNo, 64), nullString(t.PromisedDate, 10), nullInt64p(t.WaitUS), nullInt64p(t.ServiceUS))
	}

	seqs := make([]int64, 0, len(p.Visits))
	for seq, v := range p.Visits {
		if p.Dirty(v) {
			seqs = append(seqs, seq)
		}
	}
	sortInt64(seqs)
	vw := d.newRows("calls", VisitCols(), 2)
	for _, seq := range seqs {
		v := p.Visits[seq]
		vw.add(hall, v.Seq, clip(v.TicketID, 64), v.Day, clip(v.Number, 16), clip(v.Service, 64), clip(v.Channel, 16),
			clip(v.Counter, 32), nullString(v.StaffID, 64), d.Time(v.CalledAt), nullInt(v.WaitedS), v.Recalls,
			d.Time(v.StartedAt), d.Time(v.EndedAt), nullInt(v.ServedS), nullString(v.Outcome, 16),
			nullString(v.ToService, 64), nullString(v.ToCounter, 32), nullInt64(int64(v.Rating)), v.UpdatedSeq)
	}

	seqs = seqs[:0]
	for seq, s := range p.Sessions {
		if p.Dirty(s) {
			seqs = append(seqs, seq)
		}
	}
	sortInt64(seqs)
	sw := d.newRows("counter_sessions", SessionCols(), 2)
	for _, seq := range seqs {
		s := p.Sessions[seq]
		sw.add(hall, s.OpenSeq, clip(s.Counter, 32), nullString(s.StaffID, 64), d.Time(s.OpenedAt), d.Time(s.ClosedAt),
			nullInt64(s.CloseSeq), nullString(s.CloseReason, 200), nullInt(s.OpenS), s.Pauses, s.PausedS,
			d.Time(s.PausedAt), s.UpdatedSeq)
	}

	cids := make([]string, 0, len(p.Cases))
	for id, c := range p.Cases {
		if p.Dirty(c) {
			cids = append(cids, id)
		}
	}
	sort.Strings(cids)
	cw := d.newRows("cases", CaseCols(), 2)
	for _, id := range cids {
		c := p.Cases[id]
		cw.add(hall, clip(c.CaseID, 64), nullString(c.RatingID, 64), nullString(c.TicketID, 64), c.Day,
			nullString(c.Number, 16), nullString(c.Service, 64), nullString(c.Counter, 32), nullString(c.StaffID, 64),
			c.Level, clip(c.Status, 16), d.Time(c.CreatedAt), d.Time(c.VerifyBy), d.Time(c.RectifyBy),
			d.Time(c.VerifiedAt), d.Time(c.RectifiedAt), d.Time(c.CallbackAt), nullInt(c.FollowupLevel), c.Steps,
			c.UpdatedSeq)
	}

	rw := d.newRows("ratings", []string{"hall", "seq", "ticket_id", "day", "number", "service", "counter", "staff_id",
		"level", "dims", "at", "rating_id", "reasons", "text", "case_id"}, 2)
	dw := d.newRows("rating_dims", []string{"hall", "seq", "dim", "level"}, 3)
	for _, r := range p.Ratings {
		var dims, reasons any
		if len(r.Dims) > 0 {
			b, _ := json.Marshal(r.Dims)
			dims = string(b)
		}
		if len(r.Reasons) > 0 {
			b, _ := json.Marshal(r.Reasons)
			reasons = string(b)
		}
		rw.add(hall, r.Seq, clip(r.TicketID, 64), r.Day, clip(r.Number, 16), clip(r.Service, 64), clip(r.Counter, 32),
			nullString(r.StaffID, 64), r.Level, dims, d.Time(r.At), nullString(r.RatingID, 64), reasons,
			nullString(r.Text, 2000), nullString(r.CaseID, 64))
		for _, k := range sortedDims(r.Dims) {
			dw.add(hall, r.Seq, clip(k, 32), r.Dims[k])
		}
	}
	gw := d.newRows("staff_signins", []string{"hall", "seq", "counter", "staff_id", "from_staff", "at"}, 2)
	for _, s := range p.Signins {
		gw.add(hall, s.Seq, clip(s.Counter, 32), clip(s.StaffID, 64), nullString(s.FromStaff, 64), d.Time(s.At))
	}
	for _, w := range []*rowsWriter{tw, vw, sw, cw, rw, dw, gw} {
		if err := w.exec(ctx, x); err != nil {
			return err
		}
	}
	return bumpDays(ctx, x, d, hall, p, ids)
}

// bumpDays counts one more write of the ticket rows of each day among ids
// (report_days.version), in the same transaction: a day rollup of an older
// version is no longer used (report.Source.Settle, docs/reports.md).
func bumpDays(ctx context.Context, x Execer, d Dialect, hall string, p *fold.Projection, ids []string) error {
	days := map[string]bool{}
	for _, id := range ids {
		days[p.Tickets[id].Day] = true
	}
	if len(days) == 0 {
		return nil
	}
	sorted := make([]string, 0, len(days))
	args := make([]any, 0, 2*len(days))
	for day := range days {
		sorted = append(sorted, day)
	}
	sort.Strings(sorted)
	for _, day := range sorted {
		args = append(args, hall, day)
	}
	q := "INSERT INTO report_days (hall, day, version) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, 1), ", len(sorted)), ", ")
	if d == SQLite {
		q += " ON CONFLICT (hall, day) DO UPDATE SET version = version + 1"
	} else {
		q += " ON DUPLICATE KEY UPDATE version = version + 1"
	}
	if _, err := x.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("write report_days: %w", err)
	}
	return nil
}

func sortInt64(s []int64) { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }) }

func sortedDims(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
