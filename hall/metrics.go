package hall

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the hall's Prometheus metrics (CONTRACT §4).
type Metrics struct {
	TicketsIssued *prometheus.CounterVec
	Calls         *prometheus.CounterVec
	WaitSeconds   *prometheus.HistogramVec
	ServeSeconds  *prometheus.HistogramVec
	Ratings       *prometheus.CounterVec
	AppendSeconds prometheus.Histogram
	BatchSize     prometheus.Histogram
	AppendErrors  prometheus.Counter
	LastSeq       prometheus.Gauge
	Waiting       *prometheus.GaugeVec
	Alerts        *prometheus.GaugeVec   // standing 电子监察 alerts by kind and level
	AlertsRaised  *prometheus.CounterVec // alerts raised, by kind
	ClockBehind   prometheus.Gauge       // seconds the wall clock is behind the last event
}

// NewMetrics registers the hall's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		TicketsIssued: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_tickets_issued_total", Help: "Tickets issued."}, []string{"service", "channel"}),
		Calls:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_calls_total", Help: "Calls and recalls of tickets at counters."}, []string{"counter", "kind"}),
		WaitSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hallq_wait_seconds", Help: "Time from issue to first call.",
			Buckets: []float64{60, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}}, []string{"service"}),
		ServeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hallq_service_seconds", Help: "Time from call (or start) to finish.",
			Buckets: []float64{30, 60, 120, 300, 600, 900, 1200, 1800, 3600}}, []string{"service"}),
		Ratings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_ratings_total", Help: "Ratings submitted, by level 1-5."}, []string{"level"}),
		AppendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hallq_journal_append_seconds", Help: "Journal batch append latency (one fsync).",
			Buckets: prometheus.ExponentialBuckets(0.00005, 2, 16)}),
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hallq_journal_batch_commands", Help: "Commands per group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		AppendErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_journal_append_errors_total", Help: "Journal appends that failed."}),
		LastSeq:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_journal_seq", Help: "Last durable event seq."}),
		Waiting:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hallq_waiting_tickets", Help: "Tickets waiting, by service."}, []string{"service"}),
	}
	m.ClockBehind = prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_clock_behind_seconds",
		Help: "Seconds the wall clock is behind the journal's last event (a clock stepped back); 0 when it is not."})
	reg.MustRegister(m.ClockBehind)
	reg.MustRegister(m.TicketsIssued, m.Calls, m.WaitSeconds, m.ServeSeconds, m.Ratings, m.AppendSeconds, m.BatchSize, m.AppendErrors, m.LastSeq, m.Waiting)
	m.Alerts = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hallq_alerts", Help: "Standing alerts (电子监察), by kind and level."}, []string{"kind", "level"})
	m.AlertsRaised = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_alerts_raised_total", Help: "Alerts raised, by kind."}, []string{"kind"})
	reg.MustRegister(m.Alerts, m.AlertsRaised)
	return m
}
