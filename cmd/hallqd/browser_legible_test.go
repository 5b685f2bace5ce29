package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// jsFontPx is a JavaScript expression for the font size in px of a data-testid.
func jsFontPx(id string) string {
	return `parseFloat(getComputedStyle(document.querySelector('[data-testid="` + id + `"]')).fontSize)`
}

// noHorizontalScroll holds when a page is no wider than its viewport.
const noHorizontalScroll = `document.documentElement.scrollWidth <= window.innerWidth + 1`

// shotDir is where screenshots go: HALLQ_SCREENSHOTS (docs/screenshots is
// made that way) besides the test's temp dir.
func shotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return t.TempDir()
}

// legibleHallScreen checks sizes on a hall screen showing a busy hall:
// ticket and window numbers large, waiting counts and estimated waits at
// least a third of the now-calling number, no service row cut off.
func legibleHallScreen(t *testing.T, hs *browserTab, minTicketPx float64) {
	t.Helper()
	now := evalIn[float64](hs, jsFontPx("latest-call-ticket"))
	if now < 120 {
		t.Errorf("%s: the now-calling number is %.0f px, want ≥ 120", hs.name, now)
	}
	for _, id := range []string{"counter-1-ticket", "counter-8-ticket"} {
		if px := evalIn[float64](hs, jsFontPx(id)); px < minTicketPx {
			t.Errorf("%s: %s is %.0f px, want ≥ %.0f", hs.name, id, px, minTicketPx)
		}
	}
	if px := evalIn[float64](hs, `parseFloat(getComputedStyle(document.querySelector('.hs-tile-name')).fontSize)`); px < minTicketPx/2 {
		t.Errorf("%s: window names are %.0f px, want ≥ %.0f", hs.name, px, minTicketPx/2)
	}
	for _, svc := range []string{"general", "social", "medical", "housing-fund", "real-estate", "tax"} {
		for _, part := range []string{"waiting", "est"} {
			id := "service-" + svc + "-" + part
			if px := evalIn[float64](hs, jsFontPx(id)); px < now/3-0.5 {
				t.Errorf("%s: %s is %.0f px, want ≥ a third of the %.0f px number", hs.name, id, px, now)
			}
		}
	}
	cut := evalIn[int](hs, `(() => { const box = document.querySelector('[data-testid="services"]').getBoundingClientRect();
	  return Array.from(document.querySelectorAll('.hs-svc')).filter((r) => !r.hidden && r.getBoundingClientRect().bottom > box.bottom + 1).length; })()`)
	if cut > 0 {
		t.Errorf("%s: %d service rows cut off at the bottom", hs.name, cut)
	}
}

// TestBrowserLegibleAtHallSizes renders the pages at the sizes halls use
// (hall screen 1920x1080 and 1080x1920, kiosk 1080x1920 and landscape,
// console 1366x768, phone 390x844) and checks what a person 5-10 m away, at
// a touch screen or on a phone needs; with HALLQ_SCREENSHOTS it writes the
// docs' screenshots.
func TestBrowserLegibleAtHallSizes(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	shots := shotDir(t)

	land := openTab(t, browser, "hall screen 1920x1080", d.base+"/screen/hall", 1920, 1080, false)
	land.until("connected", jsAttr("conn-status", "state")+` === 'open'`)
	// No recent calls yet: the services take their room, all on one page.
	land.until("all services on one page", `document.querySelectorAll('.hs-svc:not([hidden])').length === 6 && `+jsText("services-page")+` === ''`)

	busyHall(t, d)
	portrait := openTab(t, browser, "hall screen 1080x1920", d.base+"/screen/hall", 1080, 1920, false)
	for _, hs := range []*browserTab{land, portrait} {
		hs.until("busy hall shown", jsText("counter-8-ticket")+` !== '' && `+jsAttr("counter-7", "status")+` === 'paused'`)
		hs.until("calls no longer flashing", `document.querySelectorAll('[data-testid="counters"] .flash').length === 0`)
	}
	legibleHallScreen(t, land, 60)
	legibleHallScreen(t, portrait, 60)
	land.shot(shots, "hall-screen.png")
	portrait.shot(shots, "hall-screen-portrait.png")

	// The call flash swaps between two colourings; it never passes through a third (grey).
	land.do(chromedp.Evaluate[chromedp.Void](`(() => {
	  window.__flash = new Set(); window.__flashDone = false;
	  const tile = () => document.querySelector('[data-testid="counter-2"]');
	  const tick = setInterval(() => {
	    const t = tile();
	    if (t.classList.contains('flash')) { window.__flash.add(getComputedStyle(t).backgroundColor); }
	    if (window.__flash.size >= 2 && !t.classList.contains('flash') || window.__flash.size > 2) { clearInterval(tick); window.__flashDone = true; }
	  }, 23);
	})()`))
	c2, csrf2 := d.login(t, "s02", "demo-s02")
	for _, op := range []string{"signin", "ops/call.next"} {
		if r := d.call(t, c2, "POST", demoHall+"/counters/2/"+op, csrf2, `{}`); !r.OK {
			t.Fatalf("counter 2 %s: %v", op, r)
		}
	}
	land.until("flash sampled", `window.__flashDone`)
	if colours := evalIn[[]string](land, `Array.from(window.__flash)`); len(colours) != 2 {
		t.Errorf("the call flash showed %d background colours %v, want a hard swap between 2", len(colours), colours)
	}

	// The kiosk at 1080x1920 and the console at 1366x768, the ticket page on a phone.
	kiosk := openTab(t, browser, "kiosk 1080x1920", d.base+"/kiosk#device=kiosk-01&token=demo-kiosk-01", 1080, 1920, false)
	kiosk.until("tiles", jsAttr("kiosk-service-general", "available")+` !== ''`)
	kiosk.until("no horizontal scroll", noHorizontalScroll)
	kiosk.shot(shots, "kiosk.png")
	console := openTab(t, browser, "console 1366x768", d.base+"/console", 1366, 768, false)
	console.do(chromedp.WaitVisible(testid("console-login")),
		chromedp.SendKeys(testid("console-username"), "s01"),
		chromedp.SendKeys(testid("console-password"), "demo-s01"))
	console.click("console-login-submit")
	console.click("console-pick-1")
	console.click("console-open")
	console.until("counter open", jsAttr("console-counter-status", "status")+` === 'open'`)
	console.until("call button on screen, no horizontal scroll", noHorizontalScroll+` && `+
		`document.querySelector('[data-testid="console-call-next"]').getBoundingClientRect().bottom <= window.innerHeight`)
	console.shot(shots, "console.png")
	phone := openTab(t, browser, "ticket page 390x844", d.base+"/t/A001", 390, 844, true)
	phone.until("ticket shown", jsText("ticket-number")+` === 'A001'`)
	phone.until("no horizontal scroll", noHorizontalScroll)
	if px := evalIn[float64](phone, jsFontPx("ticket-number")); px < 40 {
		t.Errorf("phone: the ticket number is %.0f px, want ≥ 40", px)
	}
	phone.shot(shots, "ticket.png")
	counter := openTab(t, browser, "counter screen", d.base+"/screen/counter/5", 1920, 1080, false)
	counter.until("staff card", jsText("counter-staff-name")+` !== ''`)
	counter.shot(shots, "counter-screen.png")
}

// TestBrowserKiosk22Services: the large hall's 22 services on the kiosk in
// portrait (1080x1920), with a visible cue while more are below, and in
// landscape.
func TestBrowserKiosk22Services(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "examples", "large-hall.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen.HTTP = "127.0.0.1:0"
	cfg.Listen.MQTT = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	cfg.Storage.Dir = t.TempDir()
	cfg.Hall.Hours = nil // open whatever the time of the test
	m := &Main{Config: cfg, Log: zerolog.Nop()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.HTTPAddr
	browser := testenv.StartChromium(t)
	shots := shotDir(t)
	url := base + "/kiosk#device=kiosk-01&token=example-kiosk-01"
	for _, size := range []struct {
		name string
		w, h int64
	}{{"portrait", 1080, 1920}, {"landscape", 1920, 1080}} {
		k := openTab(t, browser, "kiosk "+size.name, url, size.w, size.h, false)
		k.until("22 services", `document.querySelectorAll('[data-testid="kiosk-services"] .ko-tile').length === 22`)
		k.until("no horizontal scroll", noHorizontalScroll)
		if px := evalIn[float64](k, `Math.min(...Array.from(document.querySelectorAll('.ko-tile-name')).map((n) => parseFloat(getComputedStyle(n).fontSize)))`); px < 30 {
			t.Errorf("%s: service names are %.0f px, want ≥ 30", k.name, px)
		}
		overlap := evalIn[bool](k, `(() => { const r = Array.from(document.querySelectorAll('.ko-tile')).map((e) => e.getBoundingClientRect());
		  return r.some((a, i) => r.some((b, j) => i < j && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)); })()`)
		if overlap {
			t.Errorf("%s: service tiles overlap", k.name)
		}
		more := evalIn[bool](k, `(() => { const l = document.querySelector('[data-testid="kiosk-services"]'); return l.scrollHeight > l.clientHeight + 4; })()`)
		if more {
			k.until("scroll cue shown", `(() => { const c = document.querySelector('[data-testid="kiosk-scroll-cue"]'); return !!c && !c.hidden && c.getBoundingClientRect().bottom <= window.innerHeight; })()`)
			k.shot(shots, "kiosk-22-"+size.name+".png")
			k.do(chromedp.Evaluate[chromedp.Void](`(() => { const l = document.querySelector('[data-testid="kiosk-services"]'); l.scrollTop = l.scrollHeight; })()`))
			k.until("cue gone at the bottom, last service on screen", `document.querySelector('[data-testid="kiosk-scroll-cue"]').hidden && `+
				`(() => { const ts = document.querySelectorAll('.ko-tile'); const b = ts[ts.length - 1].getBoundingClientRect(); return b.bottom <= window.innerHeight && b.top >= 0; })()`)
		} else {
			k.shot(shots, "kiosk-22-"+size.name+".png")
		}
	}
}

// TestBrowserHallScreenSaysStreamDown: when hallqd goes away the hall screen
// says so plainly instead of showing the old numbers as if live.
func TestBrowserHallScreenSaysStreamDown(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	hs := openTab(t, browser, "hall screen", d.base+"/screen/hall", 1920, 1080, false)
	hs.until("connected", jsAttr("conn-status", "state")+` === 'open'`)
	kiosk := openTab(t, browser, "kiosk", d.base+"/kiosk#device=kiosk-01&token=demo-kiosk-01", 1080, 1920, false)
	kiosk.until("tiles", jsAttr("kiosk-service-general", "available")+` === 'true'`)
	if evalIn[bool](hs, `!document.querySelector('[data-testid="stream-down"]').hidden`) {
		t.Fatal("stream-down banner shown while connected")
	}
	if err := d.m.Close(); err != nil {
		t.Fatal(err)
	}
	hs.until("stream down said plainly", `!document.querySelector('[data-testid="stream-down"]').hidden && `+
		`document.body.classList.contains('stale') && `+jsText("stream-down-text")+`.includes('连接中断')`)
	hs.shot(shotDir(t), "hall-screen-offline.png")

	// The kiosk without its server: its own words, not "Failed to fetch".
	kiosk.do(chromedp.Click(testid("kiosk-service-general")), chromedp.WaitVisible(testid("kiosk-error")))
	if got := evalIn[string](kiosk, jsText("kiosk-error-text")); got != "取号机网络中断，请稍后再试或咨询导办台" {
		t.Errorf("kiosk without its server says %q", got)
	}
}
