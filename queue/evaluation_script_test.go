package queue

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hallq/hallq/calendar"
)

// evalCommand builds the evaluation half's script commands:
//
//	roster                        staff s01-s03 anywhere, s04 only at counter 3
//	calendar 2026-11-24 …         a Sat/Sun weekend with these holidays; verify 1, rectify 2 days
//	signin 1 s02                  sign-in / handover
//	rate 1 2 dims=attitude:1 reasons=a,b text=x ticket=ID
//	case C…-1 verify valid=true note=x by=super   (also reached=, level=, upheld=)
//	complain phone counter=1 staff=s01 text=x
//	cstep K…-001 close note=x
//
// and the pure queries: "alerts" prints the case alert rules' conditions.
func (h *harness) evalCommand(t *testing.T, name string, arg func(int) string, pos []string, kv map[string]string) (Command, []string, bool) {
	boolp := func(k string) *bool {
		v, ok := kv[k]
		if !ok {
			return nil
		}
		b := v == "true"
		return &b
	}
	switch name {
	case "roster":
		sp := h.s.Spec
		sp.Staff = map[string]*StaffSpec{}
		for _, id := range []string{"s01", "s02", "s03"} {
			sp.Staff[id] = &StaffSpec{ID: id, Name: "员工" + id, StaffNo: "A" + id, Unit: "人社局", Role: "staff"}
		}
		sp.Staff["s04"] = &StaffSpec{ID: "s04", Name: "员工s04", Role: "staff", Counters: []string{"3"}}
		return nil, []string{"ok"}, true
	case "workcalendar": // workcalendar HOLIDAY...: the sat-sun week with these holidays, verify 1, rectify 2
		cal, err := calendar.New(calendar.Rules{Weekend: calendar.DefaultWeekend, Holidays: pos})
		if err != nil {
			t.Fatal(err)
		}
		h.s.Spec.Calendar, h.s.Spec.VerifyDays, h.s.Spec.RectifyDays = cal, 1, 2
		return nil, []string{"ok"}, true
	case "signin":
		return SignIn{Counter: arg(0), StaffID: arg(1)}, nil, true
	case "rate":
		lvl, _ := strconv.Atoi(arg(1))
		c := SubmitRating{Counter: arg(0), Level: lvl, TicketID: kv["ticket"], Text: kv["text"]}
		if v := kv["reasons"]; v != "" {
			c.Reasons = strings.Split(v, ",")
		}
		if v := kv["dims"]; v != "" {
			c.Dims = map[string]int{}
			for _, p := range strings.Split(v, ",") {
				k, n, _ := strings.Cut(p, ":")
				c.Dims[k], _ = strconv.Atoi(n)
			}
		}
		return c, nil, true
	case "case":
		c := StepCase{CaseID: arg(0), Action: arg(1), By: kv["by"], Note: kv["note"], Valid: boolp("valid"),
			Reached: boolp("reached"), Upheld: boolp("upheld")}
		if v, ok := kv["level"]; ok {
			n, _ := strconv.Atoi(v)
			c.Level = &n
		}
		return c, nil, true
	case "complain":
		return LogComplaint{Channel: arg(0), Counter: kv["counter"], StaffID: kv["staff"], Text: kv["text"], By: "super"}, nil, true
	case "cstep":
		return StepComplaint{ComplaintID: arg(0), Action: arg(1), Note: kv["note"], By: "super"}, nil, true
	case "alerts":
		var out []string
		for _, a := range ruleCaseOverdue(h.s, h.now, ruleBadRating(h.s, h.now, nil)) {
			out = append(out, "alert "+a.Kind+" "+a.CaseID+" "+a.Level+" since="+a.Start.Format("2006-01-02T15:04:05")+
				" value_s="+strconv.FormatFloat(a.Value.Seconds(), 'f', -1, 64))
		}
		return nil, append(out, "alerts "+strconv.Itoa(len(out))), true
	case "showcase":
		raw, _ := json.Marshal(h.s.Cases[arg(0)])
		return nil, []string{"case " + string(raw)}, true
	}
	return nil, nil, false
}

// describeEvaluation adds the evaluation fields of e to its script line.
func describeEvaluation(e Event, add func(k, v string)) {
	add("from_staff", e.FromStaff)
	add("visit", e.Visit)
	add("rating", e.RatingID)
	add("case", e.CaseID)
	add("action", e.Action)
	add("by", e.By)
	add("case_status", e.CaseStatus)
	add("complaint", e.ComplaintID)
	if len(e.Reasons) > 0 {
		add("reasons", strings.Join(e.Reasons, ","))
	}
	add("text", e.RatingText)
	if e.VerifyBy != nil {
		add("verify_by", e.VerifyBy.Format("2006-01-02T15:04:05"))
	}
	if e.RectifyBy != nil {
		add("rectify_by", e.RectifyBy.Format("2006-01-02T15:04:05"))
	}
	if e.FollowupLevel != nil {
		add("followup", strconv.Itoa(*e.FollowupLevel))
	}
}
