// Package httpapi is hallqd's HTTP JSON API: ticket and counter operations
// for the kiosk page and staff console, staff login, the snapshot, health,
// readiness and metrics. Refusals carry the contract's error codes.
package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// Check is one readiness check: nil when the part is usable.
type Check struct {
	Name string
	Fn   func() error
	Warn bool // a warning: named in the body, but /readyz stays 200
}

// TicketDecorator adds the print layout and QR link to a ticket.take result.
type TicketDecorator func(result json.RawMessage) json.RawMessage

// Config wires the API.
type Config struct {
	Hall     *hall.Hall
	Staff    *staff.Store
	Devices  *devauth.Checker
	Gatherer prometheus.Gatherer
	Checks   []Check
	Log      zerolog.Logger
	Decorate TicketDecorator // optional
	QRPNG    func(text string) ([]byte, error)
	BaseURL  string         // for ticket QR links
	Firmware FirmwareConfig // CONTRACT §6 images, rollouts and the fleet
	// Integrations may book appointments with a token (integrations.go).
	Integrations []Integration
	CaseLookup   CaseLookup // earlier days' cases; optional
	// Admission applies the MQTT side's admission rules to device and kiosk
	// page requests (CONTRACT §2 admission); GreenCap caps green tickets per
	// kiosk (shared with MQTT). nil = none.
	Admission *admission.Limiter
	GreenCap  *admission.GreenCap
	// Details adds parts to /readyz's body that do not decide readiness
	// (e.g. the 好差评 push's lag); nil = none.
	Details func() map[string]any
	// Screens are the speaker zones and voice settings the pages get from
	// GET /api/v1/hall (config.ScreenSettings); ZoneIDs name the zones.
	Screens    any
	ZoneIDs    []string
	Registerer prometheus.Registerer // for the voice metric; nil = none
	// PrintESCPOS renders a ticket for the kiosk's thermal printer
	// (GET …/tickets/{ticket}/escpos); nil = that endpoint answers 404.
	PrintESCPOS func(t queue.TicketResult) []byte
	// Reports are the management reports (CONTRACT §5); nil = none.
	Reports *Reports
}

// Server serves the API.
type Server struct {
	cfg   Config
	h     *hall.Hall
	mux   *http.ServeMux
	voice *voiceMetrics

	prompts *promptCache // the rater page's prompts (evaluation.go)
}

// maxBody bounds request bodies (CONTRACT §2 payload size, also for HTTP).
const maxBody = 8 << 10

// New builds the API's routes on mux.
func New(cfg Config, mux *http.ServeMux) *Server {
	s := &Server{cfg: cfg, h: cfg.Hall, mux: mux, voice: newVoiceMetrics(cfg.Registerer, cfg.ZoneIDs)}
	hallPath := "/api/v1/halls/{hall}"
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/v1/hall", s.hallInfo)
	mux.HandleFunc("POST /api/v1/login", s.login)
	mux.HandleFunc("POST /api/v1/logout", s.logout)
	mux.HandleFunc("GET /api/v1/me", s.me)
	mux.HandleFunc("GET "+hallPath+"/snapshot", s.inHall(s.snapshot))
	mux.HandleFunc("POST "+hallPath+"/tickets", s.inHall(s.takeTicket))
	mux.HandleFunc("GET "+hallPath+"/tickets/{ticket}", s.inHall(s.ticketStatus))
	mux.HandleFunc("GET "+hallPath+"/tickets/{ticket}/qr.png", s.inHall(s.ticketQR))
	mux.HandleFunc("GET "+hallPath+"/tickets/{ticket}/escpos", s.inHall(s.ticketESCPOS))
	mux.HandleFunc("POST "+hallPath+"/tickets/{ticket}/reinstate", s.inHall(s.reinstate))
	mux.HandleFunc("POST "+hallPath+"/tickets/{ticket}/cancel", s.inHall(s.cancel))
	mux.HandleFunc("POST "+hallPath+"/counters/{counter}/signin", s.inHall(s.signIn))
	mux.HandleFunc("POST "+hallPath+"/counters/{counter}/ops/{op}", s.inHall(s.counterOp))
	mux.HandleFunc("GET "+hallPath+"/counters/{counter}/waiting", s.inHall(s.waiting))
	mux.HandleFunc("POST "+hallPath+"/appointments", s.inHall(s.book))
	mux.HandleFunc("POST "+hallPath+"/notice", s.inHall(s.notice))
	s.firmwareRoutes(mux, hallPath)
	mux.HandleFunc("GET "+hallPath+"/appointments", s.inHall(s.appointments))
	mux.HandleFunc("GET "+hallPath+"/appointments/{code}", s.inHall(s.appointment))
	mux.HandleFunc("DELETE "+hallPath+"/appointments/{code}", s.inHall(s.cancelAppointment))
	mux.HandleFunc("POST "+hallPath+"/appointments/{code}/cancel", s.inHall(s.cancelAppointment))
	mux.HandleFunc("GET "+hallPath+"/case-lookup", s.inHall(s.caseLookup))
	mux.HandleFunc("GET "+hallPath+"/guide", s.inHall(s.guide))
	mux.HandleFunc("GET "+hallPath+"/alerts", s.inHall(s.alerts))
	mux.HandleFunc("GET "+hallPath+"/staffing", s.inHall(s.staffing))
	mux.HandleFunc("GET "+hallPath+"/kiosk-tokens", s.inHall(s.listKioskTokens))
	mux.HandleFunc("POST "+hallPath+"/kiosk-tokens", s.inHall(s.issueKioskToken))
	mux.HandleFunc("POST "+hallPath+"/kiosk-tokens/{token}/revoke", s.inHall(s.revokeKioskToken))
	s.routesEvaluation(mux, hallPath)
	mux.HandleFunc("GET "+hallPath+"/availability", s.inHall(s.availability))
	mux.HandleFunc("POST "+hallPath+"/screens/voice", s.inHall(s.voiceReport))
	s.reportRoutes(hallPath)
	return s
}

// inHall refuses requests for another hall id.
func (s *Server) inHall(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("hall") != s.h.Spec().HallID {
			writeErr(w, queue.Errorf(queue.BadRequest, "没有此大厅 unknown hall %q", r.PathValue("hall")))
			return
		}
		fn(w, r)
	}
}

// statusOf maps contract codes to HTTP statuses, in one table.
var statusOf = map[queue.Code]int{
	queue.BadRequest:         http.StatusBadRequest,
	queue.Forbidden:          http.StatusForbidden,
	queue.UnknownService:     http.StatusNotFound,
	queue.UnknownTicket:      http.StatusNotFound,
	queue.UnknownAppointment: http.StatusNotFound,
	queue.ServiceClosed:      http.StatusConflict,
	queue.QuotaExhausted:     http.StatusConflict,
	queue.DuplicateTicket:    http.StatusConflict,
	queue.QueueEmpty:         http.StatusConflict,
	queue.CounterClosed:      http.StatusConflict,
	queue.InvalidState:       http.StatusConflict,
	queue.NothingToRate:      http.StatusConflict,
	queue.AlreadyRated:       http.StatusConflict,
	queue.Unavailable:        http.StatusServiceUnavailable,
	codeUnauthorized:         http.StatusUnauthorized,
	codeRateLimited:          http.StatusTooManyRequests,
	queue.UnknownCase:        http.StatusNotFound,
	queue.UnknownComplaint:   http.StatusNotFound,
}

// Codes the HTTP API adds to the contract's.
const (
	codeUnauthorized queue.Code = "unauthorized"
	codeRateLimited  queue.Code = "rate_limited"
)

type envelope struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *queue.Error    `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeOK(w http.ResponseWriter, result any) {
	raw, _ := json.Marshal(result)
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: raw})
}

func writeErr(w http.ResponseWriter, e *queue.Error) {
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, envelope{Error: e})
}

func writeReply(w http.ResponseWriter, rep hall.Reply) {
	if rep.Error != nil {
		writeErr(w, rep.Error)
		return
	}
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: rep.Result})
}

// readBody reads a bounded JSON body.
func readBody(r *http.Request) ([]byte, *queue.Error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, queue.Errorf(queue.BadRequest, "读取请求失败 cannot read body: %v", err)
	}
	if len(body) > maxBody {
		return nil, queue.Errorf(queue.BadRequest, "请求过大 body larger than %d bytes", maxBody)
	}
	return body, nil
}

func decodeBody(r *http.Request, v any) *queue.Error {
	body, qe := readBody(r)
	if qe != nil {
		return qe
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return queue.Errorf(queue.BadRequest, "JSON 格式错误 bad JSON: %v", err)
	}
	return nil
}

// idempotencyKey reads the request's Idempotency-Key header, at most 64 characters.
func idempotencyKey(r *http.Request) (string, *queue.Error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 64 {
		return "", queue.Errorf(queue.BadRequest, "Idempotency-Key 过长 longer than 64 characters")
	}
	return key, nil
}

// run carries out cmd for principal p with the request's Idempotency-Key.
func (s *Server) run(r *http.Request, p principal, cmd queue.Command) hall.Reply {
	key, qe := idempotencyKey(r)
	if qe != nil {
		return hall.Reply{Error: qe}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	return s.h.Do(ctx, hall.Request{Source: "http:" + p.id, ReqID: key, Cmd: cmd})
}

// do runs cmd and writes its reply.
func (s *Server) do(w http.ResponseWriter, r *http.Request, p principal, cmd queue.Command) {
	rep := s.run(r, p, cmd)
	if rep.Repeat {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeReply(w, rep)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// readyz is 200 only when every part is usable; the body names the others
// (CONTRACT §4).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	parts := map[string]string{}
	ready := true
	for _, c := range s.cfg.Checks {
		if err := c.Fn(); err != nil {
			parts[c.Name] = err.Error()
			ready = ready && c.Warn
		} else {
			parts[c.Name] = "ok"
		}
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	body := map[string]any{"ready": ready, "parts": parts}
	if s.cfg.Details != nil {
		if d := s.cfg.Details(); len(d) > 0 {
			body["detail"] = d
		}
	}
	writeJSON(w, status, body)
}

func (s *Server) hallInfo(w http.ResponseWriter, r *http.Request) {
	sp := s.h.Spec()
	writeOK(w, map[string]any{"id": sp.HallID, "name": sp.HallName, "timezone": sp.Location.String(), "screens": s.cfg.Screens})
}

func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, hall.SnapshotOf(s.h.View()))
}
