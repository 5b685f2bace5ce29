package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hallq/hallq/config"
)

// TestKioskPageTokens: an admin pairs a kiosk page with a token of its own
// (not the MQTT secret); the page takes tickets with it; the token list
// never shows a token; a revoked token, or one used for another kiosk, is
// refused; only admins issue; the demo's token works out of the box.
func TestKioskPageTokens(t *testing.T) {
	dir := t.TempDir()
	m := startOn(t, dir, func(*config.Limits) {})
	d := &e2eDaemon{m: m, base: "http://" + m.HTTPAddr}
	hallPath := "/api/v1/halls/" + m.Config.Hall.ID
	svc := m.Config.Services[0].ID
	take := func(device, token string) e2eReply {
		return d.call(t, nil, "POST", hallPath+"/tickets", map[string]string{"Authorization": "Bearer " + device + ":" + token},
			fmt.Sprintf(`{"service":%q}`, svc))
	}
	admin, csrf := d.login(t, "admin", "demo-admin")
	r := d.call(t, admin, "POST", hallPath+"/kiosk-tokens", csrf, `{"device":"kiosk-01"}`)
	if !r.OK {
		t.Fatalf("issue: %v", r)
	}
	var issued struct {
		ID       string `json:"token_id"`
		Token    string `json:"token"`
		KioskURL string `json:"kiosk_url"`
	}
	json.Unmarshal(r.Result, &issued)
	if issued.Token == "" || issued.Token == demoSecret(t, m, "kiosk-01") || !strings.Contains(issued.KioskURL, "token="+issued.Token) {
		t.Fatalf("issued %+v", issued)
	}
	t.Run("OKTakeWithPageToken", func(t *testing.T) {
		if r := take("kiosk-01", issued.Token); !r.OK {
			t.Errorf("take with the page token: %v", r)
		}
	})
	t.Run("OKDemoToken", func(t *testing.T) {
		if r := take("kiosk-01", demoPageToken); !r.OK {
			t.Errorf("take with the demo page token: %v", r)
		}
	})
	t.Run("OKDemoRaterToken", func(t *testing.T) {
		// the tablet rater page pairs like the kiosk page, and acts only for
		// its own counter
		rater := map[string]string{"Authorization": "Bearer rater-1:" + demoRaterToken}
		if r := d.call(t, nil, "GET", hallPath+"/counters/1/rating-prompt", rater, ""); !r.OK {
			t.Errorf("rating prompt with the demo rater page token: %v", r)
		}
		if r := d.call(t, nil, "GET", hallPath+"/counters/2/rating-prompt", rater, ""); r.OK || r.status != 403 {
			t.Errorf("rater-1's page token at counter 2: %v, want 403", r)
		}
	})
	t.Run("ErrOtherKiosk", func(t *testing.T) {
		wantStatus(t, "kiosk-01's page token as kiosk-02", take("kiosk-02", issued.Token), 401, "unauthorized")
	})
	t.Run("OKListHidesTokens", func(t *testing.T) {
		r := d.call(t, admin, "GET", hallPath+"/kiosk-tokens", nil, "")
		if !r.OK || !strings.Contains(string(r.Result), issued.ID) || strings.Contains(string(r.Result), issued.Token) ||
			strings.Contains(string(r.Result), "hash") {
			t.Errorf("list: %v", r)
		}
	})
	t.Run("ErrStaffCannotIssue", func(t *testing.T) {
		staffC, staffCSRF := d.login(t, "s01", "demo-s01")
		wantStatus(t, "staff issuing", d.call(t, staffC, "POST", hallPath+"/kiosk-tokens", staffCSRF, `{"device":"kiosk-01"}`), 403, "forbidden")
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		if r := d.call(t, admin, "POST", hallPath+"/kiosk-tokens/"+issued.ID+"/revoke", csrf, ""); !r.OK {
			t.Fatalf("revoke: %v", r)
		}
		wantStatus(t, "take with a revoked token", take("kiosk-01", issued.Token), 401, "unauthorized")
	})
	t.Run("OKAfterRestart", func(t *testing.T) {
		second := d.call(t, admin, "POST", hallPath+"/kiosk-tokens", csrf, `{"device":"kiosk-02"}`) // issued before the restart
		var kept struct {
			Token string `json:"token"`
		}
		json.Unmarshal(second.Result, &kept)
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		m = startOn(t, dir, func(*config.Limits) {})
		d.m, d.base = m, "http://"+m.HTTPAddr
		if r := take("kiosk-02", kept.Token); !r.OK {
			t.Errorf("a token issued before the restart: %v", r)
		}
		if r := take("kiosk-01", demoPageToken); !r.OK {
			t.Errorf("the demo token after a restart: %v", r)
		}
		wantStatus(t, "a token revoked before the restart", take("kiosk-01", issued.Token), 401, "unauthorized")
	})
}

// TestGreenCapPerKiosk: green-channel tickets per kiosk per minute are
// capped (limits.green_per_kiosk_per_min); over it the answer is 429
// rate_limited with retry_after_ms and hallq_green_cap_hits_total counts it.
// The probe issued unlimited green tickets with one kiosk credential.
func TestGreenCapPerKiosk(t *testing.T) {
	m := startLimited(t, func(l *config.Limits) { l.GreenPerKioskPerMin = 2 })
	d := &e2eDaemon{m: m, base: "http://" + m.HTTPAddr}
	hallPath := "/api/v1/halls/" + m.Config.Hall.ID
	green := func(device string) e2eReply {
		return d.call(t, nil, "POST", hallPath+"/tickets", map[string]string{"Authorization": "Bearer " + device + ":" + demoSecret(t, m, device)},
			fmt.Sprintf(`{"service":%q,"channel":"green"}`, m.Config.Services[0].ID))
	}
	for i := 0; i < 2; i++ {
		if r := green("kiosk-01"); !r.OK {
			t.Fatalf("green %d: %v", i+1, r)
		}
	}
	r := green("kiosk-01")
	wantStatus(t, "third green ticket in a minute", r, 429, "rate_limited")
	if r := green("kiosk-02"); !r.OK {
		t.Errorf("another kiosk's green ticket: %v", r)
	}
	if v := metricValue(t, d.base, `hallq_green_cap_hits_total{device="kiosk-01"}`); v != 1 {
		t.Errorf("hallq_green_cap_hits_total = %v, want 1", v)
	}
}

// metricValue reads one sample from /metrics ("name{labels}"); -1 if absent.
func metricValue(t *testing.T, base, sample string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return -1
}

// TestHTTPRefusalRecorded: with an Idempotency-Key, a ticket request refused
// before the queue (a bad body) is recorded like any answer: the key keeps
// it, also when a valid body follows (CONTRACT §2 idempotency, one record).
func TestHTTPRefusalRecorded(t *testing.T) {
	m := startLimited(t, func(*config.Limits) {})
	d := &e2eDaemon{m: m, base: "http://" + m.HTTPAddr}
	hdr := map[string]string{"Authorization": "Bearer kiosk-01:" + demoPageToken, "Idempotency-Key": "k-bad-1"}
	path := "/api/v1/halls/" + m.Config.Hall.ID + "/tickets"
	wantStatus(t, "bad body", d.call(t, nil, "POST", path, hdr, `{"service":`), 400, "bad_request")
	wantStatus(t, "same key, valid body", d.call(t, nil, "POST", path, hdr, fmt.Sprintf(`{"service":%q}`, m.Config.Services[0].ID)), 400, "bad_request")
	hdr["Idempotency-Key"] = "k-good-1"
	if r := d.call(t, nil, "POST", path, hdr, fmt.Sprintf(`{"service":%q}`, m.Config.Services[0].ID)); !r.OK {
		t.Fatalf("new key: %v", r)
	}
}
