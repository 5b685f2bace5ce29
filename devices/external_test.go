package devices

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// startMosquitto starts Mosquitto with the password and ACL files hallqd
// generates for the test hall, hallqd's own user being hallqd/s-hallqd.
func startMosquitto(t *testing.T) *testenv.Mosquitto {
	t.Helper()
	cfg := mustParse(t, testYAML)
	accounts := []Account{{User: "hallqd", Secret: "s-hallqd"}}
	var ids []string
	for _, d := range cfg.Devices {
		accounts = append(accounts, Account{User: d.ID, Secret: d.Secret})
		ids = append(ids, d.ID)
	}
	pw, err := MosquittoPasswordFile(accounts, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pwFile, aclFile := filepath.Join(dir, "password_file"), filepath.Join(dir, "acl_file")
	if err := os.WriteFile(pwFile, pw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(aclFile, MosquittoACLFile(NewTopics(cfg.Hall.ID), "hallqd", ids), 0o600); err != nil {
		t.Fatal(err)
	}
	return testenv.StartMosquitto(t, string(MosquittoConf(pwFile, aclFile)))
}

// TestExternalBroker runs the contract through an external Mosquitto with
// the generated password and ACL files, including a broker restart.
func TestExternalBroker(t *testing.T) {
	m := startMosquitto(t)
	e := newEnv(t, withConfig(func(c *Config) {
		c.BrokerURL, c.Username, c.Password = m.URL, "hallqd", "s-hallqd"
	}))
	e.broker = m.URL
	if err := e.srv.Ready(); err != nil {
		t.Fatalf("not connected to mosquitto: %v", err)
	}
	evs := e.deviceEvents()
	k := e.connect("kiosk-01")
	t.Run("OKRequest", func(t *testing.T) {
		r := k.in(t).ok("ticket.take", map[string]any{"service": "general"})
		want(t, "number", r["number"], any("A001"))
	})
	t.Run("OKRetainedState", func(t *testing.T) {
		late := e.connect("screen-01", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/services/general"))
		m := late.next(on(e.topic("state/services/general")))
		want(t, "retained", m.Retained, true)
		// state/services/* is conflated (DefaultServiceStateWindow): the
		// retained value may still be the one before the ticket, then 1 follows.
		for decode(t, m)["waiting"] != any(1.0) {
			m = late.next(on(e.topic("state/services/general")))
		}
	})
	t.Run("OKPresenceFromStatus", func(t *testing.T) {
		k.in(t).publish(e.topic("dev/kiosk-01/status"), []byte(`{"online":true,"fw":"2.1.0","config_version":1}`), true)
		ev := nextPresence(t, evs, "kiosk-01")
		want(t, "event", ev.Kind, queue.EvDeviceOnline)
		want(t, "fw", ev.FW, "2.1.0")
	})
	t.Run("ErrWrongSecret", func(t *testing.T) {
		if c, err := e.dial("kiosk-02", clientOpts{pass: "s-kiosk-01"}); err == nil {
			c.disconnect()
			t.Fatal("mosquitto let kiosk-02 in with kiosk-01's secret")
		}
	})
	t.Run("RefusedACL", func(t *testing.T) {
		// Mosquitto grants any subscription and checks read access on each
		// message, so refused here means never delivered.
		evil := e.connect("kiosk-01", clientOpts{clientID: "kiosk-01-evil", noSub: true}).in(t)
		evil.subscribe(e.topic("dev/kiosk-02/res"), e.topic("dev/+/res"), "#")
		evil.c.Publish(e.topic("dev/kiosk-02/req"), 1, false, []byte(`{"req_id":"evil","op":"ticket.take","service":"general"}`)).Wait()
		evil.c.Publish(e.topic("state/counters/1"), 1, true, []byte(`{"status":"serving"}`)).Wait()
		k2 := e.connect("kiosk-02").in(t)
		want(t, "kiosk-02's ticket after the forged request", k2.ok("ticket.take", map[string]any{"service": "general"})["number"], any("A002"))
		evil.ok("ticket.take", map[string]any{"service": "tax"}) // its own response comes after kiosk-02's
		for len(evil.msgs) > 0 {
			if m := <-evil.msgs; strings.Contains(m.Topic, "kiosk-02") {
				t.Errorf("kiosk-01 received %s", m.Topic)
			}
		}
		select {
		case r := <-evil.stray:
			t.Errorf("kiosk-01 received a response not its own: %s", r.raw)
		default:
		}
		late := e.connect("led-1", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/counters/1"))
		want(t, "counter 1", decode(t, late.next(on(e.topic("state/counters/1"))))["status"], any("closed"))
		// use_username_as_clientid: the second kiosk-01 login took the
		// first one's place; connect the kiosk again for what follows
		evil.disconnect()
		k = e.connect("kiosk-01")
	})
	t.Run("OKPendingCommandOnStatus", func(t *testing.T) {
		c := e.connect("caller-1").in(t)
		c.ok("counter.open", nil)
		serveOne(t, k, c)
		r := e.connect("rater-1").in(t) // not there when the prompt was sent first
		r.publish(e.topic("dev/rater-1/status"), []byte(`{"online":true}`), true)
		p := nextCmd(t, r)
		want(t, "op", p["op"], any("rate.prompt"))
	})
	t.Run("OKBrokerRestart", func(t *testing.T) {
		m.Stop()
		m.Start(t) // no persistence: every retained message is gone
		up := time.Now()
		w := e.connect("screen-01", clientOpts{noSub: true}).in(t)
		w.subscribe(e.topic("state/#"))
		// Republished once hallqd is back; wait for both topics, in either order,
		// so that a late subscriber below finds them retained.
		seen := map[string]msg{}
		for len(seen) < 2 {
			m := w.next(func(m msg) bool {
				return m.Topic == e.topic("state/counters/1") || m.Topic == e.topic("state/services/general")
			})
			seen[m.Topic] = m
		}
		// the probe measured 2.7-4.0 s; the target is under 1 s (printed, not asserted)
		t.Logf("hallqd reconnected and republished %v after Mosquitto was back", time.Since(up).Round(time.Millisecond))
		got := decode(t, seen[e.topic("state/counters/1")])
		want(t, "counter 1 republished", got["status"], any("open"))
		late := e.connect("led-1", clientOpts{noSub: true}).in(t)
		late.subscribe(e.topic("state/services/general"))
		s := late.next(on(e.topic("state/services/general")))
		want(t, "retained after restart", s.Retained, true)
		k := e.connect("kiosk-01").in(t) // hallqd subscribed again
		want(t, "take after restart", k.ok("ticket.take", map[string]any{"service": "general"})["number"], any("A004"))
		if err := e.srv.Ready(); err != nil {
			t.Errorf("Ready: %v", err)
		}
		cfg := e.connect("rater-1", clientOpts{noSub: true}).in(t)
		cfg.subscribe(e.topic("dev/rater-1/config"))
		if c := decode(t, cfg.next(on(e.topic("dev/rater-1/config")))); !strings.Contains(string(mustJSON(c)), `"version":1`) {
			t.Errorf("config after restart: %v", c)
		}
	})
}
