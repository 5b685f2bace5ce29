package main

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/store"
)

// addRobustnessChecks adds the /readyz warnings of docs/robustness.md: a
// clock behind the journal's last event, and little free space in
// storage.dir (with hallq_storage_free_bytes and a log line when it drops
// below limits.storage_min_free_mb). Warnings are named in /readyz's body
// and leave it 200: the hall still works.
func (m *Main) addRobustnessChecks() {
	dir, minFree := m.Config.Storage.Dir, int64(m.Config.Limits.StorageMinFreeMB)<<20
	h := m.Hall
	m.checks = append(m.checks,
		httpapi.Check{Name: "clock", Warn: true, Fn: func() error {
			if d := h.ClockBehind(); d > 0 {
				return fmt.Errorf("clock is %v behind the journal's last event; the business day stays (系统时钟回拨)", d.Round(time.Second))
			}
			return nil
		}},
		httpapi.Check{Name: "disk", Warn: true, Fn: func() error {
			free, err := store.FreeBytes(dir)
			if err != nil {
				return err
			}
			if free < minFree {
				return fmt.Errorf("only %d MB free in storage.dir (limits.storage_min_free_mb %d) 磁盘空间不足", free>>20, minFree>>20)
			}
			return nil
		}})
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hallq_storage_free_bytes",
		Help: "Free bytes on storage.dir's file system."}, func() float64 {
		free, err := store.FreeBytes(dir)
		if err != nil {
			return -1
		}
		return float64(free)
	}))
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hallq_journal_wal_bytes",
		Help: "Size of the journal's write-ahead log."}, func() float64 { return float64(m.Journal.WALBytes()) }))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a log line when free space crosses the threshold
		defer close(done)
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		low := false
		for {
			if free, err := store.FreeBytes(dir); err == nil && (free < minFree) != low {
				low = !low
				if low {
					m.Log.Warn().Int64("free_mb", free>>20).Int64("min_free_mb", minFree>>20).Msg("storage.dir is running out of space 磁盘空间不足")
				} else {
					m.Log.Info().Int64("free_mb", free>>20).Msg("storage.dir has space again")
				}
			}
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	m.closers = append(m.closers, func() error { close(stop); <-done; return nil })
}

// limitDeviceAuth limits failed device logins (MQTT CONNECT, HTTP device
// tokens) per address and per device id (limits.auth_failures_per_min).
func (m *Main) limitDeviceAuth() {
	blocked := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hallq_device_logins_blocked_total",
		Help: "Device logins refused unchecked after too many failures, by what was blocked (address or device)."}, []string{"by"})
	m.Registry.MustRegister(blocked)
	m.Devices.Limit(devauth.NewLimiter(m.Config.Limits.AuthFailuresPerMin, time.Minute,
		m.Log.With().Str("component", "auth").Logger(), nil, func(kind string) { blocked.WithLabelValues(kind).Inc() }))
}
