package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// routesEvaluation adds the 好差评 routes: the rater page's prompt and
// rating, 差评 cases (CONTRACT §5) and complaints.
func (s *Server) routesEvaluation(mux *http.ServeMux, hallPath string) {
	s.prompts = &promptCache{byCounter: map[string]promptEntry{}}
	mux.HandleFunc("GET "+hallPath+"/counters/{counter}/rating-prompt", s.inHall(s.ratingPrompt))
	mux.HandleFunc("POST "+hallPath+"/counters/{counter}/rating", s.inHall(s.submitRating))
	mux.HandleFunc("GET "+hallPath+"/cases", s.inHall(s.listCases))
	mux.HandleFunc("GET "+hallPath+"/cases/{case}", s.inHall(s.getCase))
	mux.HandleFunc("POST "+hallPath+"/cases/{case}/{action}", s.inHall(s.stepCase))
	mux.HandleFunc("GET "+hallPath+"/complaints", s.inHall(s.listComplaints))
	mux.HandleFunc("POST "+hallPath+"/complaints", s.inHall(s.logComplaint))
	mux.HandleFunc("POST "+hallPath+"/complaints/{complaint}/{action}", s.inHall(s.stepComplaint))
}

// promptView is the rater page's prompt: the visit it may rate now.
type promptView struct {
	TicketID  string          `json:"ticket_id"`
	Ticket    string          `json:"ticket"`
	Counter   string          `json:"counter"`
	Service   string          `json:"service"`
	StaffID   *string         `json:"staff_id"`
	Staff     queue.StaffCard `json:"staff"`
	EndedAt   time.Time       `json:"ended_at"`
	ExpiresAt time.Time       `json:"expires_at"`
}

// raterFor authenticates the rater page: the counter's rater device, or a
// staff session (a supervisor's preview).
func (s *Server) raterFor(w http.ResponseWriter, r *http.Request) (principal, string, bool) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return p, "", false
	}
	counter := r.PathValue("counter")
	if s.h.Spec().Counters[counter] == nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此窗口 unknown counter %q", counter))
		return p, "", false
	}
	if p.deviceKind != "" && (p.deviceKind != "rater" || p.counter != counter) {
		writeErr(w, queue.Errorf(queue.Forbidden, "此设备不是窗口 %s 的评价器 not the rater of counter %s", counter, counter))
		return p, "", false
	}
	return p, counter, true
}

// ratingPrompt answers the counter's rateable visit, or null, plus the
// staff member serving now and the choices the page offers.
func (s *Server) ratingPrompt(w http.ResponseWriter, r *http.Request) {
	_, counter, ok := s.raterFor(w, r)
	if !ok {
		return
	}
	sp := s.h.Spec()
	now := s.h.Now()
	ent, err := s.prompts.get(r.Context(), s.h, counter)
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	var prompt *promptView
	if v := ent.visit; v != nil && !v.Rated && !v.Unrated && now.Sub(v.EndedAt) <= sp.RatingWindow {
		prompt = &promptView{TicketID: v.TicketID, Ticket: v.Ticket, Counter: counter, Service: v.Service,
			StaffID: queue.StaffCardOf(sp, v.StaffID).ID, Staff: queue.StaffCardOf(sp, v.StaffID), EndedAt: v.EndedAt, ExpiresAt: v.EndedAt.Add(sp.RatingWindow)}
	}
	serving := ent.serving
	writeOK(w, map[string]any{"counter": counter, "counter_name": sp.Counters[counter].Name, "prompt": prompt,
		"staff": queue.StaffCardOf(sp, serving), "reasons": queue.BadReasons(), "dims": queue.DimKeys(),
		"window_s": sp.RatingWindow.Seconds(), "now": now.In(sp.Location)})
}

type ratingReq struct {
	Level    json.RawMessage `json:"level"`
	TicketID string          `json:"ticket_id"`
	Dims     map[string]int  `json:"dims"`
	Reasons  []string        `json:"reasons"`
	Text     string          `json:"text"`
}

// submitRating is rating.submit from the rater page (CONTRACT §2): only the
// counter's rater device may rate.
func (s *Server) submitRating(w http.ResponseWriter, r *http.Request) {
	p, counter, ok := s.raterFor(w, r)
	if !ok {
		return
	}
	if p.deviceKind != "rater" {
		writeErr(w, queue.Errorf(queue.Forbidden, "只有评价器可以评价 only the counter's rater may rate"))
		return
	}
	var req ratingReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	var level int
	if json.Unmarshal(req.Level, &level) != nil || string(req.Level) != itoa(level) || level < 1 || level > 5 {
		writeErr(w, queue.Errorf(queue.BadRequest, "评价等级须为 1-5 的整数 level must be an integer 1-5"))
		return
	}
	s.do(w, r, p, queue.SubmitRating{Counter: counter, TicketID: req.TicketID, Level: level, Dims: req.Dims,
		Reasons: req.Reasons, Text: req.Text})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// caseView is a case as the API lists it: the contract's fields plus
// whether it is overdue and the steps allowed next.
type caseView struct {
	*queue.Case
	Overdue bool     `json:"overdue"`
	Actions []string `json:"actions"`
}

func (s *Server) cases(r *http.Request, keep func(*queue.Case, bool) bool) ([]caseView, error) {
	now := s.h.Now()
	out := []caseView{}
	err := s.h.Query(r.Context(), func(st *queue.State) {
		for _, c := range st.Cases {
			_, overdue := c.OverdueAt(now)
			if keep(c, overdue) {
				out = append(out, caseView{Case: c.Clone(), Overdue: overdue, Actions: queue.CaseActions(c.Status)})
			}
		}
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, err
}

// listCases is GET …/cases?status=open|overdue|closed|all (CONTRACT §5):
// open lists every case not yet closed or dismissed; closed lists closed
// and dismissed ones.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleSupervisor); !ok {
		return
	}
	status := r.URL.Query().Get("status")
	var keep func(*queue.Case, bool) bool
	switch status {
	case "", "all":
		keep = func(*queue.Case, bool) bool { return true }
	case "open":
		keep = func(c *queue.Case, _ bool) bool { return !c.Finished() }
	case "overdue":
		keep = func(_ *queue.Case, overdue bool) bool { return overdue }
	case "closed":
		keep = func(c *queue.Case, _ bool) bool { return c.Finished() }
	default:
		writeErr(w, queue.Errorf(queue.BadRequest, "status 须为 open、overdue、closed 或 all status must be open, overdue, closed or all"))
		return
	}
	out, err := s.cases(r, keep)
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	writeOK(w, map[string]any{"cases": out})
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleSupervisor); !ok {
		return
	}
	id := r.PathValue("case")
	out, err := s.cases(r, func(c *queue.Case, _ bool) bool { return c.ID == id })
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	if len(out) == 0 {
		writeErr(w, queue.Errorf(queue.UnknownCase, "没有此案件 unknown case %q", id))
		return
	}
	writeOK(w, out[0])
}

type stepReq struct {
	Valid   *bool           `json:"valid"`
	Reached *bool           `json:"reached"`
	Upheld  *bool           `json:"upheld"`
	Level   json.RawMessage `json:"level"`
	Note    string          `json:"note"`
}

// stepCase is POST …/cases/{case_id}/{action} (CONTRACT §5): supervisors
// and admins only, CSRF-checked, one step per Idempotency-Key.
func (s *Server) stepCase(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleSupervisor)
	if !ok {
		return
	}
	var req stepReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	cmd := queue.StepCase{CaseID: r.PathValue("case"), Action: r.PathValue("action"), By: p.id, Note: req.Note,
		Valid: req.Valid, Reached: req.Reached, Upheld: req.Upheld}
	if len(req.Level) > 0 && string(req.Level) != "null" {
		var lvl int
		if json.Unmarshal(req.Level, &lvl) != nil || string(req.Level) != itoa(lvl) {
			writeErr(w, queue.Errorf(queue.BadRequest, "追评等级须为 1-5 或 null level must be 1-5 or null"))
			return
		}
		cmd.Level = &lvl
	}
	rep := s.run(r, p, cmd)
	if rep.Error == nil {
		var c queue.Case
		if json.Unmarshal(rep.Result, &c) == nil {
			_, overdue := c.OverdueAt(s.h.Now())
			rep.Result, _ = json.Marshal(caseView{Case: &c, Overdue: overdue, Actions: queue.CaseActions(c.Status)})
		}
	}
	if rep.Repeat {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeReply(w, rep)
}

// complaintView is a complaint plus whether it is past its deadline.
type complaintView struct {
	*queue.Complaint
	Overdue bool `json:"overdue"`
}

// listComplaints is GET …/complaints?status=open|overdue|closed|all.
func (s *Server) listComplaints(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleSupervisor); !ok {
		return
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", "all", "open", "overdue", "closed":
	default:
		writeErr(w, queue.Errorf(queue.BadRequest, "status 须为 open、overdue、closed 或 all status must be open, overdue, closed or all"))
		return
	}
	now := s.h.Now()
	out := []complaintView{}
	err := s.h.Query(r.Context(), func(st *queue.State) {
		for _, k := range st.Complaints {
			over := k.OverdueAt(now)
			if status == "open" && k.Status != queue.ComplaintOpen || status == "closed" && k.Status != queue.ComplaintClosed ||
				status == "overdue" && !over {
				continue
			}
			out = append(out, complaintView{Complaint: k.Clone(), Overdue: over})
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	writeOK(w, map[string]any{"complaints": out})
}

type complaintReq struct {
	Channel    string `json:"channel"`
	Counter    string `json:"counter"`
	StaffID    string `json:"staff_id"`
	Text       string `json:"text"`
	ReceivedAt string `json:"received_at"`
}

// logComplaint records a complaint a supervisor took in (投诉).
func (s *Server) logComplaint(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleSupervisor)
	if !ok {
		return
	}
	var req complaintReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	cmd := queue.LogComplaint{Channel: req.Channel, Counter: req.Counter, StaffID: req.StaffID, Text: req.Text, By: p.id}
	if req.ReceivedAt != "" {
		at, err := time.Parse(time.RFC3339, req.ReceivedAt)
		if err != nil {
			writeErr(w, queue.Errorf(queue.BadRequest, "received_at 须为 RFC 3339 时间 received_at must be RFC 3339"))
			return
		}
		cmd.ReceivedAt = at
	}
	s.do(w, r, p, cmd)
}

// stepComplaint records progress (note) or the outcome (close).
func (s *Server) stepComplaint(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleSupervisor)
	if !ok {
		return
	}
	var req struct {
		Note string `json:"note"`
	}
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	s.do(w, r, p, queue.StepComplaint{ComplaintID: r.PathValue("complaint"), Action: r.PathValue("action"), Note: req.Note, By: p.id})
}

// promptCache keeps each counter's latest visit as of a hall seq, so the
// rater pages polling every second ask the writer only after something
// changed.
type promptCache struct {
	mu        sync.Mutex
	byCounter map[string]promptEntry
}

type promptEntry struct {
	seq     int64
	visit   *queue.Visit // a copy; nil = none
	serving string       // who is signed in at the counter
}

func (c *promptCache) get(ctx context.Context, h *hall.Hall, counter string) (promptEntry, error) {
	seq := h.View().Seq
	c.mu.Lock()
	ent, ok := c.byCounter[counter]
	c.mu.Unlock()
	if ok && ent.seq == seq {
		return ent, nil
	}
	err := h.Query(ctx, func(st *queue.State) {
		ct := st.Counters[counter]
		ent = promptEntry{seq: st.Seq, serving: ct.StaffID}
		if v := st.Visits[ct.LastVisit]; v != nil {
			vc := *v
			ent.visit = &vc
		}
	})
	if err != nil {
		return ent, err
	}
	c.mu.Lock()
	c.byCounter[counter] = ent
	c.mu.Unlock()
	return ent, nil
}
