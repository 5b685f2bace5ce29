package hall

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/queue"
)

const alertYAML = `
hall: {id: t, name: {zh: 测试中心, en: Test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}, target_wait_min: 0.05}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
supervision: {red_factor: 2}
`

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestAlertsAreJournalledAndSurviveRestart: the writer raises an alert once
// its condition holds, journals it, and a restarted hall (snapshot or
// replay) has the same standing alert; clearing is journalled too.
func TestAlertsAreJournalledAndSurviveRestart(t *testing.T) {
	c, err := config.Parse("alert.yaml", []byte(alertYAML))
	if err != nil {
		t.Fatal(err)
	}
	sp := c.Spec()
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)}
	dir := t.TempDir()
	open := func() *Hall {
		h, err := Open(Config{Spec: sp, Journal: mustJournalAt(t, dir, sp), Clock: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := open()
	if rep := do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: "social"}); !rep.OK {
		t.Fatal(rep.Error)
	}
	clock.Add(3500 * time.Millisecond)
	sync := func(h *Hall) { h.Query(context.Background(), func(*queue.State) {}) } // a batch: the engine runs
	sync(h)
	al := h.View().Alerts
	if len(al) != 1 || al[0].Kind != queue.AlertWaitOverTarget || al[0].Level != queue.Yellow || al[0].ValueS != 3.5 {
		t.Fatalf("alerts = %+v", al)
	}
	id := al[0].ID
	h.Close()

	h = open()
	if got := h.View().Alerts; len(got) != 1 || got[0].ID != id || got[0].Level != queue.Yellow {
		t.Fatalf("after restart alerts = %+v", got)
	}
	clock.Add(3 * time.Second)
	sync(h)
	if got := h.View().Alerts; len(got) != 1 || got[0].ID != id || got[0].Level != queue.Red {
		t.Fatalf("not raised to red: %+v", got)
	}
	do(t, h, "u", "", queue.OpenCounter{Counter: "1"})
	do(t, h, "u", "", queue.CallNext{Counter: "1"})
	clock.Add(time.Second) // the rules run at most every alertEvery after batches, and on the tick
	sync(h)
	if got := h.View().Alerts; len(got) != 0 {
		t.Fatalf("not cleared after the call: %+v", got)
	}
	evs, err := h.EventsAfter(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []queue.Kind
	for _, e := range evs {
		if e.Alert != nil {
			if e.Alert.ID != id {
				t.Errorf("event %s has alert %s, want %s", e.Kind, e.Alert.ID, id)
			}
			kinds = append(kinds, e.Kind)
		}
	}
	if len(kinds) != 3 || kinds[0] != queue.EvAlertRaised || kinds[1] != queue.EvAlertUpdated || kinds[2] != queue.EvAlertCleared {
		t.Fatalf("journalled alert events = %v", kinds)
	}
	h.Close()
	h = open()
	defer h.Close()
	if got := h.View().Alerts; len(got) != 0 {
		t.Fatalf("cleared alert back after restart: %+v", got)
	}
}

// TestNoAlerts: with the engine off nothing is raised.
func TestNoAlerts(t *testing.T) {
	c, _ := config.Parse("alert.yaml", []byte(alertYAML))
	sp := c.Spec()
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)}
	h, err := Open(Config{Spec: sp, Journal: mustJournal(t, sp), Clock: clock.Now, NoAlerts: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: "social"})
	clock.Add(time.Hour)
	h.Query(context.Background(), func(*queue.State) {})
	if got := h.View().Alerts; len(got) != 0 {
		t.Fatalf("alerts with NoAlerts = %+v", got)
	}
}

// TestAlertMetrics: hallq_alerts follows the standing alerts and
// hallq_alerts_raised_total counts raises.
func TestAlertMetrics(t *testing.T) {
	c, _ := config.Parse("alert.yaml", []byte(alertYAML))
	sp := c.Spec()
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	value := func(name string, labels ...string) float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
		next:
			for _, pm := range mf.GetMetric() {
				for i, l := range pm.GetLabel() {
					if i >= len(labels) || l.GetValue() != labels[i] {
						continue next
					}
				}
				if pm.Gauge != nil {
					return pm.GetGauge().GetValue()
				}
				return pm.GetCounter().GetValue()
			}
		}
		return 0
	}
	h, err := Open(Config{Spec: sp, Journal: mustJournal(t, sp), Clock: clock.Now, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: "social"})
	clock.Add(4 * time.Second)
	h.Query(context.Background(), func(*queue.State) {})
	if got := value("hallq_alerts", queue.AlertWaitOverTarget, queue.Yellow); got != 1 {
		t.Errorf("hallq_alerts yellow = %v", got)
	}
	clock.Add(4 * time.Second)
	h.Query(context.Background(), func(*queue.State) {})
	if y, r := value("hallq_alerts", queue.AlertWaitOverTarget, queue.Yellow),
		value("hallq_alerts", queue.AlertWaitOverTarget, queue.Red); y != 0 || r != 1 {
		t.Errorf("hallq_alerts yellow %v red %v after raising to red", y, r)
	}
	if got := value("hallq_alerts_raised_total", queue.AlertWaitOverTarget); got != 1 {
		t.Errorf("hallq_alerts_raised_total = %v", got)
	}
}
