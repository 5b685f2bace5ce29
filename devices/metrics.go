package devices

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/ops"
)

// metrics are the device side's Prometheus metrics (CONTRACT §4: connected
// devices). A nil *metrics records nothing.
type metrics struct {
	connected *prometheus.GaugeVec
	requests  *prometheus.CounterVec
	drops     *prometheus.CounterVec
	refusals  *prometheus.CounterVec
	limits    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		connected: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hallq_devices_connected",
			Help: "Devices online, by kind."}, []string{"kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_device_requests_total",
			Help: "Device requests answered, by op and result (ok or error code)."}, []string{"op", "result"}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_device_requests_dropped_total",
			Help: "Device requests dropped unanswered, by reason."}, []string{"reason"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_device_mqtt_refused_total",
			Help: "MQTT CONNECTs and PUBLISHes the embedded broker refused, by reason."}, []string{"reason"}),
		limits: prometheus.NewCounter(prometheus.CounterOpts{Name: "hallq_device_requests_rate_limited_total",
			Help: "Device requests answered rate_limited (too many in flight or over the sustained rate)."}),
	}
	for _, c := range []prometheus.Collector{m.connected, m.requests, m.drops, m.refusals, m.limits} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) online(kind string, delta float64) {
	if m != nil {
		m.connected.WithLabelValues(kind).Add(delta)
	}
}

func (m *metrics) request(op, result string) {
	if m != nil {
		if opKnown(op) {
			m.requests.WithLabelValues(op, result).Inc()
		} else {
			m.requests.WithLabelValues("other", result).Inc()
		}
	}
}

func (m *metrics) dropped(reason string) {
	if m != nil {
		m.drops.WithLabelValues(reason).Inc()
	}
}

// limited counts a request answered rate_limited (CONTRACT §2 admission).
func (m *metrics) limited() {
	if m != nil {
		m.limits.Inc()
	}
}

func (m *metrics) refused(reason string) {
	if m != nil {
		m.refusals.WithLabelValues(reason).Inc()
	}
}

// opKnown keeps metric labels to the contract's ops.
func opKnown(op string) bool { return ops.Kind(op) != "" }
