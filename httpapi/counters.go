package httpapi

import (
	"net/http"
	"time"

	"github.com/hallq/hallq/ops"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// signIn records that a staff member works at a counter (attendance).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleStaff)
	if !ok {
		return
	}
	counter := r.PathValue("counter")
	if s.h.Spec().Counters[counter] == nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此窗口 unknown counter %q", counter))
		return
	}
	// sign-in is a journal event (staff.signed_in); at an open counter held
	// by someone else it is a handover (AB岗)
	rep := s.run(r, p, queue.SignIn{Counter: counter, StaffID: p.id})
	if rep.Error != nil {
		writeErr(w, rep.Error)
		return
	}
	s.cfg.Staff.SignIn(p.token, counter)
	s.cfg.Log.Info().Str("staff", p.id).Str("counter", counter).Msg("staff signed in at counter 签到")
	card := queue.StaffCardOf(s.h.Spec(), p.id)
	writeOK(w, map[string]any{"counter": counter, "staff_id": p.id, "staff_name": s.cfg.Staff.Name(p.id), "staff": card})
}

// actsForCounter checks a staff member acts only as themself: the console
// session of someone handed over from (AB岗) no longer works the counter,
// and counter.open names no one else.
func (s *Server) actsForCounter(p principal, counter string, cmd queue.Command) *queue.Error {
	if staff.RoleRank(p.role) >= staff.RoleRank(staff.RoleSupervisor) {
		return nil
	}
	if open, ok := cmd.(queue.OpenCounter); ok && open.StaffID != p.id {
		return queue.Errorf(queue.Forbidden, "只能以本人身份开窗 staff may open a counter only as themselves")
	}
	for _, c := range s.h.View().Counters {
		if c.ID == counter && c.Status != queue.CounterClosedStatus && c.StaffID != nil && *c.StaffID != p.id {
			s.cfg.Staff.SignIn(p.token, "") // the session of the first ends at this counter
			return queue.Errorf(queue.Forbidden, "窗口 %s 已由 %s 接班，请重新签到 counter %s was handed over to %s", counter, *c.StaffID, counter, *c.StaffID)
		}
	}
	return nil
}

// counterOp carries out one caller op for the counter the staff member is
// signed in to; supervisors may act for any counter.
func (s *Server) counterOp(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleStaff)
	if !ok {
		return
	}
	counter, op := r.PathValue("counter"), r.PathValue("op")
	if ops.Kind(op) != "caller" {
		writeErr(w, queue.Errorf(queue.BadRequest, "未知窗口操作 unknown counter op %q", op))
		return
	}
	if p.counter != counter && staff.RoleRank(p.role) < staff.RoleRank(staff.RoleSupervisor) {
		writeErr(w, queue.Errorf(queue.Forbidden, "请先在窗口 %s 签到 sign in at counter %s first", counter, counter))
		return
	}
	if s.h.Spec().Counters[counter] == nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此窗口 unknown counter %q", counter))
		return
	}
	body, qe := readBody(r)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	cmd, qe := ops.Parse(op, body, counter)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	if open, ok := cmd.(queue.OpenCounter); ok && open.StaffID == "" {
		open.StaffID = p.id
		cmd = open
	}
	if qe := s.actsForCounter(p, counter, cmd); qe != nil {
		writeErr(w, qe)
		return
	}
	s.do(w, r, p, cmd)
}

type waitingTicket struct {
	TicketID string    `json:"ticket_id"`
	Number   string    `json:"number"`
	Service  string    `json:"service"`
	Channel  string    `json:"channel"`
	IssuedAt time.Time `json:"issued_at"`
	WaitedS  int       `json:"waited_s"`
}

// waiting lists what a counter may call, in call order, plus its no-shows and held ticket.
func (s *Server) waiting(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleStaff); !ok {
		return
	}
	counter := r.PathValue("counter")
	if s.h.Spec().Counters[counter] == nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此窗口 unknown counter %q", counter))
		return
	}
	out := map[string][]waitingTicket{"waiting": {}, "no_show": {}, "held": {}}
	now := time.Now()
	wt := func(t *queue.Ticket) waitingTicket {
		return waitingTicket{TicketID: t.ID, Number: t.Number, Service: t.Service, Channel: t.Channel,
			IssuedAt: t.IssuedAt, WaitedS: int(now.Sub(t.IssuedAt).Seconds())}
	}
	err := s.h.Query(r.Context(), func(st *queue.State) {
		for i, t := range queue.WaitingFor(st, counter, now) {
			if i == 200 {
				break
			}
			out["waiting"] = append(out["waiting"], wt(t))
		}
		spec := st.Spec.Counters[counter]
		for _, t := range st.Tickets {
			switch {
			case t.Status == queue.NoShow && spec.Serves(t.Service):
				out["no_show"] = append(out["no_show"], wt(t))
			case t.Status == queue.Held && st.Counters[counter].Held == t.ID:
				out["held"] = append(out["held"], wt(t))
			}
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	writeOK(w, out)
}
