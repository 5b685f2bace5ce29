package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/internal/testenv"
)

// fakeHall is a stand-in for hallqd's HTTP side: the pages at their routes,
// /static/, the API calls the pages make, and a websocket the test feeds.
type fakeHall struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	seq      int
	conns    []*websocket.Conn
	sinces   []string // the since= of each websocket connection ("" for none)
	requests []recorded
	loggedIn bool
	counter  string
}

type recorded struct {
	Method, Path, Auth, CSRF, Idem, Body string
}

func name(zh, en string) map[string]string { return map[string]string{"zh": zh, "en": en} }

func (h *fakeHall) snapshot() map[string]any {
	return map[string]any{"type": "snapshot", "seq": h.seq, "state": map[string]any{
		"services": []any{
			map[string]any{"id": "social", "name": name("社保业务", "Social security"), "prefix": "A", "waiting": 5, "est_wait_s": 1500},
			map[string]any{"id": "housing", "name": name("公积金业务", "Housing fund"), "prefix": "B", "waiting": 0, "est_wait_s": 0},
		},
		"counters": []any{
			map[string]any{"id": "5", "name": name("5号窗口", "Window 5"), "status": "open", "ticket": nil, "service": nil, "staff_id": "S005", "staff_name": "李娜"},
			map[string]any{"id": "12", "name": name("12号窗口", "Window 12"), "status": "serving", "ticket": "A023", "service": "social", "staff_id": "S012", "staff_name": "张伟"},
			map[string]any{"id": "105", "name": name("105号窗口", "Window 105"), "status": "closed", "ticket": nil, "service": nil, "staff_id": nil, "staff_name": nil},
		},
		"recent_calls": []any{map[string]any{"ticket": "A023", "counter": "12", "at": "2026-11-23T09:00:00+08:00"}},
		"devices":      []any{map[string]any{"id": "kiosk-01", "kind": "kiosk", "online": true, "counter": nil}},
		"hall":         map[string]any{"id": "nt-main", "name": name("南通市政务服务中心", "Nantong Government Service Centre"), "notice": name("欢迎", "Welcome")},
		"day":          "2026-11-23",
	}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, v any) { writeJSON(w, 200, map[string]any{"ok": true, "result": v}) }

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": map[string]string{"code": code, "message": msg}})
}

func newFakeHall(t *testing.T) *fakeHall {
	h := &fakeHall{t: t, seq: 100}
	mux := http.NewServeMux()
	for _, p := range Pages() {
		file := p.File
		mux.HandleFunc(p.Pattern, func(w http.ResponseWriter, r *http.Request) {
			b, err := fs.ReadFile(FS(), file)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(b)
		})
	}
	static, err := fs.Sub(FS(), "static")
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("/api/", h.api)
	upgrader := websocket.Upgrader{}
	mux.HandleFunc("GET /ws/v1/halls/nt-main", func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		h.mu.Lock()
		h.sinces = append(h.sinces, r.URL.Query().Get("since"))
		if r.URL.Query().Get("since") == "" {
			b, _ := json.Marshal(h.snapshot())
			_ = c.WriteMessage(websocket.TextMessage, b)
		}
		h.conns = append(h.conns, c)
		h.mu.Unlock()
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		h.mu.Lock()
		for _, c := range h.conns {
			_ = c.Close()
		}
		h.mu.Unlock()
		h.srv.Close()
	})
	return h
}

// emit sends an event with the next seq (skip > 0 leaves a gap of that many).
func (h *fakeHall) emit(ev map[string]any, skip int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq += 1 + skip
	if _, ok := ev["at"]; !ok {
		ev["at"] = time.Now().Format(time.RFC3339)
	}
	b, _ := json.Marshal(map[string]any{"type": "event", "seq": h.seq, "event": ev})
	for _, c := range h.conns {
		_ = c.WriteMessage(websocket.TextMessage, b)
	}
}

func (h *fakeHall) record(r *http.Request, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, recorded{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-CSRF-Token"), r.Header.Get("Idempotency-Key"), body})
}

func (h *fakeHall) find(path string) (recorded, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.requests {
		if r.Path == path {
			return r, true
		}
	}
	return recorded{}, false
}

func (h *fakeHall) api(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&raw)
	h.record(r, string(raw))
	p := r.URL.Path
	h.mu.Lock()
	loggedIn, counter := h.loggedIn, h.counter
	h.mu.Unlock()
	switch {
	case p == "/api/v1/hall":
		ok(w, map[string]any{"id": "nt-main", "name": name("南通市政务服务中心", "Nantong Government Service Centre"), "timezone": "Asia/Shanghai"})
	case p == "/api/v1/halls/nt-main/snapshot":
		h.mu.Lock()
		s := h.snapshot()
		h.mu.Unlock()
		writeJSON(w, 200, s)
	case p == "/api/v1/halls/nt-main/tickets" && r.Method == "POST":
		ok(w, map[string]any{"ticket_id": "t-77", "number": "A077", "service": "social", "issued_at": time.Now().Format(time.RFC3339),
			"waiting_ahead": 5, "est_wait_s": 1500, "qr_url": "/t/t-77",
			"print": map[string]any{"header": "南通市政务服务中心", "number": "A077", "service": "社保业务", "lines": []string{"您前面还有 5 人"}, "qr": "/t/t-77", "footer": ""}})
	case p == "/api/v1/halls/nt-main/tickets/t-77":
		ok(w, map[string]any{"ticket_id": "t-77", "number": "A077", "service": "social", "status": "waiting", "counter": nil,
			"waiting_ahead": 5, "est_wait_s": 1500, "issued_at": "2026-11-23T09:10:00+08:00", "called_at": nil})
	case strings.HasSuffix(p, "/qr.png"):
		w.Header().Set("Content-Type", "image/png")
	case p == "/api/v1/me":
		if !loggedIn {
			fail(w, 401, "unauthorized", "请先登录")
			return
		}
		var c any
		if counter != "" {
			c = counter
		}
		ok(w, map[string]any{"user": map[string]any{"id": "S012", "name": "张伟", "role": "staff"}, "csrf_token": "tok-1", "counter": c})
	case p == "/api/v1/login":
		if !strings.Contains(string(raw), `"password":"pw"`) {
			fail(w, 401, "unauthorized", "用户名或密码错误")
			return
		}
		h.mu.Lock()
		h.loggedIn = true
		h.mu.Unlock()
		ok(w, map[string]any{"user": map[string]any{"id": "S012", "name": "张伟", "role": "staff"}, "csrf_token": "tok-1"})
	case p == "/api/v1/halls/nt-main/counters/12/signin":
		h.mu.Lock()
		h.counter = "12"
		h.mu.Unlock()
		ok(w, map[string]any{"counter": "12", "staff_id": "S012"})
	case p == "/api/v1/halls/nt-main/counters/12/waiting":
		ok(w, map[string]any{"waiting": []any{map[string]any{"ticket_id": "t-24", "number": "A024", "service": "social", "channel": "green", "issued_at": "2026-11-23T09:01:00+08:00", "waited_s": 600}},
			"no_show": []any{}, "held": []any{}})
	case p == "/api/v1/halls/nt-main/counters/12/ops/call.next":
		fail(w, 409, "queue_empty", "当前没有等候的号码")
	case p == "/api/v1/halls/nt-main/counters/12/ops/serve.finish":
		ok(w, map[string]any{"ticket_id": "t-23", "number": "A023", "service": "social", "status": "done", "counter": "12", "waited_s": 300})
	default:
		fail(w, 404, "bad_request", "no such fake endpoint "+p)
	}
}

// tab opens a new browser tab on url and returns it with a deadline.
func tab(t *testing.T, browser context.Context, url string) context.Context {
	t.Helper()
	tabCtx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(tabCtx); err != nil { // create the tab without a deadline
		t.Fatalf("new tab: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(tabCtx, 60*time.Second)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return ctx
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the expression is true in the page.
func waitJS(t *testing.T, ctx context.Context, expr, msg string) {
	t.Helper()
	testenv.Eventually(t, 20*time.Second, func() bool {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		return err == nil && v
	}, msg)
}

func text(t *testing.T, ctx context.Context, testid string) string {
	t.Helper()
	return js[string](t, ctx, fmt.Sprintf(`(document.querySelector('[data-testid="%s"]')||{}).textContent||''`, testid))
}

func click(t *testing.T, ctx context.Context, testid string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="%s"]`, testid)))); err != nil {
		t.Fatalf("click %s: %v", testid, err)
	}
}

func TestPagesInBrowser(t *testing.T) {
	browser := testenv.StartChromium(t)

	t.Run("hall screen", func(t *testing.T) {
		h := newFakeHall(t)
		ctx := tab(t, browser, h.srv.URL+"/screen/hall")
		waitJS(t, ctx, `document.querySelector('[data-testid="counter-12-ticket"]') && document.querySelector('[data-testid="counter-12-ticket"]').textContent === 'A023'`, "counter 12 shows A023 from the snapshot")
		if got := text(t, ctx, "service-social-waiting"); got != "5" {
			t.Errorf("service-social-waiting = %q, want 5", got)
		}
		if got := text(t, ctx, "hall-name"); got != "南通市政务服务中心" {
			t.Errorf("hall-name = %q", got)
		}
		h.emit(map[string]any{"kind": "ticket.called", "ticket_id": "t-31", "ticket": "A031", "service": "social", "counter": "5", "counter_status": "called", "waiting": 4}, 0)
		waitJS(t, ctx, `document.querySelector('[data-testid="counter-5-ticket"]').textContent === 'A031'`, "counter 5 shows the called A031")
		if got := text(t, ctx, "latest-call-ticket"); got != "A031" {
			t.Errorf("latest-call-ticket = %q, want A031", got)
		}
		if got := text(t, ctx, "service-social-waiting"); got != "4" {
			t.Errorf("service-social-waiting = %q, want 4", got)
		}
		// the voice plays the real segments (headless Chromium needs no gesture)
		waitJS(t, ctx, `window.hallqVoice.spoken.includes('请A031号到5号窗口办理')`, "the call is spoken")
		if missing := js[[]string](t, ctx, `window.hallqVoice.missing`); len(missing) != 0 {
			t.Errorf("voice segments missing: %v", missing)
		}
		// a gap in seq: the page reconnects with since = the last seq it applied
		h.emit(map[string]any{"kind": "ticket.issued", "service": "social", "waiting": 9}, 1)
		testenv.Eventually(t, 20*time.Second, func() bool {
			h.mu.Lock()
			defer h.mu.Unlock()
			return len(h.sinces) >= 2 && h.sinces[len(h.sinces)-1] == "101"
		}, "reconnect with since=101 after a gap")
		if got := text(t, ctx, "service-social-waiting"); got != "4" {
			t.Errorf("after the gap service-social-waiting = %q, want 4 (event past the gap not applied)", got)
		}
	})

	t.Run("kiosk", func(t *testing.T) {
		h := newFakeHall(t)
		ctx := tab(t, browser, h.srv.URL+"/kiosk#device=kiosk-01&token=s3cret")
		waitJS(t, ctx, `document.querySelector('[data-testid="kiosk-service-social"]')`, "service tiles")
		if got := text(t, ctx, "kiosk-service-social-waiting"); got != "5" {
			t.Errorf("kiosk-service-social-waiting = %q, want 5", got)
		}
		if js[bool](t, ctx, `location.hash.includes('token')`) {
			t.Errorf("the secret stays in the address bar")
		}
		click(t, ctx, "kiosk-green")
		click(t, ctx, "kiosk-service-social")
		waitJS(t, ctx, `document.querySelector('[data-testid="ticket-number"]').textContent === 'A077'`, "the ticket is shown")
		req, found := h.find("/api/v1/halls/nt-main/tickets")
		if !found {
			t.Fatal("no ticket request")
		}
		if req.Auth != "Bearer kiosk-01:s3cret" {
			t.Errorf("Authorization = %q", req.Auth)
		}
		if req.Idem == "" {
			t.Errorf("no Idempotency-Key")
		}
		if !strings.Contains(req.Body, `"channel":"green"`) || !strings.Contains(req.Body, `"service":"social"`) {
			t.Errorf("body = %s", req.Body)
		}
		if src := js[string](t, ctx, `document.querySelector('[data-testid="kiosk-ticket-qr"]').getAttribute('src')`); src != "/api/v1/halls/nt-main/tickets/t-77/qr.png" {
			t.Errorf("qr src = %q", src)
		}
	})

	t.Run("console", func(t *testing.T) {
		h := newFakeHall(t)
		ctx := tab(t, browser, h.srv.URL+"/console")
		waitJS(t, ctx, `document.body.dataset.view === 'login'`, "login form")
		js[bool](t, ctx, `(() => { const f = document.querySelector('[data-testid="console-login"]'); f.username.value = 'zhang'; f.password.value = 'pw'; return true })()`)
		click(t, ctx, "console-login-submit")
		waitJS(t, ctx, `document.querySelector('[data-testid="console-pick-12"]')`, "counter picker")
		click(t, ctx, "console-pick-12")
		waitJS(t, ctx, `document.body.dataset.view === 'main' && document.querySelector('[data-testid="console-current"]').textContent === 'A023'`, "console shows the current ticket")
		waitJS(t, ctx, `document.querySelector('[data-testid="console-waiting-count"]').textContent === '1'`, "waiting list loaded")
		if req, _ := h.find("/api/v1/halls/nt-main/counters/12/signin"); req.CSRF != "tok-1" {
			t.Errorf("signin X-CSRF-Token = %q", req.CSRF)
		}
		click(t, ctx, "console-call-next")
		waitJS(t, ctx, `!document.querySelector('[data-testid="console-error"]').hidden`, "refused op shown")
		if got := text(t, ctx, "console-error-text"); got != "当前没有等候的群众，稍后再叫号" { // the page's words for queue_empty
			t.Errorf("console-error-text = %q", got)
		}
		req, _ := h.find("/api/v1/halls/nt-main/counters/12/ops/call.next")
		if req.CSRF != "tok-1" || req.Idem == "" {
			t.Errorf("call.next headers: csrf %q idem %q", req.CSRF, req.Idem)
		}
		// keyboard: F finishes the current ticket
		if err := chromedp.Do(ctx, chromedp.KeyEvent("f")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, `document.querySelector('[data-testid="console-current"]').textContent === ''`, "finished ticket leaves the display")
	})

	t.Run("ticket page", func(t *testing.T) {
		h := newFakeHall(t)
		ctx := tab(t, browser, h.srv.URL+"/t/t-77")
		waitJS(t, ctx, `document.querySelector('[data-testid="ticket-number"]').textContent === 'A077'`, "ticket number")
		waitJS(t, ctx, `window.hallqStream && window.hallqStream.status === 'open'`, "websocket open")
		if got := js[string](t, ctx, `document.querySelector('[data-testid="ticket-status"]').dataset.status`); got != "waiting" {
			t.Errorf("ticket-status = %q", got)
		}
		h.emit(map[string]any{"kind": "ticket.called", "ticket_id": "t-77", "ticket": "A077", "service": "social", "counter": "5", "counter_status": "called", "waiting": 4}, 0)
		waitJS(t, ctx, `!document.querySelector('[data-testid="ticket-alert"]').hidden`, "call alert")
		if got := text(t, ctx, "ticket-alert-counter"); got != "5号窗口" {
			t.Errorf("ticket-alert-counter = %q", got)
		}
	})

	t.Run("counter screen and supervisor", func(t *testing.T) {
		h := newFakeHall(t)
		cs := tab(t, browser, h.srv.URL+"/screen/counter/12?lang=en")
		waitJS(t, cs, `document.querySelector('[data-testid="counter-12-ticket"]') && document.querySelector('[data-testid="counter-12-ticket"]').textContent === 'A023'`, "counter screen number")
		if got := text(t, cs, "counter-name"); got != "Window 12" {
			t.Errorf("counter-name = %q", got)
		}
		sv := tab(t, browser, h.srv.URL+"/supervisor")
		waitJS(t, sv, `document.querySelector('[data-testid="counter-12-ticket"]') && document.querySelector('[data-testid="counter-12-ticket"]').textContent === 'A023'`, "supervisor shows counter 12")
		waitJS(t, sv, `window.hallqStream && window.hallqStream.status === 'open'`, "supervisor websocket open")
		h.emit(map[string]any{"kind": "counter.paused", "counter": "12", "counter_status": "paused", "reason": "会议"}, 0)
		waitJS(t, cs, `document.body.dataset.status === 'paused'`, "paused state")
		if got := text(t, cs, "counter-12-ticket"); got != "" {
			t.Errorf("paused counter still shows %q", got)
		}
		waitJS(t, sv, `document.querySelector('[data-testid="counter-12-status"]') && document.querySelector('[data-testid="counter-12-status"]').dataset.status === 'paused'`, "supervisor shows the pause")
		h.emit(map[string]any{"kind": "device.offline", "device": "kiosk-01", "online": false}, 0)
		waitJS(t, sv, `document.querySelector('[data-testid="device-kiosk-01"]').dataset.online === 'false'`, "offline device")
		waitJS(t, sv, `document.querySelector('[data-testid="devices-offline"]').textContent === '1'`, "offline count")
	})
}
