package main

// End-to-end tests of 电子监察 on a whole hallqd: the supervisor stream's
// access rule, the alerts API, and the supervisor screen in Chromium showing
// an alert appear, turn red and clear.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// startSupervised starts the demo hall with tiny alert thresholds: general's
// target wait is 0.02 min (1.2 s), a pause alerts after 1 s.
func startSupervised(t *testing.T) *e2eDaemon {
	t.Helper()
	return startE2EWith(t, func(cfg *config.Config) {
		for i := range cfg.Services {
			if cfg.Services[i].ID == "general" {
				cfg.Services[i].TargetWaitMin = 0.02
			}
		}
		cfg.Supervision.LongPauseS = 1
	})
}

// alertsOf reads GET …/alerts with client c.
func alertsOf(t *testing.T, d *e2eDaemon, c *http.Client) []map[string]any {
	t.Helper()
	r := d.call(t, c, "GET", demoHall+"/alerts", nil, "")
	if !r.OK {
		t.Fatalf("alerts: %v", r)
	}
	var res struct {
		Alerts []map[string]any `json:"alerts"`
	}
	json.Unmarshal(r.Result, &res)
	return res.Alerts
}

// TestE2ESupervisorStream: ?view=supervisor needs a supervisor's session;
// with one, the snapshot has state.alerts and the alert events come in full,
// while the public stream gets {"kind":"restricted"} at the same seq.
func TestE2ESupervisorStream(t *testing.T) {
	d := startSupervised(t)
	wsURL := "ws" + strings.TrimPrefix(d.base, "http") + "/ws/v1/halls/demo"
	for who, status := range map[string]int{"": http.StatusUnauthorized, "s01": http.StatusForbidden} {
		hdr := http.Header{}
		if who != "" {
			c, _ := d.login(t, who, "demo-"+who)
			req, _ := http.NewRequest("GET", d.base, nil)
			for _, ck := range c.Jar.Cookies(req.URL) {
				hdr.Add("Cookie", ck.Name+"="+ck.Value)
			}
		}
		_, resp, err := websocket.DefaultDialer.Dial(wsURL+"?view=supervisor", hdr)
		if err == nil || resp == nil || resp.StatusCode != status {
			t.Errorf("supervisor view as %q: %v %v, want %d", who, err, resp, status)
		}
	}
	hdr := http.Header{"Cookie": {"hallq_session=forged"}}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL+"?view=supervisor", hdr); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("supervisor view with a forged session: %v %v, want 401", err, resp)
	}
	if r := d.call(t, nil, "GET", demoHall+"/alerts", nil, ""); r.status != 401 {
		t.Errorf("alerts without a session: %v", r)
	}
	super, _ := d.login(t, "super", "demo-super")
	req, _ := http.NewRequest("GET", d.base, nil)
	hdr = http.Header{}
	for _, ck := range super.Jar.Cookies(req.URL) {
		hdr.Add("Cookie", ck.Name+"="+ck.Value)
	}
	sup, _, err := websocket.DefaultDialer.Dial(wsURL+"?view=supervisor", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer sup.Close()
	pub, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	read := func(c *websocket.Conn) map[string]any {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ss, ps := read(sup), read(pub)
	if _, ok := ss["state"].(map[string]any)["alerts"].([]any); !ok {
		t.Fatalf("supervisor snapshot without alerts: %v", ss["state"])
	}
	if _, ok := ps["state"].(map[string]any)["alerts"]; ok {
		t.Fatal("public snapshot has alerts")
	}
	if r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, takeGeneral); !r.OK {
		t.Fatal(r)
	}
	// The writer raises wait_over_target within 2 s of 1.2 s passing.
	var raised map[string]any
	for raised == nil {
		m := read(sup)
		if ev := m["event"].(map[string]any); ev["kind"] == "alert.raised" {
			raised = m
		}
	}
	al := raised["event"].(map[string]any)["alert"].(map[string]any)
	if al["kind"] != "wait_over_target" || al["service"] != "general" || al["counter"] != nil || al["case_id"] != nil {
		t.Fatalf("raised alert = %v", al)
	}
	for {
		m := read(pub)
		if m["seq"] == raised["seq"] {
			if ev := m["event"].(map[string]any); len(ev) != 1 || ev["kind"] != "restricted" {
				t.Fatalf("public message at the alert's seq: %v", m)
			}
			break
		}
		if ev := m["event"].(map[string]any); strings.HasPrefix(fmt.Sprint(ev["kind"]), "alert.") || ev["alert"] != nil {
			t.Fatalf("public stream carried an alert: %v", m)
		}
	}
	if got := alertsOf(t, d, super); len(got) != 1 || got[0]["id"] != al["id"] {
		t.Fatalf("GET alerts = %v", got)
	}
}

// TestBrowserSupervisor: the supervisor logs in on the 电子监察 screen; a
// ticket waiting past general's target raises an alert on the board, it
// turns red (the screen blinks), the staffing advice asks for counters, and
// calling the ticket clears it. Screenshot: supervisor.png.
func TestBrowserSupervisor(t *testing.T) {
	d := startSupervised(t)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sv := openTab(t, browser, "supervisor", d.base+"/supervisor?mute=1", 1920, 1080, false)
	sv.until("public view", `document.body.dataset.view === 'public' && window.hallqStream && window.hallqStream.status === 'open'`)
	sv.click("sv-login-open")
	sv.do(chromedp.SendKeys(testid("sv-username"), "super"), chromedp.SendKeys(testid("sv-password"), "demo-super"))
	sv.click("sv-login-submit")
	sv.until("supervisor view", `document.body.dataset.view === 'supervisor' && window.hallqStream && window.hallqStream.status === 'open'`)
	sv.until("no alerts yet", `!!document.querySelector('[data-testid="alert-none"]')`)

	kiosk := map[string]string{"Authorization": demoKiosk}
	if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, takeGeneral); !r.OK {
		t.Fatal(r)
	}
	card := `document.querySelector('[data-kind="wait_over_target"]')`
	sv.until("wait alert on the board", card+` && `+card+`.textContent.includes('综合')`)
	sv.until("alert raised to red, screen blinked", card+`.dataset.level === 'red' && window.hallqSupervisor.blinks > 0`)

	// A busier board for the screenshot: counter 7 paused (long_pause after
	// 1 s), counter 2 serving, more tickets waiting.
	for _, svc := range []string{"social", "social", "medical", "tax", "general"} {
		if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, fmt.Sprintf(`{"service":%q}`, svc)); !r.OK {
			t.Fatal(r)
		}
	}
	for ctr, ops := range map[string][]string{"7": {"signin", "ops/counter.open", "ops/counter.pause"}, "2": {"signin", "ops/counter.open", "ops/call.next"}} {
		c, csrf := d.login(t, "s0"+ctr, "demo-s0"+ctr)
		for _, op := range ops {
			if r := d.call(t, c, "POST", demoHall+"/counters/"+ctr+"/"+op, csrf, `{}`); !r.OK {
				t.Fatalf("counter %s %s: %v", ctr, op, r)
			}
		}
	}
	sv.until("pause alert", `!!document.querySelector('[data-kind="long_pause"]') && `+jsAttr("counter-7", "alert")+` !== ''`)
	sv.until("counter 7 timer runs", jsText("counter-7-timer")+` !== ''`)
	sv.until("staffing advice", `!!document.querySelector('[data-testid="staffing"] .sv-adv') && `+
		`document.querySelector('[data-testid="staffing"]').textContent.includes('需再开')`)
	sv.until("alert ages shown", `[...document.querySelectorAll('[data-testid="alert-board"] .age')].every(n => n.textContent.includes('已持续'))`)
	sv.shot(shots, "supervisor.png")

	// Counter 2 called one general ticket; counter 1 calls the other: no
	// general ticket waits any more.
	c, csrf := d.login(t, "s01", "demo-s01")
	for _, op := range []string{"signin", "ops/counter.open", "ops/call.next"} {
		if r := d.call(t, c, "POST", demoHall+"/counters/1/"+op, csrf, `{}`); !r.OK {
			t.Fatalf("counter 1 %s: %v", op, r)
		}
	}
	sv.until("wait alert cleared", `![...document.querySelectorAll('[data-kind="wait_over_target"]')].some(n => n.textContent.includes('综合受理'))`)
	super, _ := d.login(t, "super", "demo-super")
	for _, a := range alertsOf(t, d, super) {
		if a["kind"] == "wait_over_target" && a["service"] == "general" {
			t.Fatalf("general's alert still stands: %v", a)
		}
	}
}

// TestBrowserSupervisorSystemHealth: a /readyz warning (here storage.dir
// below limits.storage_min_free_mb, set beyond any disk) is shown in the
// supervisor's alert strip, named in Chinese, while /readyz stays 200.
func TestBrowserSupervisorSystemHealth(t *testing.T) {
	d := startE2EWith(t, func(cfg *config.Config) { cfg.Limits.StorageMinFreeMB = 1 << 40 })
	r := d.call(t, nil, "GET", "/readyz", nil, "")
	if r.status != http.StatusOK {
		t.Fatalf("/readyz with little disk: %v, want 200 (a warning)", r)
	}
	browser := testenv.StartChromium(t)
	sv := openTab(t, browser, "supervisor", d.base+"/supervisor?mute=1", 1920, 1080, false)
	sv.until("disk warning in the alert strip", jsText("alert-system-disk")+`.includes('磁盘空间') && `+
		jsText("alert-system-disk")+`.includes('storage_min_free_mb')`)
}
