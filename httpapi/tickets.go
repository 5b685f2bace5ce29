package httpapi

import (
	"net/http"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

type takeReq struct {
	Service         string `json:"service"`
	Channel         string `json:"channel"`
	AppointmentCode string `json:"appointment_code"`
	IDHash          string `json:"id_hash"`
}

// takeTicket issues a ticket for a kiosk (device token) or staff member.
func (s *Server) takeTicket(w http.ResponseWriter, r *http.Request) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	if p.deviceKind != "" && p.deviceKind != "kiosk" {
		writeErr(w, queue.Errorf(queue.Forbidden, "此设备不能取号 a %s cannot take tickets", p.deviceKind))
		return
	}
	var req takeReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	if req.Service == "" {
		writeErr(w, queue.Errorf(queue.BadRequest, "缺少业务 service is required"))
		return
	}
	rep := s.run(r, p, queue.TakeTicket{Service: req.Service, Channel: req.Channel,
		AppointmentCode: req.AppointmentCode, IDHash: req.IDHash})
	if rep.Error == nil && s.cfg.Decorate != nil {
		rep.Result = s.cfg.Decorate(rep.Result)
	}
	if rep.Repeat {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeReply(w, rep)
}

// ticketView is what the citizen's ticket page shows.
type ticketView struct {
	TicketID     string       `json:"ticket_id"`
	Number       string       `json:"number"`
	Service      string       `json:"service"`
	ServiceName  queue.Name   `json:"service_name"`
	Status       queue.Status `json:"status"`
	Counter      *string      `json:"counter"`
	WaitingAhead *int         `json:"waiting_ahead"`
	EstWaitS     *int         `json:"est_wait_s"`
	IssuedAt     time.Time    `json:"issued_at"`
	CalledAt     *time.Time   `json:"called_at"`
}

// ticketStatus is public: the ticket id is the citizen's QR link.
func (s *Server) ticketStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ticket")
	var tv *ticketView
	err := s.h.Query(r.Context(), func(st *queue.State) {
		t := st.Tickets[id]
		if t == nil {
			return
		}
		tv = &ticketView{TicketID: t.ID, Number: t.Number, Service: t.Service, Status: t.Status, IssuedAt: t.IssuedAt,
			ServiceName: st.Spec.Services[t.Service].Name}
		if t.Counter != "" && (t.Status == queue.Called || t.Status == queue.Serving || t.Status == queue.Held) {
			c := t.Counter
			tv.Counter = &c
		}
		if !t.CalledAt.IsZero() {
			at := t.CalledAt
			tv.CalledAt = &at
		}
		if t.Status == queue.Waiting {
			now := time.Now()
			ahead := queue.AheadOf(st, t, now)
			est := queue.EstimateWait(st, t.Service, ahead)
			tv.WaitingAhead, tv.EstWaitS = &ahead, &est
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	if tv == nil {
		writeErr(w, queue.Errorf(queue.UnknownTicket, "没有此号 unknown ticket %q", id))
		return
	}
	writeOK(w, tv)
}

func (s *Server) ticketQR(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ticket")
	if s.cfg.QRPNG == nil || len(id) > 40 {
		http.NotFound(w, r)
		return
	}
	png, err := s.cfg.QRPNG(s.cfg.BaseURL + "/t/" + id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Write(png)
}

func (s *Server) reinstate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleStaff)
	if !ok {
		return
	}
	s.do(w, r, p, queue.Reinstate{TicketID: r.PathValue("ticket")})
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleStaff)
	if !ok {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	s.do(w, r, p, queue.Cancel{TicketID: r.PathValue("ticket"), Reason: req.Reason})
}

func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleSupervisor)
	if !ok {
		return
	}
	var req struct {
		Code    string    `json:"code"`
		Service string    `json:"service"`
		Slot    time.Time `json:"slot"`
	}
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	s.do(w, r, p, queue.BookAppointment{Code: req.Code, Service: req.Service, Slot: req.Slot})
}

func (s *Server) notice(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleSupervisor)
	if !ok {
		return
	}
	var req struct {
		Text queue.Name `json:"text"`
	}
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	s.do(w, r, p, queue.SetNotice{Text: req.Text})
}
