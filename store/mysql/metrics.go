package mysql

import "github.com/prometheus/client_golang/prometheus"

// metrics are the replicator's Prometheus metrics (CONTRACT §4: MySQL
// replication lag).
type metrics struct {
	events   prometheus.Counter
	requests prometheus.Counter
	errors   prometheus.Counter
	batch    prometheus.Histogram
	up       prometheus.Gauge
}

// newMetrics registers the replicator's metrics with reg (nil = none); the
// lag gauges ask r when scraped.
func newMetrics(reg prometheus.Registerer, r *Replicator) *metrics {
	m := &metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_mysql_replicated_events_total",
			Help: "Journal events copied to MySQL (a re-copy after a failed commit counts again)."}),
		requests: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_mysql_replicated_requests_total",
			Help: "Idempotency records copied to MySQL."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_mysql_replication_errors_total",
			Help: "Replication attempts that failed (MySQL down, refused, timed out)."}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hallq_mysql_replication_batch_seconds",
			Help: "Time to copy one batch in one MySQL transaction.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_mysql_up",
			Help: "1 when the last replication attempt succeeded."}),
	}
	if reg == nil {
		return m
	}
	lagEvents := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hallq_mysql_replication_lag_events",
		Help: "Journal events not yet in MySQL."}, func() float64 {
		n, _ := r.Lag()
		return float64(n)
	})
	lagSeconds := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hallq_mysql_replication_lag_seconds",
		Help: "Age of the oldest journal event not yet in MySQL (0 when caught up)."}, func() float64 {
		_, d := r.Lag()
		return d.Seconds()
	})
	reg.MustRegister(m.events, m.requests, m.errors, m.batch, m.up, lagEvents, lagSeconds)
	return m
}
