package queue

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// alertSpec is the script hall with the thresholds of CONTRACT §1 supervision.
func alertSpec() *Spec {
	sp := testSpec()
	sp.Supervision = Supervision{RedFactor: 2, IdleWithQueue: 300 * time.Second, LongPause: 900 * time.Second,
		ServiceOver: 1800 * time.Second, DeviceOffline: 60 * time.Second}
	sp.Services["tax"].TargetWait = 3 * time.Second // fractional target_wait_min: 0.05
	return sp
}

func newAlertHarness() *harness {
	sp := alertSpec()
	return &harness{s: NewState(sp), now: time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)}
}

// tick evaluates the alerts at the harness's clock like the hall writer does
// and applies them; it returns them as "kind level subject value" lines.
func (h *harness) tick() []string {
	evs := h.apply(EvaluateAlerts(h.s, h.now, AlertRules()))
	var out []string
	for _, e := range evs {
		a := e.Alert
		subj := deref(a.Service) + deref(a.Counter) + deref(a.Device) + deref(a.CaseID)
		out = append(out, fmt.Sprintf("%s %s %s %s %g", e.Kind, a.Kind, a.Level, subj, a.ValueS))
	}
	return out
}

func (h *harness) must(t *testing.T, cmd Command) {
	t.Helper()
	h.do(cmd) // refusals are fine here: the scenarios only set the scene
}

// TestAlertKinds walks each kind through raise, raise to red and clear
// with a fake clock, checking nothing happens a moment before a threshold.
func TestAlertKinds(t *testing.T) {
	type step struct {
		advance time.Duration
		cmd     Command
		want    []string
	}
	cases := map[string][]step{
		"WaitOverTarget": {
			{0, TakeTicket{Service: "tax"}, nil},
			{3 * time.Second, nil, nil}, // exactly the target: not over it
			{time.Millisecond, nil, []string{"alert.raised wait_over_target yellow tax 3.001"}},
			{2999 * time.Millisecond, nil, nil}, // exactly twice the target: still yellow
			{time.Millisecond, nil, []string{"alert.updated wait_over_target red tax 6.001"}},
			{0, OpenCounter{Counter: "3"}, nil},
			{0, CallNext{Counter: "3"}, []string{"alert.cleared wait_over_target red tax 6.001"}},
			{time.Minute, nil, nil},
		},
		"WaitOverTargetBackToYellow": {
			{0, TakeTicket{Service: "tax"}, nil},
			{2500 * time.Millisecond, TakeTicket{Service: "tax"}, nil},
			{4500 * time.Millisecond, nil, []string{"alert.raised wait_over_target red tax 7"}},
			{0, OpenCounter{Counter: "3"}, nil},
			{0, CallNext{Counter: "3"}, []string{"alert.updated wait_over_target yellow tax 4.5"}}, // the next has waited 4.5 s
			{0, CallNext{Counter: "3"}, []string{"alert.cleared wait_over_target yellow tax 7"}},
		},
		"IdleWithQueue": {
			{0, OpenCounter{Counter: "2"}, nil},
			{10 * time.Minute, TakeTicket{Service: "housing"}, nil}, // idle from the ticket on, not the opening
			{300 * time.Second, nil, nil},
			{time.Second, nil, []string{"alert.raised idle_with_queue yellow 2 301"}},
			{300 * time.Second, nil, []string{"alert.updated idle_with_queue red 2 601"}},
			{0, CallNext{Counter: "2"}, []string{"alert.cleared idle_with_queue red 2 601"}},
		},
		"IdleWithoutQueueIsNoAlert": {
			{0, OpenCounter{Counter: "2"}, nil},
			{2 * time.Hour, nil, nil},
		},
		"LongPause": {
			{0, OpenCounter{Counter: "1"}, nil},
			{time.Minute, PauseCounter{Counter: "1"}, nil},
			{900 * time.Second, nil, nil},
			{time.Second, nil, []string{"alert.raised long_pause yellow 1 901"}},
			{900 * time.Second, nil, []string{"alert.updated long_pause red 1 1801"}},
			{9 * time.Second, ResumeCounter{Counter: "1"}, []string{"alert.cleared long_pause red 1 1810"}},
		},
		"ServiceOver": {
			{0, OpenCounter{Counter: "1"}, nil},
			{0, TakeTicket{Service: "social"}, nil},
			{0, CallNext{Counter: "1"}, nil},
			{time.Minute, StartServing{Counter: "1"}, nil}, // measured from the call
			{1740 * time.Second, nil, nil},
			{time.Second, nil, []string{"alert.raised service_over yellow 1 1801"}},
			{1800 * time.Second, nil, []string{"alert.updated service_over red 1 3601"}},
			{0, Finish{Counter: "1"}, []string{"alert.cleared service_over red 1 3601"}},
		},
		"ServiceOverStartsAgainPerTicket": {
			{0, OpenCounter{Counter: "1"}, nil},
			{0, TakeTicket{Service: "social"}, nil},
			{0, TakeTicket{Service: "social"}, nil},
			{0, CallNext{Counter: "1"}, nil},
			{1801 * time.Second, nil, []string{"alert.raised wait_over_target yellow social 1801", "alert.raised service_over yellow 1 1801"}},
			{0, CallNext{Counter: "1"}, []string{"alert.cleared wait_over_target yellow social 1801", "alert.cleared service_over yellow 1 1801"}},
		},
		"DeviceOffline": {
			{0, ReportPresence{Device: "kiosk-01", Online: true}, nil},
			{time.Hour, ReportPresence{Device: "kiosk-01", Online: false}, nil},
			{60 * time.Second, nil, nil},
			{500 * time.Millisecond, nil, []string{"alert.raised device_offline yellow kiosk-01 60.5"}},
			{60 * time.Second, nil, []string{"alert.updated device_offline red kiosk-01 120.5"}},
			{time.Second, ReportPresence{Device: "kiosk-01", Online: true}, []string{"alert.cleared device_offline red kiosk-01 121.5"}},
		},
		"ClosingClears": {
			{0, OpenCounter{Counter: "1"}, nil},
			{0, PauseCounter{Counter: "1"}, nil},
			{901 * time.Second, nil, []string{"alert.raised long_pause yellow 1 901"}},
			{0, CloseCounter{Counter: "1"}, []string{"alert.cleared long_pause yellow 1 901"}},
		},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			h := newAlertHarness()
			for i, st := range steps {
				h.now = h.now.Add(st.advance)
				if st.cmd != nil {
					h.must(t, st.cmd)
				}
				got := h.tick()
				if strings.Join(got, "\n") != strings.Join(st.want, "\n") {
					t.Fatalf("step %d (%T): got %q, want %q", i, st.cmd, got, st.want)
				}
			}
		})
	}
}

func TestAlertIDsAndFields(t *testing.T) {
	h := newAlertHarness()
	h.do(TakeTicket{Service: "tax"})
	h.now = h.now.Add(4 * time.Second)
	evs := h.apply(EvaluateAlerts(h.s, h.now, AlertRules()))
	if len(evs) != 1 {
		t.Fatalf("events = %v", evs)
	}
	raw, _ := json.Marshal(evs[0].Alert)
	var m map[string]any
	json.Unmarshal(raw, &m)
	for _, k := range []string{"id", "kind", "level", "service", "counter", "device", "case_id", "since", "value_s"} {
		if _, ok := m[k]; !ok {
			t.Errorf("alert %s lacks %q", raw, k)
		}
	}
	if m["counter"] != nil || m["device"] != nil || m["case_id"] != nil || m["service"] != "tax" || m["id"] != "al-1" {
		t.Errorf("alert = %s", raw)
	}
	pub, _ := json.Marshal(evs[0].Public())
	if got, want := string(pub), `{"kind":"restricted"}`; got != want {
		t.Errorf("public alert event = %s, want %s", got, want)
	}
	// Cleared and raised again: a new id, never reused.
	h.do(OpenCounter{Counter: "3"})
	h.do(CallNext{Counter: "3"})
	h.tick()
	h.do(TakeTicket{Service: "tax"})
	h.now = h.now.Add(4 * time.Second)
	evs = h.apply(EvaluateAlerts(h.s, h.now, AlertRules()))
	if len(evs) != 1 || evs[0].Alert.ID != "al-2" {
		t.Fatalf("second alert = %+v", evs)
	}
}

// TestAlertRuleList shows the extension point: a rule appended to the list
// (as the 差评 case rules will be) is raised and cleared by the same engine.
func TestAlertRuleList(t *testing.T) {
	h := newAlertHarness()
	open := true
	caseRule := func(s *State, now time.Time, out []Condition) []Condition {
		if open {
			out = append(out, Condition{Kind: AlertBadRating, Level: Yellow, CaseID: "c-1", Start: now})
		}
		return out
	}
	rules := append(AlertRules(), caseRule)
	evs := h.apply(EvaluateAlerts(h.s, h.now, rules))
	if len(evs) != 1 || evs[0].Kind != EvAlertRaised || deref(evs[0].Alert.CaseID) != "c-1" || evs[0].Alert.Kind != AlertBadRating {
		t.Fatalf("raise = %+v", evs)
	}
	if evs := EvaluateAlerts(h.s, h.now, rules); len(evs) != 0 {
		t.Fatalf("standing alert raised again: %+v", evs)
	}
	open = false
	evs = h.apply(EvaluateAlerts(h.s, h.now, rules))
	if len(evs) != 1 || evs[0].Kind != EvAlertCleared {
		t.Fatalf("clear = %+v", evs)
	}
}

// naiveWait is the wait_over_target measure written the obvious way: the
// longest wait over every waiting ticket of the service.
func naiveWait(s *State, svc string, now time.Time) (time.Duration, bool) {
	var longest time.Duration
	found := false
	for _, t := range s.Tickets {
		if t.Status == Waiting && t.Service == svc {
			if w := now.Sub(t.IssuedAt); !found || w > longest {
				longest, found = w, true
			}
		}
	}
	return longest, found
}

// TestAlertProperties runs random commands and clock steps, evaluating
// alerts after each like the writer, and checks: evaluation reaches a fixed
// point at once, standing wait and service alerts match naive measures,
// ids are never reused, and replaying the journal rebuilds the alerts.
func TestAlertProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newAlertHarness()
		sp := h.s.Spec
		sp.Services["social"].TargetWait = 20 * time.Second
		sp.Supervision = Supervision{RedFactor: rapid.SampledFrom([]float64{1, 1.5, 2, 3}).Draw(t, "red"),
			IdleWithQueue: 30 * time.Second, LongPause: 40 * time.Second, ServiceOver: 50 * time.Second, DeviceOffline: 10 * time.Second}
		ids := map[string]bool{}
		for step := 0; step < 60; step++ {
			if rapid.IntRange(0, 3).Draw(t, "wait") == 0 {
				h.now = h.now.Add(time.Duration(rapid.IntRange(1, 120).Draw(t, "secs")) * time.Second)
			}
			if rapid.IntRange(0, 5).Draw(t, "presence") == 0 {
				h.do(ReportPresence{Device: "kiosk-01", Online: rapid.Bool().Draw(t, "online")})
			} else {
				h.do(genCommand(t, sp, h))
			}
			for _, e := range h.apply(EvaluateAlerts(h.s, h.now, AlertRules())) {
				if e.Kind == EvAlertRaised {
					if ids[e.Alert.ID] {
						t.Fatalf("alert id %s reused", e.Alert.ID)
					}
					ids[e.Alert.ID] = true
				}
			}
			if again := EvaluateAlerts(h.s, h.now, AlertRules()); len(again) != 0 {
				t.Fatalf("no fixed point: %+v", again)
			}
			byKey := map[alertSubject]*Alert{}
			for _, a := range h.s.Alerts {
				byKey[a.key()] = a
			}
			for _, svc := range sp.ServiceOrder {
				w, ok := naiveWait(h.s, svc, h.now)
				lvl, over := levelOf(w, sp.Services[svc].TargetWait, sp.Supervision.RedFactor)
				a := byKey[subjectOf(AlertWaitOverTarget, svc, "", "", "")]
				if (ok && over) != (a != nil) || (a != nil && a.Level != lvl) {
					t.Fatalf("service %s waited %v: alert %+v, want level %q", svc, w, a, lvl)
				}
			}
			for _, id := range sp.CounterOrder {
				c := h.s.Counters[id]
				a := byKey[subjectOf(AlertServiceOver, "", id, "", "")]
				var want string
				if tk := h.s.Tickets[c.Current]; c.Open && tk != nil {
					want, _ = levelOf(h.now.Sub(tk.CalledAt), sp.Supervision.ServiceOver, sp.Supervision.RedFactor)
				}
				if (want != "") != (a != nil) || (a != nil && a.Level != want) {
					t.Fatalf("counter %s: service alert %+v, want %q", id, a, want)
				}
			}
		}
		// Replay: the journal alone rebuilds the standing alerts.
		r := NewState(sp)
		for i := range h.log {
			e := h.log[i]
			Apply(r, &e)
		}
		if got, want := alertIDs(r), alertIDs(h.s); got != want || r.AlertN != h.s.AlertN {
			t.Fatalf("replayed alerts %s, live %s", got, want)
		}
	})
}

func alertIDs(s *State) string {
	var ids []string
	for id, a := range s.Alerts {
		ids = append(ids, id+":"+a.Level)
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// TestDayStats: the day's service level counts first calls only, within the
// service target; satisfaction counts levels 5, 4 and 3 as 好评.
func TestDayStats(t *testing.T) {
	h := newAlertHarness()
	h.do(OpenCounter{Counter: "3"})
	h.do(TakeTicket{Service: "tax"})
	h.do(TakeTicket{Service: "tax"})
	h.do(CallNext{Counter: "3"}) // waited 0 s: within the 3 s target
	h.do(Finish{Counter: "3"})
	h.do(SubmitRating{Counter: "3", Level: 5})
	h.now = h.now.Add(10 * time.Second)
	h.do(CallNext{Counter: "3"}) // waited 10 s: over it
	h.do(MarkNoShow{Counter: "3"})
	h.do(Reinstate{TicketID: h.s.Counters["3"].LastFinished}) // not a ticket of this call
	tk := h.s.TicketByNumber("C002")
	h.do(Reinstate{TicketID: tk.ID})
	h.do(CallNext{Counter: "3"}) // a second call of C002: not counted again
	h.do(Finish{Counter: "3"})
	h.do(SubmitRating{Counter: "3", Level: 2})
	d := h.s.Today
	if d.Called != 2 || d.WithinTarget != 1 || d.Rated() != 2 || *d.GoodRate() != 0.5 || *d.ServiceLevel() != 0.5 {
		t.Fatalf("today = %+v", d)
	}
	h.now = h.now.Add(24 * time.Hour)
	h.do(TakeTicket{Service: "tax"})
	if d := h.s.Today; d.Called != 0 || d.Rated() != 0 || d.ServiceLevel() != nil || d.GoodRate() != nil {
		t.Fatalf("today after rollover = %+v", d)
	}
}

// FuzzAlerts drives the alert harness with commands and clock steps read
// from the input: the engine never panics, reaches a fixed point after each
// run, and never stands two alerts for one subject.
func FuzzAlerts(f *testing.F) {
	f.Add([]byte{0, 0, 1, 3, 2, 10, 3, 60, 4, 5, 5, 20, 6, 1, 7, 33, 8, 2})
	f.Add([]byte{1, 2, 0, 0, 0, 0, 6, 63, 6, 63, 2, 63, 5, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		h := newAlertHarness()
		counters := h.s.Spec.CounterOrder
		services := h.s.Spec.ServiceOrder
		for i := 0; i+1 < len(data) && i < 400; i += 2 {
			op, arg := data[i], data[i+1]
			h.now = h.now.Add(time.Duration(arg%64) * time.Second)
			c := counters[int(arg)%len(counters)]
			switch op % 10 {
			case 0:
				h.do(TakeTicket{Service: services[int(arg)%len(services)]})
			case 1:
				h.do(OpenCounter{Counter: c})
			case 2:
				h.do(CallNext{Counter: c})
			case 3:
				h.do(Finish{Counter: c})
			case 4:
				h.do(PauseCounter{Counter: c})
			case 5:
				h.do(ResumeCounter{Counter: c})
			case 6:
				h.now = h.now.Add(time.Duration(arg) * time.Minute)
			case 7:
				h.do(ReportPresence{Device: "kiosk-01", Online: arg%2 == 0})
			case 8:
				h.do(CloseCounter{Counter: c})
			default:
				h.do(Transfer{Counter: c, ToCounter: counters[int(arg/3)%len(counters)]})
			}
			h.apply(EvaluateAlerts(h.s, h.now, AlertRules()))
			if again := EvaluateAlerts(h.s, h.now, AlertRules()); len(again) != 0 {
				t.Fatalf("no fixed point: %+v", again)
			}
			seen := map[alertSubject]string{}
			for id, a := range h.s.Alerts {
				if other, dup := seen[a.key()]; dup {
					t.Fatalf("alerts %s and %s stand for one subject", id, other)
				}
				seen[a.key()] = id
			}
		}
	})
}

// TestCaseRules: bad_rating stands while a case is open; case_overdue turns
// up past verify_by (open) or rectify_by (verified) and clears with the step.
func TestCaseRules(t *testing.T) {
	h := newAlertHarness()
	c := &Case{ID: "c-1", Status: CaseOpen, Counter: "1", Service: "social", CreatedAt: h.now,
		VerifyBy: h.now.Add(24 * time.Hour), RectifyBy: h.now.Add(15 * 24 * time.Hour)}
	h.s.Cases = map[string]*Case{c.ID: c}
	rules := []AlertRule{ruleBadRating, ruleCaseOverdue}
	step := func(advance time.Duration, want ...string) {
		t.Helper()
		h.now = h.now.Add(advance)
		var got []string
		for _, e := range h.apply(EvaluateAlerts(h.s, h.now, rules)) {
			got = append(got, fmt.Sprintf("%s %s %s %s %g", e.Kind, e.Alert.Kind, e.Alert.Level, deref(e.Alert.CaseID), e.Alert.ValueS))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	step(0, "alert.raised bad_rating yellow c-1 0")
	step(24 * time.Hour) // exactly at verify_by: not past it
	step(time.Second, "alert.raised case_overdue red c-1 1")
	c.Status = CaseVerified // verified late: bad_rating and that overdue clear
	step(time.Second, "alert.cleared bad_rating yellow c-1 86402", "alert.cleared case_overdue red c-1 2")
	step(14*24*time.Hour - 2*time.Second)
	step(time.Minute, "alert.raised case_overdue red c-1 60")
	c.Status = CaseRectified
	step(time.Second, "alert.cleared case_overdue red c-1 61")
	if len(h.s.Alerts) != 0 {
		t.Fatalf("standing = %v", h.s.Alerts)
	}
}
