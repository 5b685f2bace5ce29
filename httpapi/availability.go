package httpapi

import (
	"net/http"

	"github.com/hallq/hallq/queue"
)

// availability tells the kiosk page which services issue walk-in tickets
// now, so a closed service or a used-up quota shows before anyone taps it
// (docs/http-api.md). Public, like the snapshot.
func (s *Server) availability(w http.ResponseWriter, r *http.Request) {
	av, err := s.h.Availability(r.Context())
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 availability: %v", err))
		return
	}
	writeOK(w, map[string]any{"services": av})
}
