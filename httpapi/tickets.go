package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hallq/hallq/hall"
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
		s.refuse(w, r, p, queue.Errorf(queue.Forbidden, "此设备不能取号 a %s cannot take tickets", p.deviceKind))
		return
	}
	var req takeReq
	if qe := decodeBody(r, &req); qe != nil {
		s.refuse(w, r, p, qe)
		return
	}
	if req.Service == "" {
		s.refuse(w, r, p, queue.Errorf(queue.BadRequest, "缺少业务 service is required"))
		return
	}
	undo := func() {}
	if p.deviceKind != "" { // the same admission rules as MQTT (CONTRACT §2 admission)
		release, qe := s.cfg.Admission.Enter(p.id)
		if qe != nil {
			s.refuse(w, r, p, qe)
			return
		}
		defer release()
		if req.Channel == "green" {
			if undo, qe = s.cfg.GreenCap.Take(p.id); qe != nil {
				s.refuse(w, r, p, qe)
				return
			}
		}
	}
	rep := s.run(r, p, queue.TakeTicket{Service: req.Service, Channel: req.Channel,
		AppointmentCode: req.AppointmentCode, IDHash: req.IDHash})
	if !rep.OK || rep.Repeat {
		undo()
	}
	if rep.Error == nil && s.cfg.Decorate != nil {
		rep.Result = s.cfg.Decorate(rep.Result)
	}
	if rep.Repeat {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeReply(w, rep)
}

// refuse answers a request refused before it reaches the queue. With an
// Idempotency-Key the hall records the refusal like any answer, so that the
// key keeps one answer (a key carried out before keeps its first answer).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p principal, qe *queue.Error) {
	key, kerr := idempotencyKey(r)
	if kerr != nil || key == "" {
		writeErr(w, qe)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	rep := s.h.Do(ctx, hall.Request{Source: "http:" + p.id, ReqID: key, Refusal: qe})
	if rep.Repeat {
		w.Header().Set("Idempotent-Replayed", "true")
		if rep.OK && s.cfg.Decorate != nil {
			rep.Result = s.cfg.Decorate(rep.Result)
		}
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
	// The case recorded at serve.finish (CONTRACT §2 case, 1.1).
	CaseKind     *string `json:"case_kind"`
	CaseNo       *string `json:"case_no"`
	PromisedDate *string `json:"promised_date"`
}

// ticketStatus is public: the ticket id is the citizen's QR link.
func (s *Server) ticketStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ticket")
	var tv *ticketView
	err := s.h.Query(r.Context(), func(st *queue.State) {
		t := st.Tickets[id]
		if t == nil {
			t = st.Tickets[queue.TicketID(st.Day, strings.ToUpper(id))] // today's number alone, e.g. "A028"
		}
		if t == nil {
			return
		}
		tv = &ticketView{TicketID: t.ID, Number: t.Number, Service: t.Service, Status: t.Status, IssuedAt: t.IssuedAt,
			ServiceName: st.Spec.Services[t.Service].Name}
		if t.Counter != "" && (t.Status == queue.Called || t.Status == queue.Serving || t.Status == queue.Held) {
			c := t.Counter
			tv.Counter = &c
		}
		tv.CaseKind, tv.CaseNo, tv.PromisedDate = strPtr(t.CaseKind), strPtr(t.CaseNo), strPtr(t.PromisedDate)
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
