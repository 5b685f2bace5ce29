package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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

const apptAPIYAML = `
hall:
  id: t
  name: {zh: 测试中心, en: Test}
  hours: [{days: [mon, tue, wed, thu, fri, sat, sun], open: "08:30", close: "17:30"}]
calendar:
  exceptions: [{date: "2026-11-25", closed: true}]
appointments: {capacity: 1}
integrations:
  - {id: wechat, token_hash: "%NEW%", token_hashes: ["%OLD%"], roles: [appointments]}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}, promise_days: 3}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
staff:
  - {id: s01, name: 张敏, role: staff, password: pw1}
  - {id: super, name: 主任, role: supervisor, password: pw2}
`

// newApptAPI is the API over a real hall whose clock stands at Monday
// 2026-11-23 09:00 in Shanghai.
func newApptAPI(t *testing.T) *testAPI {
	t.Helper()
	src := strings.NewReplacer("%NEW%", config.HashToken("tok-new"), "%OLD%", config.HashToken("tok-old")).Replace(apptAPIYAML)
	cfg, err := config.Parse("appt.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sp := cfg.Spec()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	j, err := store.Open(t.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	h, err := hall.Open(hall.Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: func() time.Time { return now }})
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
	var ins []Integration
	for _, in := range cfg.Integrations {
		ins = append(ins, Integration{ID: in.ID, Hashes: in.Hashes(), Roles: in.Roles})
	}
	mux := http.NewServeMux()
	New(Config{Hall: h, Staff: st, Devices: devauth.New(creds), Gatherer: prometheus.NewRegistry(), Log: zerolog.Nop(),
		Integrations: ins}, mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); h.Close(); j.Close() })
	return &testAPI{base: srv.URL, h: h}
}

var wechat = map[string]string{"Authorization": "Bearer wechat:tok-new"}

type booking struct {
	Code   string `json:"code"`
	Date   string `json:"date"`
	Start  string `json:"start"`
	End    string `json:"end"`
	Status string `json:"status"`
}

func TestAppointmentsOverHTTP(t *testing.T) {
	a := newApptAPI(t)
	c := http.DefaultClient
	const path = "/api/v1/halls/t/appointments"
	var made booking
	t.Run("OKIntegrationMakesCode", func(t *testing.T) {
		r := a.call(t, c, "POST", path, wechat, `{"service":"social","date":"2026-11-23","start":"09:30","end":"10:00"}`)
		if !r.OK {
			t.Fatalf("book: %d %+v", r.status, r.Error)
		}
		json.Unmarshal(r.Result, &made)
		if len(made.Code) != 8 || strings.ContainsAny(made.Code, "01OI") || made.Status != "booked" || made.Start != "09:30" {
			t.Fatalf("booking = %+v", made)
		}
		// the kiosk checks in with it: 09:00 is 30 min before the start
		r = a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social","channel":"appointment","appointment_code":"`+strings.ToLower(made.Code)+`"}`)
		if !r.OK {
			t.Fatalf("check-in: %d %+v", r.status, r.Error)
		}
		r = a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social","channel":"appointment","appointment_code":"`+made.Code+`"}`)
		if r.status != 404 || r.code() != "unknown_appointment" || !strings.Contains(r.Error.Message, "used") {
			t.Fatalf("second check-in: %d %+v", r.status, r.Error)
		}
	})
	t.Run("OKRotatedTokenAndGivenCode", func(t *testing.T) {
		r := a.call(t, c, "POST", path, map[string]string{"Authorization": "Bearer wechat:tok-old"},
			`{"service":"social","date":"2026-11-24","start":"10:00","end":"10:30","code":"wx-0001"}`)
		var b booking
		json.Unmarshal(r.Result, &b)
		if !r.OK || b.Code != "WX-0001" {
			t.Fatalf("book with the old token: %d %+v %s", r.status, r.Error, r.Result)
		}
		r = a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social","channel":"appointment","appointment_code":"WX-0001"}`)
		if r.code() != "unknown_appointment" || !strings.Contains(r.Error.Message, "too early") {
			t.Fatalf("check-in a day early: %+v", r.Error)
		}
	})
	t.Run("ErrOverCapacity", func(t *testing.T) {
		r := a.call(t, c, "POST", path, wechat, `{"service":"social","date":"2026-11-24","start":"10:00","end":"10:30"}`)
		if r.status != 409 || r.code() != "quota_exhausted" || !strings.Contains(r.Error.Message, "full") {
			t.Fatalf("over capacity: %d %+v", r.status, r.Error)
		}
	})
	refusals := []struct {
		name, body string
		status     int
		code       string
	}{
		{"ErrClosedDay", `{"service":"social","date":"2026-11-25","start":"10:00","end":"10:30"}`, 409, "invalid_state"},
		{"ErrEnded", `{"service":"social","date":"2026-11-23","start":"08:30","end":"09:00"}`, 409, "invalid_state"},
		{"ErrOutsideHours", `{"service":"social","date":"2026-11-24","start":"18:00","end":"18:30"}`, 409, "invalid_state"},
		{"ErrMissingEnd", `{"service":"social","date":"2026-11-24","start":"10:00"}`, 400, "bad_request"},
		{"ErrBadDate", `{"service":"social","date":"24/11/2026","start":"10:00","end":"10:30"}`, 400, "bad_request"},
		{"ErrUnknownService", `{"service":"nosuch","date":"2026-11-24","start":"11:00","end":"11:30"}`, 404, "unknown_service"},
		{"ErrCodeTaken", `{"service":"social","date":"2026-11-24","start":"11:00","end":"11:30","code":"WX-0001"}`, 409, "invalid_state"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := a.h.View().Seq
			r := a.call(t, c, "POST", path, wechat, tc.body)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("%s: %d %+v, want %d %s", tc.body, r.status, r.Error, tc.status, tc.code)
			}
			if a.h.View().Seq != before {
				t.Fatal("a refused booking stored events")
			}
		})
	}
	t.Run("ErrUnauthorized", func(t *testing.T) {
		for _, hdr := range []map[string]string{{"Authorization": "Bearer wechat:wrong"}, {"Authorization": "Bearer nobody:x"}, nil} {
			r := a.call(t, c, "POST", path, hdr, `{"service":"social","date":"2026-11-24","start":"11:00","end":"11:30"}`)
			if r.status != 401 {
				t.Fatalf("%v: %d %+v, want 401", hdr, r.status, r.Error)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		r := a.call(t, c, "POST", path, kiosk, `{"service":"social","date":"2026-11-24","start":"11:00","end":"11:30"}`)
		if r.status != 403 {
			t.Fatalf("a kiosk booking: %d, want 403", r.status)
		}
		sc, csrf := a.login(t, "s01", "pw1")
		if r := a.call(t, sc, "POST", path, csrf, `{"service":"social","date":"2026-11-24","start":"11:00","end":"11:30"}`); r.status != 403 {
			t.Fatalf("staff booking: %d, want 403", r.status)
		}
	})
	t.Run("OKSupervisor", func(t *testing.T) {
		sc, csrf := a.login(t, "super", "pw2")
		if r := a.call(t, sc, "POST", path, csrf, `{"service":"social","date":"2026-11-24","start":"11:00","end":"11:30","code":"SUP1"}`); !r.OK {
			t.Fatalf("supervisor booking: %d %+v", r.status, r.Error)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		r := a.call(t, c, "DELETE", path+"/SUP1", wechat, "")
		var b booking
		json.Unmarshal(r.Result, &b)
		if !r.OK || b.Status != "cancelled" {
			t.Fatalf("cancel: %d %+v %s", r.status, r.Error, r.Result)
		}
		if r := a.call(t, c, "POST", path+"/SUP1/cancel", wechat, ""); r.status != 409 {
			t.Fatalf("cancel twice: %d, want 409", r.status)
		}
		if r := a.call(t, c, "POST", path+"/NOPE/cancel", wechat, ""); r.status != 404 || r.code() != "unknown_appointment" {
			t.Fatalf("cancel unknown: %d %+v", r.status, r.Error)
		}
		if r := a.call(t, c, "DELETE", path+"/"+made.Code, wechat, ""); r.status != 409 {
			t.Fatalf("cancel a used booking: %d, want 409", r.status)
		}
	})
	t.Run("List", func(t *testing.T) {
		r := a.call(t, c, "GET", path+"?date=2026-11-24", wechat, "")
		var l struct {
			Counts       map[string]int `json:"counts"`
			Appointments []booking      `json:"appointments"`
		}
		json.Unmarshal(r.Result, &l)
		if !r.OK || len(l.Appointments) != 2 || l.Counts["booked"] != 1 || l.Counts["cancelled"] != 1 {
			t.Fatalf("list: %d %s", r.status, r.Result)
		}
		if r := a.call(t, c, "GET", path+"/wx-0001", wechat, ""); !r.OK {
			t.Fatalf("get one: %d %+v", r.status, r.Error)
		}
	})
}

func TestCaseLookupOverHTTP(t *testing.T) {
	a := newApptAPI(t)
	c := http.DefaultClient
	sc, csrf := a.login(t, "super", "pw2")
	a.call(t, c, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
	op := func(name, body string) reply {
		return a.call(t, sc, "POST", "/api/v1/halls/t/counters/1/ops/"+name, csrf, body)
	}
	op("counter.open", "")
	op("call.next", "")
	if r := op("serve.finish", `{"case":{"kind":"sometimes","case_no":"X"}}`); r.status != 400 {
		t.Fatalf("unknown kind: %d, want 400", r.status)
	}
	if r := op("serve.finish", `{"case":{"kind":"promised","case_no":"`+strings.Repeat("号", 65)+`"}}`); r.status != 400 {
		t.Fatalf("case_no of 65 characters: %d, want 400", r.status)
	}
	r := op("serve.finish", `{"case":{"kind":"promised","case_no":"NT-2026-77"}}`)
	var fin struct {
		PromisedDate string `json:"promised_date"`
		CaseKind     string `json:"case_kind"`
	}
	json.Unmarshal(r.Result, &fin)
	// Mon Nov 23 + 3 working days (no calendar section: weekend sat/sun) = Thu Nov 26
	if !r.OK || fin.CaseKind != "promised" || fin.PromisedDate != "2026-11-26" {
		t.Fatalf("finish: %d %+v %s", r.status, r.Error, r.Result)
	}
	r = a.call(t, c, "GET", "/api/v1/halls/t/case-lookup?case_no=NT-2026-77", nil, "")
	var rec CaseRecord
	json.Unmarshal(r.Result, &rec)
	if !r.OK || rec.Kind != "promised" || rec.PromisedDate == nil || *rec.PromisedDate != "2026-11-26" || rec.ServiceName.Zh != "社保" {
		t.Fatalf("lookup: %d %s", r.status, r.Result)
	}
	if strings.Contains(string(r.Result), "id_hash") || strings.Contains(string(r.Result), "staff") {
		t.Fatalf("lookup shows personal fields: %s", r.Result)
	}
	if r := a.call(t, c, "GET", "/api/v1/halls/t/case-lookup?ticket_id="+rec.TicketID, nil, ""); !r.OK {
		t.Fatalf("lookup by ticket: %d %+v", r.status, r.Error)
	}
	if r := a.call(t, c, "GET", "/api/v1/halls/t/case-lookup?case_no=NOPE", nil, ""); r.status != 404 {
		t.Fatalf("unknown case: %d, want 404", r.status)
	}
	if r := a.call(t, c, "GET", "/api/v1/halls/t/case-lookup", nil, ""); r.status != 400 {
		t.Fatalf("no case_no: %d, want 400", r.status)
	}
}
