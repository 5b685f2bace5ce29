package evalpush

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	sent     *prometheus.CounterVec
	failures prometheus.Counter
	lag      prometheus.Gauge
	cursor   prometheus.Gauge
	oldest   prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_evalpush_sent_total",
			Help: "Records delivered to the provincial 好差评 platform, by type."}, []string{"type"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_evalpush_failures_total",
			Help: "Failed deliveries to the provincial 好差评 platform."}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_evalpush_lag_events",
			Help: "Journal events the 好差评 push has not looked at yet."}),
		cursor: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_evalpush_cursor_seq",
			Help: "Seq of the last journal event the 好差评 push delivered or skipped."}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_evalpush_oldest_unsent_seconds",
			Help: "Age of the oldest record not yet delivered (0 = none)."}),
	}
	reg.MustRegister(m.sent, m.failures, m.lag, m.cursor, m.oldest)
	return m
}
