package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/netlimit"
)

// robust is what Main keeps for the robustness limits.
type robust struct {
	httpLimit *netlimit.Listener
	green     *admission.GreenCap // shared by MQTT and HTTP
}

// seconds turns a config value in seconds into a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// serveHTTP serves the mux on ln with the robustness limits of the config:
// header, read and idle timeouts, and a cap on connections overall and per
// address that leaves file handles for the broker and the journal
// (docs/robustness.md). Websocket connections are hijacked, and the
// websocket library clears the server's deadlines, so screens stay
// connected past the read and idle timeouts.
func (m *Main) serveHTTP(ln net.Listener) {
	lim := m.Config.Limits
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_http_conns_refused_total",
		Help: "HTTP connections closed at once because a connection cap was reached, by cap."}, []string{"reason"})
	m.Registry.MustRegister(refused)
	max := netlimit.Budget(lim.HTTPMaxConns, lim.FDReserve)
	var logged time.Time
	nl := netlimit.New(ln, max, lim.HTTPMaxConnsPerIP, func(reason string) {
		refused.WithLabelValues(reason).Inc()
		if now := time.Now(); now.Sub(logged) > time.Minute { // a summary, not a line per connection
			logged = now
			m.Log.Warn().Str("cap", reason).Int("max_conns", max).Int("max_conns_per_ip", lim.HTTPMaxConnsPerIP).
				Msg("http connections refused at a cap (counted in hallq_http_conns_refused_total) HTTP 连接数已达上限")
		}
	})
	m.rb.httpLimit = nl
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hallq_http_conns_open",
		Help: "HTTP connections open now, websockets included."}, func() float64 { return float64(nl.Open()) }))
	m.http = &http.Server{Handler: m.Mux,
		ReadHeaderTimeout: seconds(lim.HTTPHeaderTimeoutS),
		ReadTimeout:       seconds(lim.HTTPReadTimeoutS),
		IdleTimeout:       seconds(lim.HTTPIdleTimeoutS),
		MaxHeaderBytes:    64 << 10,
	}
	go m.http.Serve(nl)
}

// stopHTTP stops taking requests and waits for in-flight ones up to the
// shutdown grace; then it closes what is left, so that SIGTERM always ends
// with status 0 within the contract's 10 s (CONTRACT §4).
func (m *Main) stopHTTP() error {
	if m.http == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), seconds(m.Config.Limits.ShutdownGraceS))
	defer cancel()
	err := m.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		m.Log.Warn().Float64("grace_s", m.Config.Limits.ShutdownGraceS).
			Msg("http requests still running after the shutdown grace; closing them 关闭未完成的 HTTP 请求")
		return m.http.Close()
	}
	return err
}

// httpOpen is the number of open HTTP connections (for tests and metrics).
func (m *Main) httpOpen() int {
	if m.rb.httpLimit == nil {
		return 0
	}
	return m.rb.httpLimit.Open()
}
