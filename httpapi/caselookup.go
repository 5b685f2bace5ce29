package httpapi

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/hallq/hallq/queue"
)

// CaseRecord is a case as the public lookup shows it: kind, service and
// promised date, nothing personal (触摸屏查询办理进展).
type CaseRecord struct {
	CaseNo       string     `json:"case_no"`
	TicketID     string     `json:"ticket_id"`
	Ticket       string     `json:"ticket"`
	Day          string     `json:"day"`
	Service      string     `json:"service"`
	ServiceName  queue.Name `json:"service_name"`
	Kind         string     `json:"kind"`
	KindName     queue.Name `json:"kind_name"`
	PromisedDate *string    `json:"promised_date"`
	LeadCounter  *string    `json:"lead_counter"`
	FiledUpward  bool       `json:"filed_upward"`
	Counter      string     `json:"counter"`
	FinishedAt   string     `json:"finished_at"`
}

// CaseLookup finds a case of an earlier day by case_no or ticket id; nil, nil
// when there is none.
type CaseLookup func(ctx context.Context, caseNo, ticketID string) (*CaseRecord, error)

// caseKindNames name the case kinds (办件类型).
var caseKindNames = map[string]queue.Name{
	queue.CaseInstant:  {Zh: "即办件", En: "Done on the spot"},
	queue.CasePromised: {Zh: "承诺件", En: "Result promised"},
	queue.CaseJoint:    {Zh: "联办件", En: "Joint case"},
	queue.CaseReferred: {Zh: "上报件", En: "Filed upward"},
}

// caseLookup is public: GET …/case-lookup?case_no=… or ?ticket_id=… (the
// ticket's QR). Today's tickets come from the hall, earlier ones from the
// case index.
func (s *Server) caseLookup(w http.ResponseWriter, r *http.Request) {
	caseNo, ticketID := r.URL.Query().Get("case_no"), r.URL.Query().Get("ticket_id")
	if (caseNo == "") == (ticketID == "") {
		writeErr(w, queue.Errorf(queue.BadRequest, "请输入办件编号 give case_no or ticket_id"))
		return
	}
	if utf8.RuneCountInString(caseNo) > queue.MaxCaseNo || len(ticketID) > 40 {
		writeErr(w, queue.Errorf(queue.BadRequest, "办件编号过长 case_no is longer than %d characters", queue.MaxCaseNo))
		return
	}
	var rec *CaseRecord
	err := s.h.Query(r.Context(), func(st *queue.State) {
		var best *queue.Ticket
		for _, t := range st.Tickets {
			if t.CaseKind == "" || (caseNo != "" && t.CaseNo != caseNo) || (ticketID != "" && t.ID != ticketID) {
				continue
			}
			if best == nil || t.FinishedAt.After(best.FinishedAt) {
				best = t
			}
		}
		if best != nil {
			rec = &CaseRecord{CaseNo: best.CaseNo, TicketID: best.ID, Ticket: best.Number, Day: st.Day, Service: best.Service,
				Kind: best.CaseKind, PromisedDate: strPtr(best.PromisedDate), LeadCounter: strPtr(best.LeadCounter),
				Counter: best.Counter, FinishedAt: best.FinishedAt.Format("2006-01-02T15:04:05Z07:00")}
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	if rec == nil && s.cfg.CaseLookup != nil {
		if rec, err = s.cfg.CaseLookup(r.Context(), caseNo, ticketID); err != nil {
			writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
			return
		}
	}
	if rec == nil {
		writeErr(w, queue.Errorf(queue.UnknownTicket, "未找到此办件 no case with this number"))
		return
	}
	if svc := s.h.Spec().Services[rec.Service]; svc != nil {
		rec.ServiceName = svc.Name
	}
	rec.KindName = caseKindNames[rec.Kind]
	rec.FiledUpward = rec.Kind == queue.CaseReferred
	writeOK(w, rec)
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
