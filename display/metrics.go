package display

import "github.com/prometheus/client_golang/prometheus"

// Drop and close reasons, as the dropped counter labels them.
const (
	reasonSlow     = "slow_reader"
	reasonShutdown = "shutdown"
	reasonGap      = "gap"
)

// metrics are the hub's Prometheus metrics (CONTRACT §4 connected screens).
type metrics struct {
	connected prometheus.Gauge
	dropped   *prometheus.CounterVec
	joins     *prometheus.CounterVec
}

// newMetrics registers the hub's metrics with reg; nil reg keeps them unregistered.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_screens_connected",
			Help: "Screens connected to the websocket hub."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_screens_dropped_total",
			Help: "Screens the hub disconnected, by reason (slow_reader: its queue was full)."}, []string{"reason"}),
		joins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_screen_joins_total",
			Help: "Screens that connected, by how they started: snapshot or resume (since=)."}, []string{"start"}),
	}
	if reg != nil {
		reg.MustRegister(m.connected, m.dropped, m.joins)
	}
	return m
}
