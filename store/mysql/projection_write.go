package mysql

import (
	"context"
	"encoding/json"
	"sort"
)

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
