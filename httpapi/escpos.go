package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hallq/hallq/queue"
)

// ticketESCPOS serves a ticket of today as ESC/POS bytes for the kiosk's
// thermal printer (docs/http-api.md): the same layout as the "print" field
// of the ticket.take result, with the waiting figures as they stand now.
// Kiosks (Authorization: Bearer device:secret) and logged-in staff may ask.
func (s *Server) ticketESCPOS(w http.ResponseWriter, r *http.Request) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	if p.deviceKind != "" && p.deviceKind != "kiosk" {
		writeErr(w, queue.Errorf(queue.Forbidden, "此设备不能打印号票 a %s cannot print tickets", p.deviceKind))
		return
	}
	if s.cfg.PrintESCPOS == nil {
		writeErr(w, queue.Errorf(queue.UnknownTicket, "本服务不提供 ESC/POS this server does not render ESC/POS"))
		return
	}
	id := r.PathValue("ticket")
	var res *queue.TicketResult
	err := s.h.Query(r.Context(), func(st *queue.State) {
		t := st.Tickets[id]
		if t == nil {
			return
		}
		res = &queue.TicketResult{TicketID: t.ID, Number: t.Number, Service: t.Service, Status: t.Status,
			Channel: t.Channel, IssuedAt: t.IssuedAt}
		if t.Status == queue.Waiting {
			ahead := queue.AheadOf(st, t, time.Now())
			est := queue.EstimateWait(st, t.Service, ahead)
			res.WaitingAhead, res.EstWaitS = &ahead, &est
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	if res == nil {
		writeErr(w, queue.Errorf(queue.UnknownTicket, "没有此号 unknown ticket %q", id))
		return
	}
	body := s.cfg.PrintESCPOS(*res)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
