package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const evalYAML = `
hall: {id: t, name: {zh: 测试中心, en: Test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
  - {id: "2", name: {zh: 2号窗口, en: Window 2}, services: [social]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
  - {id: rater-1, kind: rater, counter: "1", secret: r1}
  - {id: rater-2, kind: rater, counter: "2", secret: r2}
staff:
  - {id: s01, name: 张敏, staff_no: "A0317", unit: 人社局, role: staff, password: pw1}
  - {id: s02, name: 王磊, staff_no: "A0322", unit: 人社局, role: staff, password: pw3}
  - {id: s09, name: 赵军, role: staff, password: pw9, counters: ["2"]}
  - {id: super, name: 主任, role: supervisor, password: pw2}
`

var rater1 = map[string]string{"Authorization": "Bearer rater-1:r1"}

// serveAndRate serves one ticket at counter 1 as staff c and rates it level
// at the rater page's endpoint; it returns the rating result.
func serveAndRate(t *testing.T, a *testAPI, c *http.Client, csrf map[string]string, level int, extra string) map[string]any {
	t.Helper()
	a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
	if r := a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/call.next", csrf, ""); !r.OK {
		t.Fatalf("call.next: %+v", r.Error)
	}
	if r := a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/serve.finish", csrf, ""); !r.OK {
		t.Fatalf("finish: %+v", r.Error)
	}
	p := a.call(t, http.DefaultClient, "GET", "/api/v1/halls/t/counters/1/rating-prompt", rater1, "")
	var pr struct {
		Prompt *struct {
			TicketID string `json:"ticket_id"`
			Staff    struct {
				Name, StaffNo, Unit *string
			} `json:"staff"`
		} `json:"prompt"`
	}
	json.Unmarshal(p.Result, &pr)
	if pr.Prompt == nil || pr.Prompt.TicketID == "" {
		t.Fatalf("no prompt after a finish: %s", p.Result)
	}
	r := a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/counters/1/rating", rater1,
		fmt.Sprintf(`{"level":%d,"ticket_id":%q%s}`, level, pr.Prompt.TicketID, extra))
	if !r.OK {
		t.Fatalf("rating: %d %+v", r.status, r.Error)
	}
	var res map[string]any
	json.Unmarshal(r.Result, &res)
	return res
}

func TestRatingOverHTTP(t *testing.T) {
	a := newTestAPIWith(t, evalYAML)
	c, csrf := a.login(t, "s01", "pw1")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/signin", csrf, "")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", csrf, "")
	t.Run("ErrBadInput", func(t *testing.T) {
		a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/tickets", kiosk, `{"service":"social"}`)
		a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/call.next", csrf, "")
		a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/serve.finish", csrf, "")
		for _, body := range []string{`{"level":2,"dims":{"mood":1}}`, `{"level":2,"dims":{"attitude":0}}`,
			`{"level":2,"reasons":[1]}`, `{"level":2,"text":"` + strings.Repeat("字", 501) + `"}`, `{"level":2.5}`, `{"level":"2"}`} {
			if r := a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/counters/1/rating", rater1, body); r.status != 400 || r.code() != "bad_request" {
				t.Errorf("%s: %d %s, want 400 bad_request", body, r.status, r.code())
			}
		}
		if n := len(a.cases(t, "all")); n != 0 {
			t.Fatalf("bad input stored %d cases", n)
		}
		if r := a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/counters/2/rating", rater1, `{"level":5}`); r.status != 403 {
			t.Errorf("rater-1 rating counter 2: %d, want 403", r.status)
		}
		if r := a.call(t, c, "POST", "/api/v1/halls/t/counters/1/rating", csrf, `{"level":5}`); r.status != 403 {
			t.Errorf("staff rating their own service: %d, want 403", r.status)
		}
		r := a.call(t, http.DefaultClient, "POST", "/api/v1/halls/t/counters/1/rating", rater1, `{"level":4}`)
		if !r.OK {
			t.Fatalf("good rating after bad ones: %+v", r.Error)
		}
	})
	t.Run("OKBadRatingOpensCase", func(t *testing.T) {
		res := serveAndRate(t, a, c, csrf, 2, `,"dims":{"attitude":1},"reasons":["服务态度差"],"text":"不耐烦"`)
		if res["rating_id"] == nil || res["case_id"] == nil || res["staff_id"] != "s01" {
			t.Fatalf("result %v", res)
		}
		cs := a.cases(t, "open")
		if len(cs) != 1 || cs[0]["case_id"] != res["case_id"] || cs[0]["text"] != "不耐烦" || cs[0]["status"] != "open" {
			t.Fatalf("open cases = %v", cs)
		}
	})
}

// cases lists the cases as the supervisor sees them.
func (a *testAPI) cases(t *testing.T, status string) []map[string]any {
	t.Helper()
	sc, _ := a.login(t, "super", "pw2")
	r := a.call(t, sc, "GET", "/api/v1/halls/t/cases?status="+status, nil, "")
	if !r.OK {
		t.Fatalf("list cases: %d %+v", r.status, r.Error)
	}
	var out struct {
		Cases []map[string]any `json:"cases"`
	}
	json.Unmarshal(r.Result, &out)
	return out.Cases
}

func TestCaseStepsOverHTTP(t *testing.T) {
	a := newTestAPIWith(t, evalYAML)
	c, csrf := a.login(t, "s01", "pw1")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/signin", csrf, "")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", csrf, "")
	id := serveAndRate(t, a, c, csrf, 1, "")["case_id"].(string)
	sc, scsrf := a.login(t, "super", "pw2")
	step := func(cl *http.Client, hdr map[string]string, action, body string) reply {
		return a.call(t, cl, "POST", "/api/v1/halls/t/cases/"+id+"/"+action, hdr, body)
	}
	with := func(k, v string) map[string]string {
		return map[string]string{"X-CSRF-Token": scsrf["X-CSRF-Token"], k: v}
	}
	if r := step(c, csrf, "verify", `{"valid":true}`); r.status != 403 || r.code() != "forbidden" {
		t.Fatalf("staff stepping a case: %d %s, want 403", r.status, r.code())
	}
	if r := step(sc, nil, "verify", `{"valid":true}`); r.status != 403 {
		t.Fatalf("without CSRF: %d, want 403", r.status)
	}
	if r := step(http.DefaultClient, rater1, "verify", `{"valid":true}`); r.status != 403 {
		t.Fatalf("a device stepping a case: %d, want 403", r.status)
	}
	if r := step(sc, scsrf, "rectify", `{"note":"x"}`); r.status != 409 || r.code() != "invalid_state" {
		t.Fatalf("rectify before verify: %d %s", r.status, r.code())
	}
	if r := step(sc, scsrf, "verify", `{"note":"x"}`); r.status != 400 {
		t.Fatalf("verify without valid: %d %s", r.status, r.code())
	}
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/cases/C-nope/verify", scsrf, `{"valid":true}`); r.status != 404 {
		t.Fatalf("unknown case: %d %s", r.status, r.code())
	}
	first := step(sc, with("Idempotency-Key", "v1"), "verify", `{"valid":true,"note":"属实"}`)
	again := step(sc, with("Idempotency-Key", "v1"), "verify", `{"valid":true,"note":"属实"}`)
	if !first.OK || string(first.Result) != string(again.Result) {
		t.Fatalf("verify twice with one key: %s / %s", first.Result, again.Result)
	}
	for _, s := range []struct{ action, body string }{{"rectify", `{"note":"已整改"}`}, {"callback", `{"reached":true,"level":4,"note":"满意"}`}} {
		if r := step(sc, scsrf, s.action, s.body); !r.OK {
			t.Fatalf("%s: %d %+v", s.action, r.status, r.Error)
		}
	}
	closed := a.cases(t, "closed")
	if len(closed) != 1 {
		t.Fatalf("closed cases = %v", closed)
	}
	k := closed[0]
	hist, _ := k["history"].([]any)
	var actions []string
	for _, h := range hist {
		m := h.(map[string]any)
		actions = append(actions, m["action"].(string))
		if m["action"] != "opened" && m["by"] != "super" {
			t.Errorf("step %v not credited to super", m)
		}
	}
	if got := strings.Join(actions, ","); got != "opened,verify,rectify,callback" {
		t.Fatalf("history = %s (one verify for one Idempotency-Key)", got)
	}
	if k["followup_level"] != 4.0 || k["status"] != "closed" {
		t.Fatalf("case = %v", k)
	}
	if n := len(a.cases(t, "open")); n != 0 {
		t.Fatalf("%d open cases after closing", n)
	}
	if r := a.call(t, sc, "GET", "/api/v1/halls/t/cases?status=bogus", nil, ""); r.status != 400 {
		t.Fatalf("bad status filter: %d", r.status)
	}
}

func TestHandoverOverHTTP(t *testing.T) {
	a := newTestAPIWith(t, evalYAML)
	c1, csrf1 := a.login(t, "s01", "pw1")
	c2, csrf2 := a.login(t, "s02", "pw3")
	c9, csrf9 := a.login(t, "s09", "pw9")
	a.call(t, c1, "POST", "/api/v1/halls/t/counters/1/signin", csrf1, "")
	if r := a.call(t, c1, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", csrf1, `{"staff_id":"s02"}`); r.status != 403 {
		t.Fatalf("opening as someone else: %d, want 403", r.status)
	}
	a.call(t, c1, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", csrf1, "")
	if r := a.call(t, c9, "POST", "/api/v1/halls/t/counters/1/signin", csrf9, ""); r.status != 403 {
		t.Fatalf("s09 signing in at a counter not theirs: %d %s, want 403", r.status, r.code())
	}
	if r := a.call(t, c2, "POST", "/api/v1/halls/t/counters/1/signin", csrf2, ""); !r.OK {
		t.Fatalf("handover sign-in: %+v", r.Error)
	}
	if r := a.call(t, c1, "POST", "/api/v1/halls/t/counters/1/ops/call.next", csrf1, ""); r.status != 403 {
		t.Fatalf("the first's session after the handover: %d %s, want 403", r.status, r.code())
	}
	res := serveAndRate(t, a, c2, csrf2, 5, "")
	if res["staff_id"] != "s02" {
		t.Fatalf("rating after the handover credited to %v, want s02", res["staff_id"])
	}
}

func TestComplaintsOverHTTP(t *testing.T) {
	a := newTestAPIWith(t, evalYAML)
	sc, scsrf := a.login(t, "super", "pw2")
	c, csrf := a.login(t, "s01", "pw1")
	if r := a.call(t, c, "POST", "/api/v1/halls/t/complaints", csrf, `{"channel":"phone","counter":"1","text":"x"}`); r.status != 403 {
		t.Fatalf("staff logging a complaint: %d", r.status)
	}
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/complaints", scsrf, `{"channel":"fax","counter":"1","text":"x"}`); r.status != 400 {
		t.Fatalf("bad channel: %d", r.status)
	}
	r := a.call(t, sc, "POST", "/api/v1/halls/t/complaints", scsrf, `{"channel":"hotline","counter":"1","staff_id":"s01","text":"态度生硬"}`)
	var k struct {
		ID    string `json:"complaint_id"`
		DueBy string `json:"due_by"`
	}
	json.Unmarshal(r.Result, &k)
	if !r.OK || k.ID == "" || k.DueBy == "" {
		t.Fatalf("log: %d %s %+v", r.status, r.Result, r.Error)
	}
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/complaints/"+k.ID+"/close", scsrf, `{"note":"已回复"}`); !r.OK {
		t.Fatalf("close: %+v", r.Error)
	}
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/complaints/"+k.ID+"/close", scsrf, `{"note":"again"}`); r.status != 409 {
		t.Fatalf("close twice: %d", r.status)
	}
	l := a.call(t, sc, "GET", "/api/v1/halls/t/complaints?status=closed", nil, "")
	if !strings.Contains(string(l.Result), "已回复") {
		t.Fatalf("closed complaints = %s", l.Result)
	}
}

// TestOverdueCases: a case opened ten days ago and never verified is listed
// as overdue, and not once it is verified (its rectify_by is still ahead).
func TestOverdueCases(t *testing.T) {
	var offset atomic.Int64
	offset.Store(int64(-10 * 24 * time.Hour))
	a := newTestAPIClock(t, evalYAML, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	c, csrf := a.login(t, "s01", "pw1")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/signin", csrf, "")
	a.call(t, c, "POST", "/api/v1/halls/t/counters/1/ops/counter.open", csrf, "")
	id := serveAndRate(t, a, c, csrf, 2, "")["case_id"].(string)
	if n := len(a.cases(t, "overdue")); n != 0 {
		t.Fatalf("%d overdue cases on the day of the rating", n)
	}
	offset.Store(0) // ten days later
	over := a.cases(t, "overdue")
	if len(over) != 1 || over[0]["case_id"] != id || over[0]["overdue"] != true {
		t.Fatalf("overdue cases = %v", over)
	}
	sc, scsrf := a.login(t, "super", "pw2")
	if r := a.call(t, sc, "POST", "/api/v1/halls/t/cases/"+id+"/verify", scsrf, `{"valid":true}`); !r.OK {
		t.Fatalf("verify: %+v", r.Error)
	}
	if over := a.cases(t, "overdue"); len(over) != 0 {
		t.Fatalf("still overdue after verify, with rectify_by ahead: %v", over)
	}
}
