package queue

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt with the current outputs")

// testSpec is the hall every script and property test runs against.
func testSpec() *Spec {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	sp := &Spec{HallID: "t", HallName: Name{Zh: "测试中心", En: "Test"}, Location: loc, RecallLimit: 2,
		RatingWindow: 120 * time.Second,
		Hours:        []Hours{{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute}},
		Services: map[string]*ServiceSpec{
			"social":  {ID: "social", Prefix: "A", Name: Name{Zh: "社保", En: "Social"}, DailyQuota: 5, TargetWait: 30 * time.Minute, AvgService: 300 * time.Second},
			"housing": {ID: "housing", Prefix: "B", Name: Name{Zh: "公积金", En: "Housing"}, TargetWait: 30 * time.Minute, AvgService: 600 * time.Second},
			"tax":     {ID: "tax", Prefix: "C", Name: Name{Zh: "税务", En: "Tax"}, TargetWait: 30 * time.Minute, AvgService: 300 * time.Second},
		},
		ServiceOrder: []string{"social", "housing", "tax"},
		Counters: map[string]*CounterSpec{
			"1": {ID: "1", Name: Name{Zh: "1号窗口", En: "Window 1"}, Services: []string{"social", "housing"}},
			"2": {ID: "2", Name: Name{Zh: "2号窗口", En: "Window 2"}, Services: []string{"housing"}},
			"3": {ID: "3", Name: Name{Zh: "3号窗口", En: "Window 3"}, Services: []string{"tax"}},
		},
		CounterOrder: []string{"1", "2", "3"},
		Devices:      map[string]*DeviceSpec{"kiosk-01": {ID: "kiosk-01", Kind: "kiosk"}},
		DeviceOrder:  []string{"kiosk-01"},
	}
	return sp
}

// harness drives a state through Decide and Apply like the hall runtime does.
type harness struct {
	s   *State
	now time.Time
	seq int64
	log []Event
	// messages makes error lines carry the refusal's message (script line "messages").
	messages bool
}

func newHarness() *harness {
	sp := testSpec()
	return &harness{s: NewState(sp), now: time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)}
}

func (h *harness) apply(evs []Event) []Event {
	for i := range evs {
		h.seq++
		evs[i].Seq = h.seq
		Apply(h.s, &evs[i])
	}
	h.log = append(h.log, evs...)
	return evs
}

// do runs one command and returns its events, result and refusal.
func (h *harness) do(cmd Command) ([]Event, any, *Error) {
	roll := h.apply(Rollover(h.s, h.now))
	out := Decide(h.s, h.now, cmd)
	evs := append(roll, h.apply(out.Events)...)
	var res any
	if out.Err == nil && out.Result != nil {
		res = out.Result(h.s)
	}
	return evs, res, out.Err
}

func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scripts in testdata")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := runScript(t, string(src))
			if *update {
				os.WriteFile(f, []byte(got), 0o644)
				return
			}
			if got != string(src) {
				t.Fatalf("script output changed: rerun with -update and review the diff\n%s", firstDiff(string(src), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return ""
}

// runScript runs each command line and writes its outcome below it as "> " lines.
func runScript(t *testing.T, src string) string {
	h := newHarness()
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		if strings.HasPrefix(line, "> ") {
			continue
		}
		b.WriteString(line + "\n")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, out := range h.run(t, line) {
			b.WriteString("> " + out + "\n")
		}
	}
	return b.String()
}

func (h *harness) run(t *testing.T, line string) []string {
	f := strings.Fields(line)
	kv := map[string]string{}
	var pos []string
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	var cmd Command
	switch f[0] {
	case "at":
		if d, err := time.ParseDuration(strings.TrimPrefix(arg(0), "+")); err == nil && strings.HasPrefix(arg(0), "+") {
			h.now = h.now.Add(d)
		} else if tm, err := time.ParseInLocation("2006-01-02T15:04", arg(0), h.s.Spec.Location); err == nil {
			h.now = tm
		} else {
			c, err := ParseClock(arg(0))
			if err != nil {
				t.Fatalf("bad time %q", arg(0))
			}
			y, m, d := h.now.Date()
			h.now = time.Date(y, m, d, 0, 0, 0, 0, h.s.Spec.Location).Add(c)
		}
		return nil
	case "take":
		cmd = TakeTicket{Service: arg(0), Channel: kv["channel"], AppointmentCode: kv["code"], IDHash: kv["id"]}
	case "open":
		cmd = OpenCounter{Counter: arg(0), StaffID: kv["staff"]}
	case "close":
		cmd = CloseCounter{Counter: arg(0)}
	case "pause":
		cmd = PauseCounter{Counter: arg(0), Reason: kv["reason"]}
	case "resume":
		cmd = ResumeCounter{Counter: arg(0)}
	case "next":
		cmd = CallNext{Counter: arg(0)}
	case "recall":
		cmd = Recall{Counter: arg(0)}
	case "number":
		cmd = CallNumber{Counter: arg(0), Number: arg(1)}
	case "start":
		cmd = StartServing{Counter: arg(0)}
	case "finish": // finish COUNTER [case=KIND] [no=CASE_NO] [lead=COUNTER]
		f := Finish{Counter: arg(0)}
		if k, ok := kv["case"]; ok {
			f.Case = &CaseInfo{Kind: k, No: kv["no"], LeadCounter: kv["lead"]}
		}
		cmd = f
	case "noshow":
		cmd = MarkNoShow{Counter: arg(0)}
	case "transfer":
		cmd = Transfer{Counter: arg(0), ToService: kv["service"], ToCounter: kv["counter"]}
	case "hold":
		cmd = Hold{Counter: arg(0), Reason: kv["reason"]}
	case "unhold":
		cmd = ResumeHeld{Counter: arg(0)}
	case "reinstate":
		cmd = Reinstate{TicketID: arg(0)}
	case "cancel":
		cmd = Cancel{TicketID: arg(0)}
	case "rate":
		cmd, _, _ = h.evalCommand(t, "rate", arg, pos, kv)
	case "book": // book CODE SERVICE START [END] [date=YYYY-MM-DD]; END defaults to START+30m
		date := kv["date"]
		if date == "" {
			date = h.now.Format("2006-01-02")
		}
		end := arg(3)
		if end == "" {
			c, _ := ParseClock(arg(2))
			end = fmt.Sprintf("%02d:%02d", int((c+30*time.Minute)/time.Hour), int((c+30*time.Minute)%time.Hour/time.Minute))
		}
		cmd = BookAppointment{Code: arg(0), Service: arg(1), Date: date, Start: arg(2), End: end}
	case "unbook":
		cmd = CancelAppointment{Code: arg(0)}
	case "tick": // the runtime's tick: 未评价 visits, no-shows of appointments, then the day's rollover
		evs := h.apply(Unrated(h.s, h.now))
		evs = append(evs, h.apply(MissedAppointments(h.s, h.now))...)
		evs = append(evs, h.apply(Rollover(h.s, h.now))...)
		var out []string
		for _, e := range evs {
			out = append(out, describe(e))
		}
		return append(out, "ok")
	case "waiting":
		var out []string
		for _, tk := range WaitingFor(h.s, arg(0), h.now) {
			out = append(out, tk.Number)
		}
		return []string{"waiting " + strings.Join(out, " ")}
	default:
		if out, ok := h.runSetup(t, f[0], pos, kv); ok {
			return out
		}
		c, out, ok := h.evalCommand(t, f[0], arg, pos, kv)
		if !ok {
			t.Fatalf("unknown script command %q", f[0])
		}
		if c == nil {
			return out
		}
		cmd = c
	}
	evs, res, qe := h.do(cmd)
	var out []string
	for _, e := range evs {
		out = append(out, describe(e))
	}
	if qe != nil && h.messages {
		out = append(out, "error "+string(qe.Code)+": "+qe.Message)
	} else if qe != nil {
		out = append(out, "error "+string(qe.Code))
	} else if res != nil {
		raw, _ := json.Marshal(res)
		out = append(out, "ok "+string(raw))
	} else {
		out = append(out, "ok")
	}
	return out
}

// describe is an event in one short line.
func describe(e Event) string {
	parts := []string{string(e.Kind)}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("ticket", e.Ticket)
	add("service", e.Service)
	add("counter", e.Counter)
	add("status", e.CounterStatus)
	if e.Waiting != nil {
		add("waiting", strconv.Itoa(*e.Waiting))
	}
	add("channel", e.Channel)
	add("staff", e.StaffID)
	add("reason", e.Reason)
	add("day", e.Day)
	add("to_counter", e.ToCounter)
	add("code", e.Appointment)
	add("case", e.CaseKind)
	add("case_no", e.CaseNo)
	add("promised", e.PromisedDate)
	add("lead", e.LeadCounter)
	if e.FiledUpward {
		add("filed_upward", "true")
	}
	if e.Level != 0 {
		add("level", strconv.Itoa(e.Level))
	}
	if e.Recalls != 0 {
		add("recalls", strconv.Itoa(e.Recalls))
	}
	describeEvaluation(e, add)
	return strings.Join(parts, " ")
}
