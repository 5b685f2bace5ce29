package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/queue"
)

// voiceMetrics count what hall screens report of their announcements.
type voiceMetrics struct {
	late   *prometheus.CounterVec
	zones  map[string]bool
	maxAdd int
}

func newVoiceMetrics(reg prometheus.Registerer, zones []string) *voiceMetrics {
	m := &voiceMetrics{
		late: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_voice_late_calls_total",
			Help: "Calls a hall screen could not begin to speak within voice.late_s, by zone (\"\" = the whole hall)."}, []string{"zone"}),
		zones:  map[string]bool{"": true},
		maxAdd: 100,
	}
	for _, z := range zones {
		m.zones[z] = true
	}
	if reg != nil {
		reg.MustRegister(m.late)
	}
	return m
}

type voiceReport struct {
	Zone string `json:"zone"`
	Late int    `json:"late"`
}

// voiceReport takes a hall screen's count of calls it spoke late (public,
// like the screens; the zone must be configured and the count is bounded,
// so a stray client cannot make up labels).
func (s *Server) voiceReport(w http.ResponseWriter, r *http.Request) {
	var req voiceReport
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	if !s.voice.zones[req.Zone] {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此区域 unknown zone %q", req.Zone))
		return
	}
	if req.Late < 0 || req.Late > s.voice.maxAdd {
		writeErr(w, queue.Errorf(queue.BadRequest, "late must be 0-%d", s.voice.maxAdd))
		return
	}
	s.voice.late.WithLabelValues(req.Zone).Add(float64(req.Late))
	writeOK(w, map[string]any{"zone": req.Zone, "late": req.Late})
}
