package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/queue"
)

// demoPageToken is the demo kiosk page's token (not the kiosk's MQTT secret);
// demoRaterToken the demo rater page's at counter 1.
const (
	demoPageToken  = "demo-page-kiosk-01"
	demoRaterToken = "demo-page-rater-1"
)

// setupAdmission makes the green-channel cap both transports share
// (limits.green_per_kiosk_per_min, hallq_green_cap_hits_total when hit).
func (m *Main) setupAdmission() {
	hits := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_green_cap_hits_total",
		Help: "Green-channel tickets refused because the kiosk reached limits.green_per_kiosk_per_min."}, []string{"device"})
	m.Registry.MustRegister(hits)
	m.rb.green = admission.NewGreenCap(m.Config.Limits.GreenPerKioskPerMin, nil, func(d string) { hits.WithLabelValues(d).Inc() })
}

// admitAPI gives the HTTP API the MQTT side's admission rules and the
// shared green-channel cap.
func (m *Main) admitAPI(cfg *httpapi.Config) {
	cfg.Admission = admission.NewLimiter(0, 0, nil)
	cfg.GreenCap = m.rb.green
}

// pairDemoKiosk issues the demo kiosk page and the demo rater page their
// tokens once, so that their demo URLs work out of the box without the
// devices' MQTT secrets.
func (m *Main) pairDemoKiosk(ctx context.Context) error {
	if !m.Config.Demo {
		return nil
	}
	for _, p := range []struct{ id, device, token string }{
		{"kt-demo-kiosk-01", "kiosk-01", demoPageToken},
		{"kt-demo-rater-1", "rater-1", demoRaterToken},
	} {
		hash := httpapi.TokenHash(p.token)
		paired := false
		if err := m.Hall.Query(ctx, func(st *queue.State) { _, paired = st.KioskTokenDevice(hash) }); err != nil {
			return err
		}
		if paired {
			continue
		}
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		rep := m.Hall.Do(tctx, hall.Request{Source: "demo", ReqID: "demo-page-token-" + p.device,
			Cmd: queue.IssueKioskToken{TokenID: p.id, Device: p.device, TokenHash: hash, By: "demo"}})
		cancel()
		if rep.Error != nil && rep.Error.Code != queue.InvalidState {
			return rep.Error
		}
	}
	return nil
}
