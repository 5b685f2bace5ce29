package main

import (
	"context"
	"fmt"

	"github.com/hallq/hallq/devices"
	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/queue"
)

// startDevices starts the MQTT side (CONTRACT §2): the embedded broker on
// listen.mqtt, or a connection to the external broker at broker.url.
func (m *Main) startDevices(ctx context.Context) error {
	cfg := m.Config
	rt := &firmwareconfig.Retained{Desired: m.desiredDeviceConfig(), BaseURL: m.publicURL}
	sp := m.Hall.Spec()
	s, err := devices.Start(ctx, devices.Config{
		// firmware-config is the one place that builds desired config and firmware
		Desired: func(evs []queue.Event, v *queue.View, all bool, emit func(device, leaf string, payload []byte)) {
			rt.Messages(sp, evs, v, all, emit)
		},
		Hall:      m.Hall,
		Auth:      m.Devices,
		Log:       m.Log.With().Str("component", "devices").Logger(),
		Listen:    cfg.Listen.MQTT,
		BrokerURL: cfg.Broker.URL,
		Username:  cfg.Broker.Username,
		Password:  cfg.Broker.Password,
		Registry:  m.Registry,
		GreenCap:  m.rb.green,
		Print:     m.kioskPrint(sp).Ticket, // MQTT kiosks get the same print data as the kiosk page
	})
	if err != nil {
		if cfg.Broker.URL == "" {
			return fmt.Errorf("mqtt (listen.mqtt %s): %w", cfg.Listen.MQTT, err)
		}
		return fmt.Errorf("mqtt (broker.url %s): %w", cfg.Broker.URL, err)
	}
	m.checks = append(m.checks, httpapi.Check{Name: "broker", Fn: s.Ready})
	m.closers = append(m.closers, s.Close)
	return nil
}
