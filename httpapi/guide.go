package httpapi

import (
	"net/http"

	"github.com/hallq/hallq/queue"
)

// guideService is one service's 办事指南: the 六公开 of CONTRACT §1
// services[].info, for the kiosk and the guide screen.
type guideService struct {
	ID          string             `json:"id"`
	Prefix      string             `json:"prefix"`
	Name        queue.Name         `json:"name"`
	PromiseDays int                `json:"promise_days"`
	Info        *queue.ServiceInfo `json:"info"` // null when not configured
}

// guide is public: GET …/guide lists every service with its 六公开, in config order.
func (s *Server) guide(w http.ResponseWriter, r *http.Request) {
	sp := s.h.Spec()
	out := make([]guideService, 0, len(sp.ServiceOrder))
	for _, id := range sp.ServiceOrder {
		svc := sp.Services[id]
		out = append(out, guideService{ID: id, Prefix: svc.Prefix, Name: svc.Name, PromiseDays: svc.PromiseDays, Info: svc.Info})
	}
	w.Header().Set("Cache-Control", "max-age=60")
	writeOK(w, map[string]any{"services": out})
}
