package devices

import (
	"testing"
	"time"

	"github.com/hallq/hallq/internal/testenv"
)

// serveOne takes, calls and finishes one ticket at counter 1 and returns
// the finish result.
func serveOne(t *testing.T, k, c *client) map[string]any {
	t.Helper()
	k.in(t).ok("ticket.take", map[string]any{"service": "general"})
	c.in(t).ok("call.next", nil)
	return c.in(t).ok("serve.finish", nil)
}

// nextCmd waits for the next command on the device's cmd topic.
func nextCmd(t *testing.T, d *client) map[string]any {
	t.Helper()
	return decode(t, d.in(t).next(on(d.e.topic("dev/"+d.id+"/cmd"))))
}

func ack(t *testing.T, d *client, cmdID any) {
	t.Helper()
	d.in(t).publish(d.e.topic("dev/"+d.id+"/ack"), []byte(`{"cmd_id":"`+cmdID.(string)+`","ok":true}`), false)
}

// TestRatePrompt: after a finish the counter's rater gets rate.prompt; a new
// prompt supersedes the last with rate.cancel (CONTRACT §2 rating).
func TestRatePrompt(t *testing.T) {
	e := newEnv(t)
	k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
	c.ok("counter.open", map[string]any{"staff_id": "s01"})
	var first map[string]any
	t.Run("OK", func(t *testing.T) {
		fin := serveOne(t, k, c)
		p := nextCmd(t, r)
		first = p
		want(t, "op", p["op"], any("rate.prompt"))
		want(t, "ticket_id", p["ticket_id"], fin["ticket_id"])
		want(t, "ticket", p["ticket"], any("A001"))
		want(t, "counter", p["counter"], any("1"))
		want(t, "staff_id", p["staff_id"], any("s01"))
		if id, _ := p["cmd_id"].(string); id == "" {
			t.Errorf("no cmd_id in %v", p)
		}
		exp, err := time.Parse(time.RFC3339, p["expires_at"].(string))
		if err != nil {
			t.Fatalf("expires_at: %v", err)
		}
		if _, off := exp.Zone(); off != 8*3600 {
			t.Errorf("expires_at %v is not in hall time (+08:00)", p["expires_at"])
		}
		if d := exp.Sub(e.hallClock.Now()); d <= 0 || d > 10*time.Second {
			t.Errorf("expires_at is %v from now, want within the 10 s window", d)
		}
	})
	t.Run("OKSuperseded", func(t *testing.T) {
		serveOne(t, k, c)
		cancel := nextCmd(t, r)
		want(t, "op", cancel["op"], any("rate.cancel"))
		want(t, "ticket_id", cancel["ticket_id"], first["ticket_id"])
		p := nextCmd(t, r)
		want(t, "op", p["op"], any("rate.prompt"))
		want(t, "ticket", p["ticket"], any("A002"))
	})
	t.Run("OKRatedStopsTheTimer", func(t *testing.T) {
		r.in(t).ok("rating.submit", map[string]any{"level": 5})
		testenv.Eventually(t, wait, func() bool {
			e.srv.cmds.mu.Lock()
			defer e.srv.cmds.mu.Unlock()
			return e.srv.cmds.prompts["1"] == nil
		}, "prompt still open after the rating")
	})
	t.Run("OKNoStaffID", func(t *testing.T) {
		c.in(t).ok("counter.close", nil)
		c.in(t).ok("counter.open", nil)
		serveOne(t, k, c)
		p := nextCmd(t, r)
		want(t, "op", p["op"], any("rate.prompt"))
		if v, ok := p["staff_id"]; !ok || v != nil {
			t.Errorf("staff_id = %v (present %v), want null", v, ok)
		}
	})
}

// TestRatePromptExpires: when the window closes unrated the rater gets
// rate.cancel.
func TestRatePromptExpires(t *testing.T) {
	e := newEnv(t)
	e.devClock.Set(9500 * time.Millisecond) // the devices side sees the 10 s window end half a second after the finish
	k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
	c.ok("counter.open", nil)
	fin := serveOne(t, k, c)
	p := nextCmd(t, r)
	want(t, "op", p["op"], any("rate.prompt"))
	cancel := nextCmd(t, r)
	want(t, "op", cancel["op"], any("rate.cancel"))
	want(t, "ticket_id", cancel["ticket_id"], fin["ticket_id"])
	if id, _ := cancel["cmd_id"].(string); id == "" || id == p["cmd_id"] {
		t.Errorf("cancel cmd_id %q", id)
	}
}

// TestPendingCommands: a command is sent again each time the device comes
// back until it acknowledges it.
func TestPendingCommands(t *testing.T) {
	e := newEnv(t)
	k, c := e.connect("kiosk-01"), e.connect("caller-1")
	c.ok("counter.open", nil)
	t.Run("OKSentWhileOffline", func(t *testing.T) {
		serveOne(t, k, c) // the rater is not connected
		r := e.connect("rater-1").in(t)
		p := nextCmd(t, r)
		want(t, "op", p["op"], any("rate.prompt"))
		want(t, "ticket", p["ticket"], any("A001"))
		r.disconnect()
	})
	var prompt map[string]any
	t.Run("OKResentOnReconnect", func(t *testing.T) {
		r := e.connect("rater-1").in(t)
		prompt = nextCmd(t, r)
		want(t, "ticket resent", prompt["ticket"], any("A001"))
		r.disconnect()
		r = e.connect("rater-1").in(t)
		again := nextCmd(t, r)
		want(t, "same cmd_id", again["cmd_id"], prompt["cmd_id"])
		ack(t, r, again["cmd_id"])
		testenv.Eventually(t, wait, func() bool { return len(e.srv.cmds.pendingIDs("rater-1")) == 0 }, "ack not applied")
		r.disconnect()
	})
	t.Run("OKAckedNotResent", func(t *testing.T) {
		r := e.connect("rater-1").in(t)
		serveOne(t, k, c)
		first := nextCmd(t, r) // not the acknowledged prompt again
		want(t, "first command after reconnect", first["op"], any("rate.cancel"))
		want(t, "cancelled ticket", first["ticket_id"], prompt["ticket_id"])
		want(t, "then", nextCmd(t, r)["ticket"], any("A002"))
	})
}

// TestDesiredConfig: each device's desired config is retained on
// dev/{id}/config (CONTRACT §2).
func TestDesiredConfig(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		device, kind string
		counter      any
	}{{"rater-12", "rater", "12"}, {"kiosk-01", "kiosk", nil}} {
		t.Run("OK/"+tc.device, func(t *testing.T) {
			d := e.connect(tc.device, clientOpts{noSub: true}).in(t)
			d.subscribe(e.topic("dev/" + tc.device + "/config"))
			m := d.next(on(e.topic("dev/" + tc.device + "/config")))
			if !m.Retained {
				t.Errorf("config not retained")
			}
			cfg := decode(t, m)
			want(t, "version", cfg["version"], any(1.0))
			want(t, "hall", cfg["hall"], any("t1"))
			want(t, "kind", cfg["kind"], any(tc.kind))
			want(t, "counter", cfg["counter"], tc.counter)
			want(t, "rating_window_s", cfg["rating_window_s"], any(10.0))
		})
	}
}

// TestRatePromptAfterRestart: a prompt still inside its window is sent
// again after hallqd restarts, with the same cmd_id.
func TestRatePromptAfterRestart(t *testing.T) {
	e := newEnv(t)
	k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
	c.ok("counter.open", nil)
	serveOne(t, k, c)
	p := nextCmd(t, r)
	e.restart()
	r = e.connect("rater-1")
	again := nextCmd(t, r)
	want(t, "cmd_id", again["cmd_id"], p["cmd_id"])
	want(t, "expires_at", again["expires_at"], p["expires_at"])
}
