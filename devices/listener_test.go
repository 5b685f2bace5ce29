package devices

import (
	"net"
	"testing"
	"time"
)

// TestSilentConnection: a connection that never sends CONNECT holds
// nothing up: devices are served, and Close does not wait for it.
func TestSilentConnection(t *testing.T) {
	e := newEnv(t)
	silent, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	t.Run("OKOthersServed", func(t *testing.T) {
		e.connect("kiosk-01").in(t).ok("ticket.take", map[string]any{"service": "general"})
	})
	t.Run("OKCloseReturns", func(t *testing.T) {
		closed := make(chan error, 1)
		go func() { closed <- e.srv.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("Close: %v", err)
			}
		case <-time.After(wait):
			t.Fatal("Close waits for a connection that never sent CONNECT")
		}
		silent.SetReadDeadline(time.Now().Add(wait))
		if _, err := silent.Read(make([]byte, 1)); err == nil {
			t.Errorf("the silent connection is still open")
		}
	})
}

// TestManyIdleConnections: 2,000 connections that never send CONNECT hold
// nothing up; a device still connects and is served, and the broker stays
// ready (a probe that held, kept as a test).
func TestManyIdleConnections(t *testing.T) {
	e := newEnv(t)
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := 0; i < 2000; i++ {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		idle = append(idle, c)
	}
	e.connect("kiosk-01").in(t).ok("ticket.take", map[string]any{"service": "general"})
	if err := e.srv.Ready(); err != nil {
		t.Errorf("Ready with 2,000 idle connections: %v", err)
	}
}
