package main

import "context"

// startDevices starts the MQTT side (embedded broker or external broker).
func (m *Main) startDevices(ctx context.Context) error { return nil }
