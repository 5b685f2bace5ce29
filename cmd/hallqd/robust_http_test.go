package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// startLimited starts hallqd (the demo hall) with limits changed by adjust.
func startLimited(t *testing.T, adjust func(*config.Limits)) *Main {
	t.Helper()
	return startOn(t, t.TempDir(), adjust)
}

// startOn starts hallqd (the demo hall) on a data dir.
func startOn(t *testing.T, dir string, adjust func(*config.Limits)) *Main {
	t.Helper()
	cfg := config.Demo()
	cfg.Listen.HTTP = "127.0.0.1:0"
	cfg.Listen.MQTT = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	cfg.Storage.Dir = dir
	adjust(&cfg.Limits)
	m := &Main{Config: cfg, Log: zerolog.Nop()}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// closedWithin reports whether the server closes c within d (a read ends
// in EOF or a reset rather than the read deadline).
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// TestHTTPTimeoutsAndCaps: a connection that never finishes its headers is
// closed after the header timeout, one that stalls its body after the read
// timeout, an idle keep-alive connection after the idle timeout; a screen's
// websocket outlives all three; connections over the per-address cap are
// closed at once (docs/robustness.md). The probe found 2,000 idle
// connections and 50 slow-body POSTs all still open after 75 s.
func TestHTTPTimeoutsAndCaps(t *testing.T) {
	m := startLimited(t, func(l *config.Limits) {
		l.HTTPHeaderTimeoutS, l.HTTPReadTimeoutS, l.HTTPIdleTimeoutS = 0.3, 0.6, 0.6
		l.HTTPMaxConnsPerIP = 6
	})
	addr := m.HTTPAddr
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/v1/halls/"+m.Config.Hall.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var snap map[string]any
	if err := ws.ReadJSON(&snap); err != nil {
		t.Fatal(err)
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("OKSlowHeadersClosed", func(t *testing.T) {
		c := dial()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // never ends its headers
		if !closedWithin(c, 10*time.Second) {
			t.Fatal("a connection with unfinished headers is still open after 10 s")
		}
	})
	t.Run("OKSlowBodyClosed", func(t *testing.T) {
		c := dial()
		fmt.Fprintf(c, "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user")
		if !closedWithin(c, 10*time.Second) {
			t.Fatal("a POST stalled in its body is still open after 10 s")
		}
	})
	t.Run("OKIdleClosed", func(t *testing.T) {
		c := dial()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v", err)
		}
		resp.Body.Close()
		if !closedWithin(c, 10*time.Second) {
			t.Fatal("an idle keep-alive connection is still open after 10 s")
		}
	})
	t.Run("OKPerAddressCap", func(t *testing.T) {
		testenv.Eventually(t, 10*time.Second, func() bool { return m.httpOpen() == 1 }, "only the websocket open")
		var held []net.Conn
		for i := 0; i < 5; i++ { // with the websocket: the cap of 6
			held = append(held, dial())
		}
		testenv.Eventually(t, 10*time.Second, func() bool { return m.httpOpen() == 6 }, "six connections open")
		over := dial()
		if !closedWithin(over, 10*time.Second) {
			t.Fatal("a connection over the per-address cap is still open")
		}
		for _, c := range held {
			c.Close()
		}
		testenv.Eventually(t, 10*time.Second, func() bool { return m.httpOpen() == 1 }, "places given back")
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("after the cap: %v", err)
		}
		resp.Body.Close()
	})
	t.Run("OKWebsocketOutlivesTimeouts", func(t *testing.T) {
		// every timeout above has passed many times over by now
		m.Hall.Do(context.Background(), hall.Request{Source: "test", Cmd: queue.TakeTicket{Service: m.Config.Services[0].ID}})
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var ev map[string]any
		if err := ws.ReadJSON(&ev); err != nil {
			t.Fatalf("screen websocket closed by an HTTP timeout: %v", err)
		}
		if ev["type"] != "event" {
			t.Errorf("got %v", ev)
		}
	})
}

// TestSIGTERMWithStalledRequest: SIGTERM while a request is stalled (its
// body never comes) closes it after the shutdown grace and exits 0 within
// 10 s (CONTRACT §4); the probe saw exit 1 after 5 s.
func TestSIGTERMWithStalledRequest(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashConfig, hp, mp, filepath.Join(dir, "data"))), 0o644)
	c := startChild(t, cfgPath, fmt.Sprintf("http://127.0.0.1:%d", hp))
	stalled, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", hp))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "POST /api/v1/halls/crash/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer kiosk-01:k1\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"serv")
	start := time.Now()
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("hallqd exited with %v after SIGTERM, want status 0\n%s", err, c.log.String())
		}
		t.Logf("exited 0 %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		t.Fatalf("hallqd did not exit within 10 s of SIGTERM\n%s", c.log.String())
	}
	if !strings.Contains(c.log.String(), "closing them") && !strings.Contains(c.log.String(), "draining") {
		t.Logf("log: %s", c.log.String())
	}
}

// TestReadyzWarnings: little free space in storage.dir is named in
// /readyz's body and in hallq_storage_free_bytes, and /readyz stays 200.
func TestReadyzWarnings(t *testing.T) {
	m := startLimited(t, func(l *config.Limits) { l.StorageMinFreeMB = 1 << 30 }) // a petabyte: always short
	resp, err := http.Get("http://" + m.HTTPAddr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Ready bool              `json:"ready"`
		Parts map[string]string `json:"parts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !body.Ready {
		t.Errorf("readyz %d %+v: a warning must not make hallqd unready", resp.StatusCode, body)
	}
	if !strings.Contains(body.Parts["disk"], "free") || body.Parts["clock"] != "ok" {
		t.Errorf("readyz parts %v, want the disk warning", body.Parts)
	}
	mr, err := http.Get("http://" + m.HTTPAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Body.Close()
	b, _ := io.ReadAll(mr.Body)
	for _, name := range []string{"hallq_storage_free_bytes ", "hallq_journal_wal_bytes ", "hallq_clock_behind_seconds ", "hallq_http_conns_open "} {
		if !strings.Contains(string(b), name) {
			t.Errorf("metric %s missing", name)
		}
	}
}

// TestHTTPDeviceTokenGuessingLimited: wrong HTTP device tokens are limited
// per address (the probe made 300 in 3 s): past the limit even the right
// token from that address gets 429 rate_limited for a minute.
func TestHTTPDeviceTokenGuessingLimited(t *testing.T) {
	m := startLimited(t, func(l *config.Limits) { l.AuthFailuresPerMin = 5 })
	take := func(secret string) (int, string) {
		req, _ := http.NewRequest("POST", "http://"+m.HTTPAddr+"/api/v1/halls/"+m.Config.Hall.ID+"/tickets",
			strings.NewReader(`{"service":"`+m.Config.Services[0].ID+`"}`))
		req.Header.Set("Authorization", "Bearer kiosk-01:"+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for i := 0; i < 5; i++ {
		if code, _ := take("guess"); code != 401 {
			t.Fatalf("wrong token %d: status %d", i+1, code)
		}
	}
	code, body := take(demoSecret(t, m, "kiosk-01"))
	if code != 429 || !strings.Contains(body, `"rate_limited"`) || !strings.Contains(body, "retry_after_ms") {
		t.Errorf("right token after 5 failures: %d %s, want 429 rate_limited with retry_after_ms", code, body)
	}
}

func demoSecret(t *testing.T, m *Main, id string) string {
	for _, d := range m.Config.Devices {
		if d.ID == id {
			return d.Secret
		}
	}
	t.Fatalf("no device %s", id)
	return ""
}
