package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// TestE2ESessionSurvivesRestart: a clerk logged in and signed in at a counter
// keeps working after hallqd restarts on the same storage dir (an upgrade
// does not log the hall's staff out).
func TestE2ESessionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	start := func() (*Main, context.CancelFunc) {
		cfg := config.Demo()
		cfg.Listen.HTTP = "127.0.0.1:0"
		cfg.Listen.MQTT = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
		cfg.Storage.Dir = dir
		m := &Main{Config: cfg, Log: zerolog.Nop()}
		ctx, cancel := context.WithCancel(context.Background())
		if err := m.Run(ctx); err != nil {
			cancel()
			m.Close()
			t.Fatal(err)
		}
		return m, cancel
	}
	m1, cancel1 := start()
	d1 := &e2eDaemon{m: m1, base: "http://" + m1.HTTPAddr}
	c, csrf := d1.login(t, "s03", "demo-s03")
	if r := d1.call(t, c, "POST", demoHall+"/counters/3/signin", csrf, `{}`); !r.OK {
		t.Fatalf("signin: %v", r)
	}
	cancel1()
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}

	m2, cancel2 := start()
	defer func() {
		cancel2()
		m2.Close()
	}()
	d2 := &e2eDaemon{m: m2, base: "http://" + m2.HTTPAddr}
	// The cookie jar holds the cookie for the old port; carry it over.
	jar, _ := cookiejar.New(nil)
	old, _ := http.NewRequest("GET", d1.base+"/", nil)
	nu, _ := http.NewRequest("GET", d2.base+"/", nil)
	jar.SetCookies(nu.URL, c.Jar.Cookies(old.URL))
	c2 := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	if r := d2.call(t, c2, "POST", demoHall+"/counters/3/ops/counter.open", csrf, `{}`); !r.OK {
		t.Fatalf("counter.open with the session from before the restart: %v", r)
	}
	if r := d2.call(t, c2, "GET", "/api/v1/me", nil, ""); !r.OK {
		t.Fatalf("me: %v", r)
	}
}
