package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// startE2EWith starts hallqd with the demo hall changed by edit.
func startE2EWith(t *testing.T, edit func(*config.Config)) *e2eDaemon {
	t.Helper()
	cfg := config.Demo()
	cfg.Listen.HTTP = "127.0.0.1:0"
	cfg.Listen.MQTT = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	cfg.Storage.Dir = t.TempDir()
	edit(cfg)
	m := &Main{Config: cfg, Log: zerolog.Nop()}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Run(ctx); err != nil {
		cancel()
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := m.Close(); err != nil {
			t.Errorf("close hallqd: %v", err)
		}
	})
	return &e2eDaemon{m: m, base: "http://" + m.HTTPAddr}
}

// rawServerText are fragments of server messages and ids a citizen or clerk
// must never read.
var rawServerText = []string{"quota", "exhausted", "closed now", "counter ", "is closed", "Failed to fetch", "queue", "tax", "general", "2026"}

func noRawText(t *testing.T, where, got string) {
	t.Helper()
	for _, raw := range rawServerText {
		if strings.Contains(got, raw) {
			t.Errorf("%s shows %q, which holds server text or an id (%q)", where, got, raw)
		}
	}
}

// TestBrowserKioskErrors: the kiosk marks a sold-out service before anyone
// taps it, says what to do in each language when it is tapped, and says
// "no wait" only while a counter serving the service is free.
func TestBrowserKioskErrors(t *testing.T) {
	d := startE2EWith(t, func(c *config.Config) {
		for i := range c.Services {
			if c.Services[i].ID == "tax" {
				c.Services[i].DailyQuota = 1
			}
		}
	})
	browser := testenv.StartChromium(t)
	kiosk := openTab(t, browser, "kiosk", d.base+"/kiosk#device=kiosk-01&token=demo-kiosk-01", 1080, 1920, false)
	kiosk.until("tiles", jsAttr("kiosk-service-tax", "available")+` === 'true'`)

	// Nobody waits for social, but no counter is open: not "无需等候".
	kiosk.until("nobody ahead, no free counter", jsText("kiosk-service-social-est")+` === '前面无人等候'`)
	c, csrf := d.login(t, "s03", "demo-s03")
	for _, op := range []string{"signin", "ops/counter.open"} {
		if r := d.call(t, c, "POST", demoHall+"/counters/3/"+op, csrf, `{}`); !r.OK {
			t.Fatalf("%s: %v", op, r)
		}
	}
	kiosk.until("no wait once counter 3 (social) is open", jsText("kiosk-service-social-est")+` === '无需等候'`)

	// The last tax ticket: the tile turns sold out at once, before a tap.
	kiosk.click("kiosk-service-tax")
	kiosk.do(chromedp.WaitVisible(testid("kiosk-ticket")))
	kiosk.click("kiosk-done")
	kiosk.until("sold out shown before a tap", jsAttr("kiosk-service-tax", "available")+` === 'false' && `+
		jsText("kiosk-service-tax-est")+` === '今日号源已满'`)
	kiosk.do(chromedp.Click(testid("kiosk-service-tax")), chromedp.WaitVisible(testid("kiosk-error")))
	got := evalIn[string](kiosk, jsText("kiosk-error-text"))
	if got != "今日号源已满，请明日再来或咨询导办台" {
		t.Errorf("kiosk error = %q", got)
	}
	noRawText(t, "kiosk (zh)", got)
	kiosk.click("kiosk-error-close")
	kiosk.click("lang-toggle")
	kiosk.do(chromedp.Click(testid("kiosk-service-tax")), chromedp.WaitVisible(testid("kiosk-error")))
	got = evalIn[string](kiosk, jsText("kiosk-error-text"))
	if !strings.Contains(got, "come back tomorrow") {
		t.Errorf("kiosk error in English = %q", got)
	}
	noRawText(t, "kiosk (en)", got)
	kiosk.shot(t.TempDir(), "kiosk-sold-out.png")

	// The server refuses the same way (the tile is not just decoration).
	r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, `{"service":"tax"}`)
	wantStatus(t, "tax after its quota", r, 409, "quota_exhausted")
}

// TestBrowserKioskClosedNow: outside opening hours every service shows as
// closed on the kiosk before anyone taps it.
func TestBrowserKioskClosedNow(t *testing.T) {
	d := startE2EWith(t, func(c *config.Config) {
		open, close := "20:00", "21:00"
		if h := time.Now().In(mustLoc(t, "Asia/Shanghai")).Hour(); h >= 19 && h <= 21 {
			open, close = "03:00", "04:00"
		}
		c.Hall.Hours = []config.Hours{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Open: open, Close: close}}
	})
	browser := testenv.StartChromium(t)
	kiosk := openTab(t, browser, "kiosk", d.base+"/kiosk#device=kiosk-01&token=demo-kiosk-01", 1080, 1920, false)
	kiosk.until("closed shown before a tap", jsAttr("kiosk-service-general", "available")+` === 'false' && `+
		jsText("kiosk-service-general-est")+` === '当前不在办理时间'`)
	kiosk.do(chromedp.Click(testid("kiosk-service-general")), chromedp.WaitVisible(testid("kiosk-error")))
	got := evalIn[string](kiosk, jsText("kiosk-error-text"))
	if !strings.HasPrefix(got, "该业务现在不在办理时间") {
		t.Errorf("kiosk error = %q", got)
	}
	noRawText(t, "kiosk", got)
}

// TestBrowserConsoleErrorsAndEndOfCall: the console says what to do for an
// error code, and 叫下一位 while the citizen is called but not started asks,
// with one key, 过号 or 已办结.
func TestBrowserConsoleErrorsAndEndOfCall(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	console := openTab(t, browser, "console", d.base+"/console", 1366, 768, false)
	console.do(chromedp.WaitVisible(testid("console-login")),
		chromedp.SendKeys(testid("console-username"), "s01"),
		chromedp.SendKeys(testid("console-password"), "demo-s01"))
	console.click("console-login-submit")
	console.click("console-pick-1")
	console.click("console-call-next") // closed counter
	console.until("counter closed error", jsText("console-error-text")+` !== ''`)
	got := evalIn[string](console, jsText("console-error-text"))
	if !strings.Contains(got, "窗口未开启，请先点“开窗”") {
		t.Errorf("console error = %q", got)
	}
	noRawText(t, "console", got)
	console.click("console-open")
	console.until("counter open", jsAttr("console-counter-status", "status")+` === 'open'`)
	console.click("console-call-next") // nobody waiting
	console.until("queue empty error", jsText("console-error-text")+`.includes('当前没有等候的群众')`)
	noRawText(t, "console", evalIn[string](console, jsText("console-error-text")))

	kiosk := map[string]string{"Authorization": demoKiosk}
	for i := 0; i < 3; i++ {
		if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, takeGeneral); !r.OK {
			t.Fatal(r)
		}
	}
	console.click("console-call-next")
	console.until("A001 called", jsText("console-current")+` === 'A001'`)
	// N: called, not started → the choice; X: 过号.
	console.until("console idle", idleConsole)
	console.do(chromedp.KeyEvent("n"))
	console.do(chromedp.WaitVisible(testid("console-end-noshow")))
	console.do(chromedp.KeyEvent("x"))
	console.until("A002 called after A001's no-show", jsText("console-current")+` === 'A002'`)
	// F: 已办结.
	console.until("console idle", idleConsole)
	console.do(chromedp.KeyEvent("n"))
	console.do(chromedp.WaitVisible(testid("console-end-done")))
	console.do(chromedp.KeyEvent("f"))
	console.until("A003 called after A002 done", jsText("console-current")+` === 'A003'`)
	// Esc: nothing happens.
	console.until("console idle", idleConsole)
	console.do(chromedp.KeyEvent("n"))
	console.do(chromedp.WaitVisible(testid("console-end-done")))
	console.do(chromedp.KeyEvent(kb.Escape))
	console.until("dialog closed", `document.querySelector('[data-testid="console-dialog"]').hidden`)
	if got := evalIn[string](console, jsText("console-current")); got != "A003" {
		t.Errorf("after Esc the current ticket is %q, want A003", got)
	}
	states := map[string]string{}
	for _, n := range []string{"A001", "A002", "A003"} {
		states[n] = ticketStatus(t, d, n)
	}
	if states["A001"] != "no_show" || states["A002"] != "done" || states["A003"] != "called" {
		t.Errorf("tickets = %v, want A001 no_show, A002 done, A003 called", states)
	}
}

// idleConsole holds when the console takes the next key (no op in flight).
const idleConsole = `!document.querySelector('[data-testid="console-call-next"]').disabled`

// ticketStatus is a ticket's status by today's number.
func ticketStatus(t *testing.T, d *e2eDaemon, number string) string {
	t.Helper()
	r := d.call(t, nil, "GET", demoHall+"/tickets/"+number, nil, "")
	if !r.OK {
		return ""
	}
	var v struct {
		Status string `json:"status"`
	}
	jsonUnmarshal(r.Result, &v)
	return v.Status
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func jsonUnmarshal(b []byte, v any) { _ = json.Unmarshal(b, v) }
