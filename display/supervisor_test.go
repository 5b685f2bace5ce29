package display

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/queue"
)

// supervisorHeader stands in for a supervisor's session in these tests; the
// real session check is wired and tested in cmd/hallqd.
func supervisorOnly(r *http.Request) int {
	switch r.Header.Get("X-Test-Role") {
	case "supervisor":
		return http.StatusOK
	case "staff":
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

func dialSupervisor(tb testing.TB, url string) *screen {
	tb.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"X-Test-Role": {"supervisor"}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	tb.Cleanup(func() { conn.Close() })
	return &screen{tb: tb, conn: conn}
}

// raiseAlert takes a ticket and moves the clock past its service's target
// wait, so the writer raises wait_over_target; it returns the seq after.
func raiseAlert(t *testing.T, th *testHall, clock *testClock) int64 {
	t.Helper()
	th.do(t, queue.TakeTicket{Service: "tax"})
	clock.Set(clock.Now().Add(31 * time.Minute))
	th.Query(context.Background(), func(*queue.State) {})
	if al := th.View().Alerts; len(al) != 1 || al[0].Kind != queue.AlertWaitOverTarget {
		t.Fatalf("alerts = %+v", al)
	}
	return th.View().Seq
}

// TestSupervisorStream: the supervisor view's snapshot has state.alerts and
// its events carry the alerts in full; the public stream has no alerts in
// its snapshot and sees each alert event as {"kind":"restricted"} with its
// seq, gap-free; resuming with since works for both, also after a restart.
func TestSupervisorStream(t *testing.T) {
	checkGoroutines(t)
	dir := t.TempDir()
	clock := &testClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	th := MustOpenHall(t, dir, clock.Now)
	hub := MustStartHub(t, th, HubConfig{Supervisor: supervisorOnly}, nil)

	t.Run("ErrUnauthorized", func(t *testing.T) {
		for _, q := range []string{"view=supervisor", "view=supervisor&since=0"} {
			_, resp, err := websocket.DefaultDialer.Dial(hub.url("t1", q), nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s without a session: err %v, resp %v", q, err, resp)
			}
		}
		_, resp, err := websocket.DefaultDialer.Dial(hub.url("t1", "view=supervisor"), http.Header{"X-Test-Role": {"staff"}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff session: err %v, resp %v", err, resp)
		}
		_, resp, err = websocket.DefaultDialer.Dial(hub.url("t1", "view=nope"), nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown view: err %v, resp %v", err, resp)
		}
	})

	pub := dialScreen(t, hub.url("t1", ""), nil)
	ps := pub.snapshot()
	if strings.Contains(string(ps.State), `"alerts"`) {
		t.Fatalf("public snapshot has alerts: %s", ps.State)
	}
	sup := dialSupervisor(t, hub.url("t1", "view=supervisor"))
	ss := sup.snapshot()
	var st struct {
		Alerts   []queue.Alert     `json:"alerts"`
		Counters []json.RawMessage `json:"counters"`
	}
	if err := json.Unmarshal(ss.State, &st); err != nil || st.Alerts == nil || len(st.Alerts) != 0 || len(st.Counters) != 4 {
		t.Fatalf("supervisor snapshot state = %s (%v)", ss.State, err)
	}
	before := ps.Seq
	last := raiseAlert(t, th, clock)

	pubEvs := pub.eventsThrough(before, last)
	if raw := pub.raw[len(pub.raw)-1]; string(raw) != `{"type":"event","seq":`+itoa(last)+`,"event":{"kind":"restricted"}}` {
		t.Fatalf("public alert message = %s", raw)
	}
	supEvs := sup.eventsThrough(before, last)
	if len(pubEvs) != len(supEvs) {
		t.Fatalf("public saw %d events, supervisor %d", len(pubEvs), len(supEvs))
	}
	alertMsg := supEvs[len(supEvs)-1].Event
	al, _ := alertMsg["alert"].(map[string]any)
	if alertMsg["kind"] != "alert.raised" || al == nil || al["kind"] != "wait_over_target" || al["service"] != "tax" || al["level"] != "yellow" {
		t.Fatalf("supervisor alert event = %v", alertMsg)
	}
	id := al["id"].(string)

	// A new supervisor snapshot holds the standing alert; the public not.
	if s := dialSupervisor(t, hub.url("t1", "view=supervisor")).snapshot(); !strings.Contains(string(s.State), `"id":"`+id+`"`) {
		t.Fatalf("supervisor snapshot lacks %s: %s", id, s.State)
	}
	if s := dialScreen(t, hub.url("t1", ""), nil).snapshot(); strings.Contains(string(s.State), id) {
		t.Fatalf("public snapshot shows %s: %s", id, s.State)
	}

	resume := func(t *testing.T, hub *testHub) {
		t.Helper()
		p := dialScreen(t, hub.url("t1", "since="+itoa(before)), nil)
		if evs := p.eventsThrough(before, last); evs[len(evs)-1].Event["kind"] != "restricted" || len(evs[len(evs)-1].Event) != 1 {
			t.Fatalf("public resume ends with %v", evs[len(evs)-1].Event)
		}
		s := dialSupervisor(t, hub.url("t1", "view=supervisor&since="+itoa(before)))
		evs := s.eventsThrough(before, last)
		if e := evs[len(evs)-1].Event; e["kind"] != "alert.raised" || e["alert"].(map[string]any)["id"] != id {
			t.Fatalf("supervisor resume ends with %v", e)
		}
	}
	t.Run("ResumeFromMemory", func(t *testing.T) { resume(t, hub) })

	// After a restart the hub reads the events back from the journal.
	hub.Close()
	th.Close()
	th2 := MustOpenHall(t, dir, clock.Now)
	hub2 := MustStartHub(t, th2, HubConfig{Supervisor: supervisorOnly}, nil)
	t.Run("ResumeAfterRestart", func(t *testing.T) { resume(t, hub2) })

	// Clearing reaches the supervisor; the public sees restricted again.
	p := dialScreen(t, hub2.url("t1", "since="+itoa(last)), nil)
	s := dialSupervisor(t, hub2.url("t1", "view=supervisor&since="+itoa(last)))
	th2.do(t, queue.OpenCounter{Counter: "4"})
	th2.do(t, queue.CallNext{Counter: "4"})
	clock.Set(clock.Now().Add(time.Second)) // the next run of the rules (as on the tick)
	th2.Query(context.Background(), func(*queue.State) {})
	end := th2.View().Seq
	evs := s.eventsThrough(last, end)
	if e := evs[len(evs)-1].Event; e["kind"] != "alert.cleared" || e["alert"].(map[string]any)["id"] != id {
		t.Fatalf("last supervisor event = %v", e)
	}
	if evs := p.eventsThrough(last, end); evs[len(evs)-1].Event["kind"] != "restricted" {
		t.Fatalf("last public event = %v", evs[len(evs)-1].Event)
	}
}
