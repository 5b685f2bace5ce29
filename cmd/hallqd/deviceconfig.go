package main

import (
	"github.com/prometheus/client_golang/prometheus"

	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// desiredDeviceConfig is the config's device_config, and it keeps the
// hallq_devices_config_drift gauge: online devices reporting another
// config_version than the desired one.
func (m *Main) desiredDeviceConfig() firmwareconfig.Desired {
	desired := firmwareconfig.Desired{Version: m.Config.DeviceConfig.Version, Settings: m.Config.DeviceConfig.Settings}
	drift := prometheus.NewGauge(prometheus.GaugeOpts{Name: "hallq_devices_config_drift",
		Help: "Online devices whose reported config_version is not the desired one."})
	m.Registry.MustRegister(drift)
	drift.Set(float64(len(desired.Drifts(m.Hall.View()))))
	m.Hall.Subscribe(func(b hall.Batch) {
		for _, e := range b.Events {
			if e.Kind == queue.EvDeviceOnline || e.Kind == queue.EvDeviceOffline {
				drift.Set(float64(len(desired.Drifts(b.View))))
				return
			}
		}
	})
	return desired
}
