package main

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hallq/hallq/internal/testenv"
)

// TestBrowserFleet drives the fleet page (设备与固件) in Chromium against a
// real hallqd: a staff login is refused, the admin sees every device with
// its firmware and config drift, filters work, and a rollout's progress bar,
// halt and rollback follow a device over MQTT (CONTRACT §6).
func TestBrowserFleet(t *testing.T) {
	d := startFirmwareDemo(t)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
	}
	admin, csrf := d.login(t, "admin", "demo-admin")
	wantStatus(t, "PUT 1.0.0", d.call(t, admin, "PUT", demoHall+"/firmware/images/caller/1.0.0", csrf, "old image"), 200, "")
	wantStatus(t, "PUT 1.1.0", d.call(t, admin, "PUT", demoHall+"/firmware/images/caller/1.1.0", csrf, "new image"), 200, "")
	dev, _ := deviceClient(t, d, "caller-1", "demo-caller-1", "hallq/v1/demo/dev/caller-1/firmware")
	status := func(payload string) {
		if tok := dev.Publish("hallq/v1/demo/dev/caller-1/status", 1, true, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish status: %v", tok.Error())
		}
	}
	status(`{"online":true,"fw":"1.0.0","fw_state":"idle","config_version":0}`)

	page := openTab(t, browser, "fleet", d.base+"/fleet", 1600, 1000, false)
	page.until("login shown", `document.body.dataset.view === 'login'`)
	page.do(chromedp.SendKeys(testid("fleet-username"), "s01"), chromedp.SendKeys(testid("fleet-password"), "demo-s01"))
	page.click("fleet-login-submit")
	page.until("staff refused", `!document.querySelector('[data-testid="fleet-login-error"]').hidden && document.body.dataset.view === 'login'`)
	page.do(chromedp.Evaluate[chromedp.Void](`for (const f of ['fleet-username', 'fleet-password']) document.querySelector('[data-testid="' + f + '"]').value = ''`),
		chromedp.SendKeys(testid("fleet-username"), "admin"), chromedp.SendKeys(testid("fleet-password"), "demo-admin"))
	page.click("fleet-login-submit")
	page.until("devices listed", `document.body.dataset.view === 'main' && document.querySelectorAll('[data-testid="devices"] tr').length === `+
		itoaT(len(d.m.Config.Devices)))
	page.until("caller-1 online on 1.0.0 with config drift", jsAttr("dev-caller-1", "online")+` === 'true' && `+
		jsText("dev-caller-1-fw")+` === '1.0.0' && `+jsAttr("dev-caller-1", "drift")+` === 'true'`)
	if got := evalIn[string](page, jsAttr("dev-caller-2", "online")); got != "false" {
		t.Errorf("caller-2 online = %q, want false", got)
	}

	// Filters: callers only, then online only, then text.
	page.do(chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('[data-testid="filter-kind"]'); f.value = 'caller'; f.dispatchEvent(new Event('change')); })()`))
	page.until("callers only", `[...document.querySelectorAll('[data-testid="devices"] tr')].every(r => r.dataset.testid.startsWith('dev-caller-'))`)
	page.do(chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('[data-testid="filter-status"]'); f.value = 'online'; f.dispatchEvent(new Event('change')); })()`))
	page.until("online callers only", `document.querySelectorAll('[data-testid="devices"] tr').length === 1 && !!document.querySelector('[data-testid="dev-caller-1"]')`)

	// A rollout: caller-1, the only caller online, is its canary.
	r := d.call(t, admin, "POST", demoHall+"/firmware/rollouts", csrf, `{"kind":"caller","version":"1.1.0","canary_percent":1,"soak_s":3600,"max_failures":0}`)
	if !r.OK {
		t.Fatalf("rollout: %v", r)
	}
	page.until("rollout shown in canary", jsAttr("rollout-fw-1", "state")+` === 'canary' && `+jsAttr("rollout-fw-1-progress", "updated")+` === '0'`)
	status(`{"online":true,"fw":"1.0.0","fw_state":"downloading","config_version":1}`)
	page.until("caller-1 downloading", jsAttr("dev-caller-1", "fwState")+` === 'downloading' && `+jsAttr("dev-caller-1", "drift")+` === 'false'`)
	status(`{"online":true,"fw":"1.1.0","fw_state":"idle","config_version":1}`)
	page.until("progress 1", jsAttr("rollout-fw-1-progress", "updated")+` === '1' && `+jsText("dev-caller-1-fw")+` === '1.1.0'`)
	page.shot(shots, "fleet.png")
	page.click("rollout-fw-1-halt")
	page.until("halted", jsAttr("rollout-fw-1", "state")+` === 'halted'`)
	page.click("rollout-fw-1-rollback")
	page.until("rolled back", jsAttr("rollout-fw-1", "state")+` === 'rolled_back' && `+
		`document.querySelector('[data-testid="rollout-fw-1-rollback"]').disabled`)
	page.until("caller-1 offered 1.0.0 again", jsText("dev-caller-1-fw")+`.includes('1.0.0')`)
	page.click("lang-toggle")
	page.until("English", jsText("rollout-fw-1-state")+` === 'Rolled back'`)
}

func itoaT(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoaT(n/10) + string(rune('0'+n%10))
}
