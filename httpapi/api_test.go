package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/staff"
	"github.com/hallq/hallq/store"
)

const apiYAML = `
hall: {id: t, name: {zh: 测试中心, en: Test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}, daily_quota: 2}
  - {id: housing, prefix: B, name: {zh: 公积金, en: Housing}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social, housing]}
  - {id: "2", name: {zh: 2号窗口, en: Window 2}, services: [housing]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
  - {id: screen-01, kind: hall_screen, secret: s1}
staff:
  - {id: s01, name: 张敏, role: staff, password: pw1}
  - {id: super, name: 主任, role: supervisor, password: pw2}
`

// testAPI is a real hall on a temp journal behind the API on 127.0.0.1.
type testAPI struct {
	base  string
	h     *hall.Hall
	staff *staff.Store
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPIWith(t, apiYAML)
}

// newTestAPIWith runs the API over the hall config y.
func newTestAPIWith(t *testing.T, y string) *testAPI {
	t.Helper()
	return newTestAPIClock(t, y, nil)
}

// newTestAPIClock runs the API over the hall config y with the hall's clock.
func newTestAPIClock(t *testing.T, y string, clock func() time.Time) *testAPI {
	t.Helper()
	cfg, err := config.Parse("api.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	sp := cfg.Spec()
	j, err := store.Open(t.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	h, err := hall.Open(hall.Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	var entries []staff.Entry
	for _, s := range cfg.Staff {
		entries = append(entries, staff.Entry{ID: s.ID, Name: s.Name, Role: s.Role, Password: s.Password})
	}
	st, err := staff.NewStore(entries, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var creds []devauth.Cred
	for _, d := range cfg.Devices {
		creds = append(creds, devauth.Cred{ID: d.ID, Kind: d.Kind, Counter: d.Counter, Secret: d.Secret})
	}
	mux := http.NewServeMux()
	New(Config{Hall: h, Staff: st, Devices: devauth.New(creds), Gatherer: prometheus.NewRegistry(), Log: zerolog.Nop()}, mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); h.Close(); j.Close() })
	return &testAPI{base: srv.URL, h: h, staff: st}
}

type reply struct {
	status int
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (a *testAPI) call(t *testing.T, c *http.Client, method, path string, hdr map[string]string, body string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, a.base+path, bytes.NewBufferString(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode}
	json.NewDecoder(resp.Body).Decode(&r)
	return r
}

func (r reply) code() string {
	if r.Error == nil {
		return ""
	}
	return r.Error.Code
}

// login returns a client with a session cookie and its CSRF header.
func (a *testAPI) login(t *testing.T, user, pw string) (*http.Client, map[string]string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	r := a.call(t, c, "POST", "/api/v1/login", nil, `{"username":"`+user+`","password":"`+pw+`"}`)
	if !r.OK {
		t.Fatalf("login %s: %d %+v", user, r.status, r.Error)
	}
	var res struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(r.Result, &res)
	return c, map[string]string{"X-CSRF-Token": res.CSRF}
}

var kiosk = map[string]string{"Authorization": "Bearer kiosk-01:k1"}

func TestTicketsOverHTTP(t *testing.T) {
	a := newTestAPI(t)
	c := http.DefaultClient
	t.Run("OK", func(t *testing.T) {
		r := a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
		var tk struct {
			Number   string `json:"number"`
			TicketID string `json:"ticket_id"`
		}
		json.Unmarshal(r.Result, &tk)
		if r.status != 200 || tk.Number != "A001" {
			t.Fatalf("take = %d %s", r.status, r.Result)
		}
		if st := a.call(t, c, "GET", "/api/v1/halls/t/tickets/"+tk.TicketID, nil, ""); !st.OK {
			t.Fatalf("ticket page data: %+v", st.Error)
		}
		if st := a.call(t, c, "GET", "/api/v1/halls/t/tickets/20261123-X001", nil, ""); st.code() != "unknown_ticket" || st.status != 404 {
			t.Fatalf("unknown ticket = %d %s", st.status, st.code())
		}
	})
	cases := []struct {
		name, body string
		hdr        map[string]string
		status     int
		code       string
	}{
		{"ErrUnknownService", `{"service":"tax"}`, kiosk, 404, "unknown_service"},
		{"ErrBadJSON", `{"service":`, kiosk, 400, "bad_request"},
		{"ErrNoAuth", `{"service":"social"}`, nil, 401, "unauthorized"},
		{"ErrWrongSecret", `{"service":"social"}`, map[string]string{"Authorization": "Bearer kiosk-01:nope"}, 401, "unauthorized"},
		{"ErrDisplayTokenCannotAct", `{"service":"social"}`, map[string]string{"Authorization": "Bearer screen-01:s1"}, 403, "forbidden"},
		{"ErrTooLarge", `{"service":"social","pad":"` + string(bytes.Repeat([]byte("x"), 9000)) + `"}`, kiosk, 400, "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.call(t, c, "POST", "/api/v1/halls/t/tickets", tc.hdr, tc.body)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.code(), tc.status, tc.code)
			}
		})
	}
	t.Run("ErrQuotaExhausted", func(t *testing.T) {
		a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
		r := a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
		if r.status != 409 || r.code() != "quota_exhausted" {
			t.Fatalf("got %d %s", r.status, r.code())
		}
	})
	t.Run("IdempotencyKey", func(t *testing.T) {
		hdr := map[string]string{"Authorization": kiosk["Authorization"], "Idempotency-Key": "same"}
		first := a.call(t, c, "POST", "/api/v1/halls/t/tickets", hdr, `{"service":"housing"}`)
		again := a.call(t, c, "POST", "/api/v1/halls/t/tickets", hdr, `{"service":"housing"}`)
		if !first.OK || string(first.Result) != string(again.Result) {
			t.Fatalf("repeat gave %s, first %s", again.Result, first.Result)
		}
		if got := a.h.View().Services[1].Issued; got != 1 {
			t.Fatalf("housing issued %d, want 1", got)
		}
	})
}

func TestCounterOpsOverHTTP(t *testing.T) {
	a := newTestAPI(t)
	c, csrf := a.login(t, "s01", "pw1")
	op := func(counter, name, body string) reply {
		return a.call(t, c, "POST", "/api/v1/halls/t/counters/"+counter+"/ops/"+name, csrf, body)
	}
	if r := op("1", "counter.open", ""); r.status != 403 {
		t.Fatalf("acting before signing in at the counter: %d %s, want 403", r.status, r.code())
	}
	if r := a.call(t, c, "POST", "/api/v1/halls/t/counters/1/signin", csrf, ""); !r.OK {
		t.Fatalf("signin: %+v", r.Error)
	}
	if r := a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", nil, ""); r.status != 403 || r.code() != "forbidden" {
		t.Fatalf("without CSRF token: %d %s, want 403 forbidden", r.status, r.code())
	}
	if r := op("1", "call.next", ""); r.code() != "counter_closed" {
		t.Fatalf("call on a closed counter: %s", r.code())
	}
	r := op("1", "counter.open", "")
	var cs struct {
		Status  string `json:"status"`
		StaffID string `json:"staff_id"`
	}
	json.Unmarshal(r.Result, &cs)
	if cs.Status != "open" || cs.StaffID != "s01" {
		t.Fatalf("open = %s", r.Result)
	}
	if r := op("1", "call.next", ""); r.code() != "queue_empty" || r.status != 409 {
		t.Fatalf("empty queue: %d %s", r.status, r.code())
	}
	a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
	called := op("1", "call.next", "")
	var tk struct {
		TicketID string `json:"ticket_id"`
	}
	json.Unmarshal(called.Result, &tk)
	if !called.OK || tk.TicketID == "" {
		t.Fatalf("call.next: %+v", called.Error)
	}
	if r := op("1", "call.no_show", ""); !r.OK {
		t.Fatalf("no_show: %+v", r.Error)
	}
	w := a.call(t, c, "GET", "/api/v1/halls/t/counters/1/waiting", nil, "")
	var lists map[string][]struct{ Number string }
	json.Unmarshal(w.Result, &lists)
	if len(lists["no_show"]) != 1 || lists["no_show"][0].Number != "A001" {
		t.Fatalf("waiting lists = %s", w.Result)
	}
	if r := a.call(t, c, "POST", "/api/v1/halls/t/tickets/"+tk.TicketID+"/reinstate", csrf, ""); !r.OK {
		t.Fatalf("reinstate: %d %+v", r.status, r.Error)
	}
	if got := a.h.View().Services[0].Waiting; got != 1 {
		t.Fatalf("after reinstating, social waiting = %d, want 1", got)
	}
	if r := op("1", "call.number", `{"number":7}`); r.code() != "bad_request" {
		t.Fatalf("number of the wrong type: %s", r.code())
	}
	if r := op("1", "rating.submit", `{"level":5}`); r.code() != "bad_request" {
		t.Fatalf("a rater op from the console: %s, want bad_request", r.code())
	}
	if r := a.call(t, c, "POST", "/api/v1/halls/t/appointments", csrf, `{"code":"X","service":"social","slot":"2030-01-01T09:00:00+08:00"}`); r.status != 403 {
		t.Fatalf("staff booking an appointment: %d, want 403 (supervisor only)", r.status)
	}
	sc, scsrf := a.login(t, "super", "pw2")
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/counters/2/ops/counter.open", scsrf, ""); !r.OK {
		t.Fatalf("supervisor acting for any counter: %+v", r.Error)
	}
}

func TestLoginRateLimit(t *testing.T) {
	a := newTestAPI(t)
	for i := 0; i < 5; i++ {
		if r := a.call(t, http.DefaultClient, "POST", "/api/v1/login", nil, `{"username":"s01","password":"wrong"}`); r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	if r := a.call(t, http.DefaultClient, "POST", "/api/v1/login", nil, `{"username":"s01","password":"pw1"}`); r.status != 429 {
		t.Fatalf("after 5 failures even the right password got %d, want 429", r.status)
	}
}

func TestReadyz(t *testing.T) {
	a := newTestAPI(t)
	resp, err := http.Get(a.base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz = %v %v", resp, err)
	}
	resp.Body.Close()
	resp, _ = http.Get(a.base + "/api/v1/halls/other/snapshot")
	if resp.StatusCode != 400 {
		t.Fatalf("snapshot of another hall: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
