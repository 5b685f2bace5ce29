package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// bookNow books a slot of service around now through the demo booking
// integration and returns its code: the slot started this minute, so the
// code checks in at once.
func bookNow(t *testing.T, d *e2eDaemon, service string) string {
	t.Helper()
	sp := d.m.Config.Spec()
	now := time.Now().In(sp.Location)
	end := "24:00"
	if now.Hour() < 23 {
		end = now.Add(30 * time.Minute).Format("15:04")
	}
	body := fmt.Sprintf(`{"service":%q,"date":%q,"start":%q,"end":%q}`, service, now.Format("2006-01-02"), now.Format("15:04"), end)
	r := d.call(t, nil, "POST", demoHall+"/appointments", map[string]string{"Authorization": "Bearer demo-booking:demo-booking-token"}, body)
	if !r.OK {
		t.Fatalf("book: %v", r)
	}
	var b struct {
		Code string `json:"code"`
	}
	json.Unmarshal(r.Result, &b)
	if len(b.Code) != 8 {
		t.Fatalf("booking code %q", b.Code)
	}
	return b.Code
}

// TestBrowserAppointmentsAndCases runs issue 13's pages against a real
// hallqd: the kiosk's 办事指南 and an appointment check-in typed on its
// keypad, the console's finish with a case kind and the promised date it
// shows, the citizen's ticket page, the case lookup page and the guide screen.
func TestBrowserAppointmentsAndCases(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	code := bookNow(t, d, "social")

	// The kiosk, portrait 1080x1920: the 办事指南 of a service.
	kiosk := openTab(t, browser, "kiosk", d.base+"/kiosk#device=kiosk-01&token=demo-kiosk-01", 1080, 1920, false)
	kiosk.click("kiosk-guide-social")
	kiosk.until("guide shown", `!document.querySelector('[data-testid="kiosk-guide"]').hidden && `+
		jsAttr("kiosk-guide", "service")+` === 'social'`)
	if got := evalIn[string](kiosk, jsText("kiosk-guide-title")); got != "社会保险" {
		t.Errorf("guide title = %q", got)
	}
	for _, part := range []string{"items", "procedure", "materials", "time_limit", "fees", "phone"} {
		kiosk.until("guide part "+part, `!!document.querySelector('[data-testid="kiosk-guide-`+part+`"]')`)
	}
	if got := evalIn[string](kiosk, jsText("kiosk-guide-time_limit")); !strings.Contains(got, "5 个工作日") {
		t.Errorf("time limit does not show the promise days: %q", got)
	}
	// readable in portrait: body text at least 30 px, the overlay fills the screen
	if px := evalIn[float64](kiosk, `parseFloat(getComputedStyle(document.querySelector('[data-testid="kiosk-guide-body"] .gd-main')).fontSize)`); px < 30 {
		t.Errorf("guide text is %.0f px, want >= 30 on a portrait kiosk", px)
	}
	kiosk.shot(shots, "kiosk-guide.png")
	kiosk.click("kiosk-guide-close")
	kiosk.until("guide closed", `document.querySelector('[data-testid="kiosk-guide"]').hidden`)
	if got := evalIn[bool](kiosk, `!!window.hallqKiosk.lastTicket`); got {
		t.Fatal("opening the guide took a ticket")
	}

	// Appointment check-in: the code typed on the keypad, letters included.
	kiosk.click("kiosk-appointment")
	kiosk.until("keypad shown", `document.body.dataset.view === 'keypad'`)
	for _, c := range code {
		kiosk.click("kiosk-key-" + string(c))
	}
	kiosk.until("code typed", jsText("kiosk-appointment-code")+` === '`+code+`'`)
	kiosk.click("kiosk-appointment-next")
	kiosk.click("kiosk-service-social")
	kiosk.do(chromedp.WaitVisible(testid("kiosk-ticket")))
	if got := evalIn[string](kiosk, `window.hallqKiosk.lastTicket.channel`); got != "appointment" {
		t.Fatalf("checked-in ticket channel = %q", got)
	}
	number := evalIn[string](kiosk, jsText("ticket-number"))
	ticketID := evalIn[string](kiosk, `window.hallqKiosk.lastTicket.ticket_id`)

	// The code is used: a second check-in says so.
	kiosk.click("kiosk-done")
	kiosk.click("kiosk-appointment")
	for _, c := range code {
		kiosk.click("kiosk-key-" + string(c))
	}
	kiosk.click("kiosk-appointment-next")
	kiosk.click("kiosk-service-social")
	kiosk.until("refusal shown", `!document.querySelector('[data-testid="kiosk-error"]').hidden`)
	if got := evalIn[string](kiosk, jsAttr("kiosk-error", "code")); got != "unknown_appointment" {
		t.Errorf("second check-in refused with %q", got)
	}

	// The console: counter 3 (social) calls it and finishes it as a 承诺件.
	console := openTab(t, browser, "console", d.base+"/console", 1600, 900, false)
	console.do(chromedp.WaitVisible(testid("console-login")),
		chromedp.SendKeys(testid("console-username"), "s03"),
		chromedp.SendKeys(testid("console-password"), "demo-s03"))
	console.click("console-login-submit")
	console.click("console-pick-3")
	console.click("console-open")
	console.until("counter open", jsAttr("console-counter-status", "status")+` === 'open'`)
	console.click("console-call-next")
	console.until("called the appointment", jsText("console-current")+` === '`+number+`'`)
	console.do(chromedp.KeyEvent("2")) // 2 = 承诺件
	console.until("promised chosen", jsAttr("console-case", "kind")+` === 'promised'`)
	console.do(chromedp.SendKeys(testid("console-case-no"), "NT2026-0917"))
	console.click("console-finish")
	want, err := queue.PromisedDate(d.m.Hall.Spec(), "social", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	console.until("promised date shown", jsAttr("console-case-result", "promised")+` === '`+want+`'`)
	console.shot(shots, "console-case.png")

	// The citizen's ticket page shows the promised date.
	ticket := openTab(t, browser, "ticket page", d.base+"/t/"+ticketID, 390, 844, true)
	ticket.until("promised date on the ticket page", jsText("ticket-promised-date")+` === '`+want+`' && `+jsAttr("ticket-case", "kind")+` === 'promised'`)

	// The case lookup page finds it by its number, nothing personal.
	lookup := openTab(t, browser, "case lookup", d.base+"/case", 1080, 1920, false)
	lookup.do(chromedp.WaitVisible(testid("case-no")), chromedp.SendKeys(testid("case-no"), "NT2026-0917"))
	lookup.click("case-submit")
	lookup.until("case found", jsAttr("case-kind", "kind")+` === 'promised' && `+jsText("case-promised")+` === '`+want+`'`)
	if got := evalIn[string](lookup, jsText("case-service")); got != "社会保险" {
		t.Errorf("case service = %q", got)
	}
	lookup.shot(shots, "case-lookup.png")
	lookup.do(chromedp.Navigate(d.base + "/case?case_no=NOPE-1"))
	lookup.until("unknown case", `!document.querySelector('[data-testid="case-error"]').hidden`)

	// The guide screen cycles and shows a call over it.
	guide := openTab(t, browser, "guide screen", d.base+"/screen/guide?every=5", 1920, 1080, false)
	guide.until("a service shown", jsText("guide-service")+` !== '' && !!document.querySelector('[data-testid="guide-items"]')`)
	guide.until("cycled to another service", `new Set(window.hallqGuide.shown).size >= 2`)
	guide.shot(shots, "guide-screen.png")
	if r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, `{"service":"social"}`); !r.OK {
		t.Fatalf("take: %v", r)
	}
	console.click("console-call-next")
	guide.until("call shown over the guide", `!document.querySelector('[data-testid="guide-call"]').hidden`)
}
