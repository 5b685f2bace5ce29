package mochi

import (
	"fmt"
	"net"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"
)

const wait = 10 * time.Second

// sessionEvent is one report of SessionHook.
type sessionEvent struct{ kind, client, filter string }

// startSessionBroker starts a real broker on 127.0.0.1 that allows everyone,
// with a SessionHook whose reports arrive on the returned channel.
func startSessionBroker(t *testing.T) (*mqtt.Server, string, <-chan sessionEvent) {
	t.Helper()
	evs := make(chan sessionEvent, 1024)
	h := NewSessionHook(func(*mqtt.Client, packets.Packet) bool { return true }, SessionEvents{
		Connected: func(c string) { evs <- sessionEvent{"connected", c, ""} },
		Disconnected: func(c string) {
			// What hallq does here (presence) takes a moment, in which the
			// broker's clean-up of the connection waits: the race's window.
			time.Sleep(2 * time.Millisecond)
			evs <- sessionEvent{"disconnected", c, ""}
		},
		Subscribed: func(c, f string) { evs <- sessionEvent{"subscribed", c, f} },
	})
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: NewLogger(zerolog.Nop())})
	for _, hook := range []mqtt.Hook{&auth.AllowHook{}, h} {
		if err := srv.AddHook(hook, nil); err != nil {
			t.Fatal(err)
		}
	}
	h.Bind(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddListener(listeners.NewNet("t", ln)); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	repaired := make(chan struct{})
	go func() {
		defer close(repaired)
		h.RepairLoop(done)
	}()
	t.Cleanup(func() {
		close(done)
		<-repaired
		srv.Close()
	})
	return srv, ln.Addr().String(), evs
}

// dial connects a clean-session client with id.
func dial(t *testing.T, addr, id string, onMsg paho.MessageHandler) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).SetUsername(id).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectTimeout(wait).SetDefaultPublishHandler(onMsg)
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", id, tok.Error())
	}
	return c
}

// next is the hook's next report.
func next(t *testing.T, evs <-chan sessionEvent) sessionEvent {
	t.Helper()
	select {
	case ev := <-evs:
		return ev
	case <-time.After(wait):
		t.Fatal("no session event")
		return sessionEvent{}
	}
}

// TestSessionHookEvents: a connection is Connected, each granted filter
// Subscribed and a clean disconnect Disconnected; a connection taken over
// by a new one of the same client reports nothing when it ends.
func TestSessionHookEvents(t *testing.T) {
	_, addr, evs := startSessionBroker(t)
	t.Run("OK", func(t *testing.T) {
		c := dial(t, addr, "kiosk-01", nil)
		if got, want := next(t, evs), (sessionEvent{"connected", "kiosk-01", ""}); got != want {
			t.Errorf("got %v, want %v", got, want)
		}
		if tok := c.Subscribe("a/b", 1, nil); !tok.WaitTimeout(wait) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
		if got, want := next(t, evs), (sessionEvent{"subscribed", "kiosk-01", "a/b"}); got != want {
			t.Errorf("got %v, want %v", got, want)
		}
		c.Disconnect(0)
		if got, want := next(t, evs), (sessionEvent{"disconnected", "kiosk-01", ""}); got != want {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("OKTakenOver", func(t *testing.T) {
		old := dial(t, addr, "caller-1", nil)
		defer old.Disconnect(0)
		c := dial(t, addr, "caller-1", nil)
		c.Disconnect(0)
		for i, want := range []sessionEvent{{"connected", "caller-1", ""}, {"connected", "caller-1", ""}, {"disconnected", "caller-1", ""}} {
			if got := next(t, evs); got != want {
				t.Errorf("event %d: got %v, want %v", i, got, want)
			}
		}
	})
}

// TestSessionHookFastReconnect: a client that reconnects right after a
// clean disconnect receives what is published to it, every time (mochi-mqtt
// v2.7.9 could drop the new connection silently), and the reports end
// online.
func TestSessionHookFastReconnect(t *testing.T) {
	srv, addr, evs := startSessionBroker(t)
	for i := 0; i < 40; i++ {
		dial(t, addr, "kiosk-01", nil).Disconnect(0)
		got := make(chan string, 1)
		c := dial(t, addr, "kiosk-01", func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
		if tok := c.Subscribe("t/kiosk-01", 1, nil); !tok.WaitTimeout(wait) || tok.Error() != nil {
			t.Fatalf("round %d: subscribe: %v", i, tok.Error())
		}
		want := fmt.Sprint("round ", i)
		if err := srv.Publish("t/kiosk-01", []byte(want), false, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-got:
			if m != want {
				t.Fatalf("round %d: got %q", i, m)
			}
		case <-time.After(wait):
			t.Fatalf("round %d: the reconnected client received nothing", i)
		}
		if i < 39 {
			c.Disconnect(0)
		}
	}
	online := false // as the reports say
	for subs := 0; subs < 40; {
		switch ev := next(t, evs); ev.kind {
		case "connected":
			online = true
		case "disconnected":
			if !online {
				t.Fatal("disconnected while offline")
			}
			online = false
		case "subscribed":
			subs++
		}
	}
	if !online {
		t.Error("offline after the last reconnect")
	}
}
