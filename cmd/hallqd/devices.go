package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hallq/hallq/devices"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// startDevices starts the MQTT side (CONTRACT §2): the embedded broker on
// listen.mqtt, or a connection to the external broker at broker.url.
func (m *Main) startDevices(ctx context.Context) error {
	cfg := m.Config
	j := m.Journal
	desired := m.desiredDeviceConfig()
	s, err := devices.Start(ctx, devices.Config{
		DesiredConfig: func(d queue.DeviceSpec, sp *queue.Spec) any { return desired.Body(d, sp) },
		Hall:          m.Hall,
		Auth:          m.Devices,
		Log:           m.Log.With().Str("component", "devices").Logger(),
		Listen:        cfg.Listen.MQTT,
		Dir:           cfg.Storage.Dir,
		BrokerURL:     cfg.Broker.URL,
		Username:      cfg.Broker.Username,
		Password:      cfg.Broker.Password,
		Registry:      m.Registry,
		Print:         m.kioskPrint(m.Hall.Spec()).Ticket,
		Replies: func(since time.Time, fn func(source, reqID string, at time.Time, response []byte)) error {
			return j.Requests(since, func(r store.Request) { fn(r.Source, r.ReqID, r.At, r.Response) })
		},
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
