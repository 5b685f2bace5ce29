package main

// End-to-end tests of a whole hallqd (Main) on 127.0.0.1 with the demo hall:
// the HTTP API's access rules, the screens' websocket, and the pages in a
// real headless Chromium. Set HALLQ_SCREENSHOTS=/abs/dir to also write the
// pages' screenshots there (docs/screenshots is made that way).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// e2eDaemon is a running hallqd with the demo config on a temp dir.
type e2eDaemon struct {
	m    *Main
	base string
}

// startE2E starts hallqd with the demo hall on 127.0.0.1; it stops at cleanup.
func startE2E(t *testing.T) *e2eDaemon {
	t.Helper()
	return startE2EWith(t, func(*config.Config) {})
}

// e2eReply is the API's envelope plus the HTTP status.
type e2eReply struct {
	status int
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (r e2eReply) String() string {
	if r.Error != nil {
		return fmt.Sprintf("HTTP %d %s: %s", r.status, r.Error.Code, r.Error.Message)
	}
	return fmt.Sprintf("HTTP %d %s", r.status, r.Result)
}

// call sends one API request; c nil means no cookies.
func (d *e2eDaemon) call(t *testing.T, c *http.Client, method, path string, hdr map[string]string, body string) e2eReply {
	t.Helper()
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequest(method, d.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := e2eReply{status: resp.StatusCode}
	json.NewDecoder(resp.Body).Decode(&r)
	return r
}

// login opens a staff session; it returns the client holding its cookie and
// the session's CSRF header.
func (d *e2eDaemon) login(t *testing.T, user, pw string) (*http.Client, map[string]string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	r := d.call(t, c, "POST", "/api/v1/login", nil, fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	if !r.OK {
		t.Fatalf("login %s: %v", user, r)
	}
	var res struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(r.Result, &res)
	if res.CSRF == "" {
		t.Fatal("login gave no csrf_token")
	}
	return c, map[string]string{"X-CSRF-Token": res.CSRF}
}

// wrongToken returns tok with its first character changed, so it can never equal tok.
func wrongToken(tok string) string {
	if strings.HasPrefix(tok, "x") {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}

func wantStatus(t *testing.T, what string, r e2eReply, status int, code string) {
	t.Helper()
	if r.status != status || (code != "" && (r.Error == nil || r.Error.Code != code)) {
		t.Errorf("%s: %v, want HTTP %d %s", what, r, status, code)
	}
}

const (
	demoHall    = "/api/v1/halls/demo"
	demoKiosk   = "Bearer kiosk-01:demo-kiosk-01"
	demoScreen  = "Bearer screen-01:demo-screen-01"
	takeGeneral = `{"service":"general"}`
)

// TestE2EAccess checks who may do what through the HTTP API of a running hallqd.
func TestE2EAccess(t *testing.T) {
	d := startE2E(t)
	callNext := demoHall + "/counters/1/ops/call.next"
	open1 := demoHall + "/counters/1/ops/counter.open"

	t.Run("ErrNoSession", func(t *testing.T) {
		wantStatus(t, "call.next without a session", d.call(t, nil, "POST", callNext, nil, `{}`), 401, "unauthorized")
		wantStatus(t, "signin without a session", d.call(t, nil, "POST", demoHall+"/counters/1/signin", nil, `{}`), 401, "unauthorized")
		wantStatus(t, "bad cookie", d.call(t, nil, "POST", callNext, map[string]string{"Cookie": "hallq_session=forged"}, `{}`), 401, "unauthorized")
	})
	t.Run("ErrNotSignedInAtCounter", func(t *testing.T) {
		c, csrf := d.login(t, "s01", "demo-s01")
		wantStatus(t, "op before signing in", d.call(t, c, "POST", open1, csrf, `{}`), 403, "forbidden")
		if r := d.call(t, c, "POST", demoHall+"/counters/2/signin", csrf, `{}`); !r.OK {
			t.Fatalf("signin at 2: %v", r)
		}
		wantStatus(t, "op at counter 1 when signed in at 2", d.call(t, c, "POST", open1, csrf, `{}`), 403, "forbidden")
		if r := d.call(t, c, "POST", demoHall+"/counters/2/ops/counter.open", csrf, `{}`); !r.OK {
			t.Errorf("op at own counter: %v", r)
		}
	})
	t.Run("ErrCSRF", func(t *testing.T) {
		c, csrf := d.login(t, "s03", "demo-s03")
		wantStatus(t, "signin without X-CSRF-Token", d.call(t, c, "POST", demoHall+"/counters/3/signin", nil, `{}`), 403, "forbidden")
		if r := d.call(t, c, "POST", demoHall+"/counters/3/signin", csrf, `{}`); !r.OK {
			t.Fatalf("signin at 3: %v", r)
		}
		open3 := demoHall + "/counters/3/ops/counter.open"
		wantStatus(t, "op without X-CSRF-Token", d.call(t, c, "POST", open3, nil, `{}`), 403, "forbidden")
		wantStatus(t, "op with a wrong X-CSRF-Token", d.call(t, c, "POST", open3, map[string]string{"X-CSRF-Token": wrongToken(csrf["X-CSRF-Token"])}, `{}`), 403, "forbidden")
		_, other := d.login(t, "s04", "demo-s04")
		wantStatus(t, "op with another session's token", d.call(t, c, "POST", open3, other, `{}`), 403, "forbidden")
		if r := d.call(t, c, "POST", open3, csrf, `{}`); !r.OK {
			t.Errorf("op with the right token: %v", r)
		}
	})
	t.Run("ErrScreenDevice", func(t *testing.T) {
		screen := map[string]string{"Authorization": demoScreen}
		wantStatus(t, "hall_screen takes a ticket", d.call(t, nil, "POST", demoHall+"/tickets", screen, takeGeneral), 403, "forbidden")
		wantStatus(t, "hall_screen calls", d.call(t, nil, "POST", callNext, screen, `{}`), 403, "forbidden")
		wantStatus(t, "hall_screen signs in", d.call(t, nil, "POST", demoHall+"/counters/1/signin", screen, `{}`), 403, "forbidden")
		wantStatus(t, "hall_screen sets the notice", d.call(t, nil, "POST", demoHall+"/notice", screen, `{"text":{"zh":"x","en":"x"}}`), 403, "forbidden")
		wrong := map[string]string{"Authorization": "Bearer screen-01:wrong"}
		wantStatus(t, "wrong device secret", d.call(t, nil, "POST", demoHall+"/tickets", wrong, takeGeneral), 401, "unauthorized")
		caller := map[string]string{"Authorization": "Bearer caller-1:demo-caller-1"}
		wantStatus(t, "caller device over HTTP", d.call(t, nil, "POST", callNext, caller, `{}`), 403, "forbidden")
	})
	t.Run("KioskTakesTicket", func(t *testing.T) {
		r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, takeGeneral)
		if !r.OK {
			t.Fatalf("kiosk take: %v", r)
		}
		var res struct {
			TicketID string `json:"ticket_id"`
			Number   string `json:"number"`
			QRURL    string `json:"qr_url"`
			Print    struct {
				Number string   `json:"number"`
				Header []string `json:"header"`
				QR     string   `json:"qr"`
			} `json:"print"`
		}
		if err := json.Unmarshal(r.Result, &res); err != nil {
			t.Fatal(err)
		}
		if want := d.base + "/t/" + res.TicketID; res.QRURL != want || res.Print.QR != want {
			t.Errorf("qr_url = %q, print.qr = %q, want %q", res.QRURL, res.Print.QR, want)
		}
		if res.Print.Number != res.Number || len(res.Print.Header) == 0 || res.Print.Header[0] != "演示政务服务中心" {
			t.Errorf("print = %+v", res.Print)
		}
		resp, err := http.Get(d.base + demoHall + "/tickets/" + res.TicketID + "/qr.png")
		if err != nil {
			t.Fatal(err)
		}
		png, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("qr.png: %s, %d bytes", resp.Header.Get("Content-Type"), len(png))
		}
	})
	t.Run("Websocket", func(t *testing.T) {
		ws := "ws" + strings.TrimPrefix(d.base, "http") + "/ws/v1/halls/demo"
		conn, _, err := websocket.DefaultDialer.Dial(ws, nil) // no Origin, as devices and integrators connect
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var snap struct {
			Type string `json:"type"`
			Seq  int64  `json:"seq"`
		}
		if err := conn.ReadJSON(&snap); err != nil || snap.Type != "snapshot" {
			t.Fatalf("first message: %+v %v", snap, err)
		}
		_, resp, err := websocket.DefaultDialer.Dial(ws, http.Header{"Origin": {"https://evil.example"}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site origin: %v, want HTTP 403", err)
		}
		resp, err = http.Get(d.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte("hallq_screens_connected 1")) {
			t.Errorf("/metrics lacks hallq_screens_connected 1")
		}
	})
}

// TestE2ELoginRateLimit: five wrong passwords, then even the right one is
// refused with 429 for a while. Its own hallqd, since the limit also counts
// per client address.
func TestE2ELoginRateLimit(t *testing.T) {
	d := startE2E(t)
	for i := 1; i <= 5; i++ {
		r := d.call(t, nil, "POST", "/api/v1/login", nil, `{"username":"s01","password":"wrong"}`)
		wantStatus(t, fmt.Sprintf("wrong password %d", i), r, 401, "unauthorized")
	}
	r := d.call(t, nil, "POST", "/api/v1/login", nil, `{"username":"s01","password":"demo-s01"}`)
	wantStatus(t, "login after 5 failures", r, 429, "rate_limited")
	// Per user and address: a colleague at the same address is not locked out.
	d.login(t, "s02", "demo-s02")
}

// browserTab is one page in the test's Chromium.
type browserTab struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// openTab opens url in a new window of browser with a w×h viewport (a
// phone's when mobile) and records the page's console messages.
func openTab(t *testing.T, browser context.Context, name, url string, w, h int64, mobile bool) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tab := &browserTab{t: t, name: name, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // opens the window
		t.Fatalf("%s: open: %v", name, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.console = append(tab.console, m)
			tab.mu.Unlock()
		}
	}()
	opts := []chromedp.EmulateViewportOption{}
	if mobile {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	tab.do(chromedp.EmulateViewport(w, h, opts...), chromedp.Navigate(url))
	t.Cleanup(tab.checkConsole)
	return tab
}

// stepLimit bounds each browser step; a safety net, not a timing assertion.
const stepLimit = 45 * time.Second

func (b *browserTab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\n%s", b.name, err, b.consoleText())
	}
}

// until waits for a JavaScript condition to hold in the page.
func (b *browserTab) until(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepLimit)))
	if err != nil {
		b.failShot()
		b.t.Fatalf("%s: %s: %v (condition %s; stream %s)\n%s", b.name, what, err, cond, b.streamText(), b.consoleText())
	}
}

// click clicks a data-testid once it is shown and enabled.
func (b *browserTab) click(id string) {
	b.t.Helper()
	b.until(id+" enabled", `(() => { const e = document.querySelector('[data-testid="`+id+`"]'); `+
		`return !!e && !e.disabled && e.offsetParent !== null; })()`)
	b.do(chromedp.Click(testid(id)))
}

// eval returns the value of a JavaScript expression.
func evalIn[T any](b *browserTab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.name, expr, err)
	}
	return v
}

// shot saves a screenshot of the viewport into the test's temp dir and,
// with HALLQ_SCREENSHOTS set, into that directory too.
func (b *browserTab) shot(dir, file string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", b.name, err)
	}
	for _, d := range []string{dir, os.Getenv("HALLQ_SCREENSHOTS")} {
		if d == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, file), png, 0o644); err != nil {
			b.t.Errorf("save screenshot: %v", err)
		}
	}
}

// streamText is the page's hall stream as it stands (seq, status), for a
// failure message.
func (b *browserTab) streamText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	expr := `JSON.stringify(window.hallqStream ? {seq: window.hallqStream.seq, status: window.hallqStream.status} : null)`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return "unknown: " + err.Error()
	}
	return out
}

// failShot saves what the page shows when a step fails, with HALLQ_SCREENSHOTS set.
func (b *browserTab) failShot() {
	dir := os.Getenv("HALLQ_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(dir, "failed-"+strings.ReplaceAll(b.name, " ", "-")+".png"), png, 0o644)
	}
}

func (b *browserTab) consoleText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s strings.Builder
	for _, m := range b.console {
		fmt.Fprintf(&s, "  console %s: %s %s\n", m.Type, m.Text, m.URL)
	}
	return s.String()
}

// checkConsole fails the test on a page error: an exception or a request
// the Content-Security-Policy refused.
func (b *browserTab) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		switch {
		case m.IsException() || strings.Contains(m.Text, "Content Security Policy"):
			b.t.Errorf("%s: %s: %s %s", b.name, m.Type, m.Text, m.URL)
		case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
			b.t.Logf("%s: %s: %s %s", b.name, m.Type, m.Text, m.URL)
		}
	}
}

// testid is a CSS selector for a data-testid.
func testid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// jsText is a JavaScript expression for the trimmed text of a data-testid.
func jsText(id string) string {
	return `((document.querySelector('[data-testid="` + id + `"]') || {}).textContent || '').trim()`
}

// jsAttr is a JavaScript expression for a data attribute of a data-testid.
func jsAttr(id, attr string) string {
	return `((document.querySelector('[data-testid="` + id + `"]') || {dataset: {}}).dataset.` + attr + ` || '')`
}

// TestBrowserCallFlow takes a ticket on the kiosk page, calls it from the
// staff console, and checks that the hall screen, the counter screen and the
// ticket page follow and that the hall screen says the call.
func TestBrowserCallFlow(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	hallScreen := openTab(t, browser, "hall screen", d.base+"/screen/hall", 1920, 1080, false)
	hallScreen.until("connected", jsAttr("conn-status", "state")+` === 'open'`)
	hallScreen.until("nobody waiting", jsText("service-general-waiting")+` === '0'`)

	// The kiosk: a citizen takes a ticket.
	kiosk := openTab(t, browser, "kiosk", d.base+"/kiosk#device=kiosk-01&token="+demoPageToken, 1080, 1920, false)
	kiosk.do(chromedp.WaitVisible(testid("kiosk-service-general")))
	kiosk.until("kiosk connected", jsText("kiosk-service-general-waiting")+` === '0'`)
	kiosk.shot(shots, "kiosk.png")
	kiosk.do(chromedp.Click(testid("kiosk-service-general")), chromedp.WaitVisible(testid("kiosk-ticket")))
	number := evalIn[string](kiosk, jsText("ticket-number"))
	ticketID := evalIn[string](kiosk, `window.hallqKiosk.lastTicket.ticket_id`)
	if number != "A001" || ticketID == "" {
		t.Fatalf("kiosk shows ticket %q (id %q), want A001", number, ticketID)
	}
	kiosk.until("QR code shown", `document.querySelector('[data-testid="kiosk-ticket-qr"]').naturalWidth > 0`)
	kiosk.shot(shots, "kiosk-ticket.png")
	hallScreen.until("waiting count follows", jsText("service-general-waiting")+` === '1'`)

	ticket := openTab(t, browser, "ticket page", d.base+"/t/"+ticketID, 390, 844, true)
	ticket.until("ticket waiting", jsAttr("ticket-status", "status")+` === 'waiting' && `+jsText("ticket-number")+` === '`+number+`'`)
	ticket.shot(shots, "ticket-waiting.png")

	counter := openTab(t, browser, "counter screen", d.base+"/screen/counter/1", 1280, 720, false)
	counter.until("counter closed", `document.body.dataset.status === 'closed'`)

	// The console: log in, sign in at counter 1, open, call next.
	console := openTab(t, browser, "console", d.base+"/console", 1600, 900, false)
	console.do(chromedp.WaitVisible(testid("console-login")),
		chromedp.SendKeys(testid("console-username"), "s01"),
		chromedp.SendKeys(testid("console-password"), "demo-s01"))
	console.click("console-login-submit")
	console.click("console-pick-1")
	console.click("console-open")
	console.until("counter open", jsAttr("console-counter-status", "status")+` === 'open'`)
	counter.until("counter screen shows open", `document.body.dataset.status === 'open'`)
	console.click("console-call-next") // once the open's reply is in: the screens may show it first
	console.until("console shows the called ticket", jsText("console-current")+` === '`+number+`'`)

	// Every screen follows the call.
	hallScreen.until("hall screen shows the call", jsAttr("latest-call", "ticket")+` === '`+number+`' && `+
		jsAttr("latest-call", "counter")+` === '1' && `+jsText("counter-1-ticket")+` === '`+number+`'`)
	hallScreen.until("waiting count back to 0", jsText("service-general-waiting")+` === '0'`)
	say := "请" + number + "号到1号窗口办理"
	hallScreen.until("announcement queued or said", `window.hallqVoice && (window.hallqVoice.spoken.includes('`+say+`') || `+
		`window.hallqVoice.queue.some(q => q.ticket === '`+number+`' && q.counter === '1'))`)
	hallScreen.until("announcement said", `window.hallqVoice.spoken.includes('`+say+`')`)
	counter.until("counter screen shows the call", jsText("counter-1-ticket")+` === '`+number+`' && document.body.dataset.status === 'called'`)
	ticket.until("ticket page shows the call", jsAttr("ticket-status", "status")+` === 'called' && `+
		`getComputedStyle(document.querySelector('[data-testid="ticket-alert"]')).display !== 'none' && `+
		jsAttr("ticket-alert", "counter")+` === '1'`)

	supervisor := openTab(t, browser, "supervisor", d.base+"/supervisor", 1920, 1080, false)
	supervisor.until("supervisor shows the call", jsText("counter-1-ticket")+` === '`+number+`' && `+jsAttr("counter-1", "status")+` === 'called'`)
	index := openTab(t, browser, "index", d.base+"/", 1280, 800, false)
	index.do(chromedp.WaitVisible(testid("link-counter-8")))

	// A busier hall for the screenshots: more tickets, more counters calling.
	busyHall(t, d)
	hallScreen.until("busy hall shown", jsText("counter-8-ticket")+` !== '' && `+jsText("service-social-waiting")+` !== '0' && `+
		jsAttr("counter-7", "status")+` === 'paused'`)
	hallScreen.until("calls no longer flashing", `document.querySelectorAll('[data-testid="counters"] .flash').length === 0`)
	counter.until("counter screen still current", jsText("counter-1-ticket")+` === '`+number+`'`)
	supervisor.until("supervisor busy", jsText("counter-8-ticket")+` !== '' && `+jsAttr("counter-7", "status")+` === 'paused'`)
	console.until("console waiting list", `document.querySelectorAll('[data-testid="console-waiting"] tr').length > 0`)
	hallScreen.shot(shots, "hall-screen.png")
	counter.shot(shots, "counter-screen.png")
	ticket.shot(shots, "ticket.png")
	console.shot(shots, "console.png")
	supervisor.shot(shots, "supervisor.png")
	index.shot(shots, "index.png")
	t.Logf("screenshots in %s", shots)
}

// busyHall issues tickets for every service and has staff open counters 2
// to 8 and call at most of them.
func busyHall(t *testing.T, d *e2eDaemon) {
	t.Helper()
	kiosk := map[string]string{"Authorization": demoKiosk}
	for i, svc := range []string{"general", "social", "social", "medical", "housing-fund", "real-estate", "tax",
		"general", "social", "medical", "social", "tax", "general", "social", "medical", "real-estate", "social", "general"} {
		body := fmt.Sprintf(`{"service":%q}`, svc)
		if i%7 == 3 {
			body = fmt.Sprintf(`{"service":%q,"channel":"green"}`, svc)
		}
		if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, body); !r.OK {
			t.Fatalf("take %s: %v", svc, r)
		}
	}
	// Each counter's own staff member signs in, opens and calls; window 7 pauses.
	for _, ctr := range []string{"2", "3", "4", "5", "6", "7", "8"} {
		c, csrf := d.login(t, "s0"+ctr, "demo-s0"+ctr)
		ops := []string{"signin", "ops/counter.open", "ops/call.next"}
		switch ctr {
		case "5":
			ops = append(ops, "ops/serve.start")
		case "7":
			ops = []string{"signin", "ops/counter.open", "ops/counter.pause"}
		}
		for _, op := range ops {
			if r := d.call(t, c, "POST", demoHall+"/counters/"+ctr+"/"+op, csrf, `{}`); !r.OK {
				t.Fatalf("counter %s %s: %v", ctr, op, r)
			}
		}
	}
}
