package queue

import (
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// naiveCaseNext is the §5 table written out the long way.
func naiveCaseNext(status, action string, flag bool) (string, bool) {
	type key struct{ status, action string }
	table := map[key][2]string{ // [when flag, when not]
		{CaseOpen, StepVerify}:        {CaseVerified, CaseDismissed},
		{CaseVerified, StepRectify}:   {CaseRectified, CaseRectified},
		{CaseRectified, StepCallback}: {CaseClosed, CaseClosed},
		{CaseOpen, StepAppeal}:        {CaseAppealed, CaseAppealed},
		{CaseVerified, StepAppeal}:    {CaseAppealed, CaseAppealed},
		{CaseAppealed, StepReview}:    {CaseDismissed, CaseVerified},
	}
	next, ok := table[key{status, action}]
	if !ok {
		return "", false
	}
	if flag {
		return next[0], true
	}
	return next[1], true
}

// TestCaseStepsProperty walks random step sequences over one case and checks
// every answer against the naive table, that history only grows, and that
// replaying the journal gives the same case.
func TestCaseStepsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness()
		h.do(OpenCounter{Counter: "1", StaffID: "s01"})
		h.do(TakeTicket{Service: "social"})
		h.do(CallNext{Counter: "1"})
		h.do(Finish{Counter: "1"})
		_, res, qe := h.do(SubmitRating{Counter: "1", Level: rapid.IntRange(1, 2).Draw(t, "level")})
		if qe != nil {
			t.Fatalf("rating refused: %v", qe)
		}
		id := *res.(*RatingResult).CaseID
		steps := 1
		for i := rapid.IntRange(0, 12).Draw(t, "n"); i > 0; i-- {
			action := rapid.SampledFrom([]string{StepVerify, StepRectify, StepCallback, StepAppeal, StepReview}).Draw(t, "action")
			flag := rapid.Bool().Draw(t, "flag")
			h.now = h.now.Add(time.Duration(rapid.IntRange(0, 200000).Draw(t, "dt")) * time.Second)
			before := h.s.Cases[id].Status
			cmd := StepCase{CaseID: id, Action: action, By: "super", Valid: &flag, Reached: &flag, Upheld: &flag}
			_, _, qe := h.do(cmd)
			want, ok := naiveCaseNext(before, action, flag)
			got := h.s.Cases[id]
			if ok != (qe == nil) {
				t.Fatalf("%s on %s: err %v, naive allows %v", action, before, qe, ok)
			}
			if ok {
				steps++
				if got.Status != want {
					t.Fatalf("%s on %s: status %s, want %s", action, before, got.Status, want)
				}
			} else if qe.Code != InvalidState || got.Status != before {
				t.Fatalf("%s on %s: %v, status now %s", action, before, qe, got.Status)
			}
			if len(got.History) != steps {
				t.Fatalf("history has %d steps, want %d", len(got.History), steps)
			}
		}
		re := NewState(h.s.Spec)
		for i := range h.log {
			e := h.log[i]
			raw, _ := json.Marshal(e)
			var back Event
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			back.Seq = e.Seq
			Apply(re, &back)
		}
		a, _ := json.Marshal(h.s.Cases)
		b, _ := json.Marshal(re.Cases)
		if string(a) != string(b) {
			t.Fatalf("replay differs:\n%s\n%s", a, b)
		}
	})
}

// TestRatingInputProperty: a rating with any bad part is refused with
// bad_request and changes nothing; a good one is stored as given.
func TestRatingInputProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness()
		h.do(OpenCounter{Counter: "1"})
		h.do(TakeTicket{Service: "social"})
		h.do(CallNext{Counter: "1"})
		h.do(Finish{Counter: "1"})
		dims := rapid.MapOf(rapid.SampledFrom(append(DimKeys(), "mood", "")), rapid.IntRange(-1, 7)).Draw(t, "dims")
		reasons := rapid.SliceOfN(rapid.SampledFrom([]string{"态度差", "", "等待久", "\x01"}), 0, 12).Draw(t, "reasons")
		text := rapid.SampledFrom([]string{"", "好", string(make([]rune, 501)), "手机" + string(rune(0x7f))}).Draw(t, "text")
		if text == string(make([]rune, 501)) {
			text = ""
			for i := 0; i < 501; i++ {
				text += "字"
			}
		}
		level := rapid.IntRange(0, 6).Draw(t, "level")
		bad := level < 1 || level > 5 || len(reasons) > MaxReasons || len([]rune(text)) > MaxRatingText
		for k, v := range dims {
			bad = bad || !isDimKey(k) || v < 1 || v > 5
		}
		for _, r := range reasons {
			bad = bad || r == "" || r == "\x01"
		}
		bad = bad || (text != "" && []rune(text)[len([]rune(text))-1] == 0x7f)
		seq := h.s.Seq
		evs, res, qe := h.do(SubmitRating{Counter: "1", Level: level, Dims: dims, Reasons: reasons, Text: text})
		if bad {
			if qe == nil || qe.Code != BadRequest || len(evs) != 0 || h.s.Seq != seq {
				t.Fatalf("bad rating: %v, %d events", qe, len(evs))
			}
			return
		}
		if qe != nil {
			t.Fatalf("good rating refused: %v", qe)
		}
		r := res.(*RatingResult)
		if r.Level != level || (level <= 2) != (r.CaseID != nil) || len(h.s.Cases) != len(evs)-1 {
			t.Fatalf("result %+v with %d events, %d cases", r, len(evs), len(h.s.Cases))
		}
	})
}

// TestLevelTable maps every level to every target and back.
func TestLevelTable(t *testing.T) {
	for _, target := range LevelTargets() {
		for l := 1; l <= 5; l++ {
			code, err := ExportLevel(target, l)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ImportLevel(target, code.Code)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, b := range back {
				found = found || b == l
			}
			if !found || (target != TargetSurvey3 && len(back) != 1) {
				t.Errorf("%s: level %d -> %v -> %v", target, l, code, back)
			}
			if target != TargetSurvey3 && code.Name != LevelName(l).Zh {
				t.Errorf("%s: level %d named %s, want %s", target, l, code.Name, LevelName(l).Zh)
			}
		}
	}
	for _, c := range []struct {
		target string
		level  int
		code   int
		name   string
	}{{TargetNational, 5, 5, "非常满意"}, {TargetProvincial, 5, 1, "非常满意"}, {TargetProvincial, 1, 5, "非常不满意"},
		{TargetSurvey3, 4, 1, "满意"}, {TargetSurvey3, 3, 2, "基本满意"}, {TargetSurvey3, 2, 3, "不满意"}} {
		if got, _ := ExportLevel(c.target, c.level); got.Code != c.code || got.Name != c.name {
			t.Errorf("%s level %d = %+v, want %d %s", c.target, c.level, got, c.code, c.name)
		}
	}
	if _, err := ExportLevel("nope", 3); err == nil {
		t.Error("unknown target accepted")
	}
	if _, err := ImportLevel(TargetNational, 0); err == nil {
		t.Error("code 0 accepted")
	}
}

// TestRestrictedPublic: cases and complaints reach the public stream only as
// {"kind":"restricted"}; a rating loses the citizen's text.
func TestRestrictedPublic(t *testing.T) {
	for _, k := range []Kind{EvCaseOpened, EvCaseStep, EvComplaintLogged, EvComplaintStep, "alert.raised"} {
		raw, _ := json.Marshal(Event{Seq: 7, Kind: k, CaseID: "C1", Note: "x"}.Public())
		if string(raw) != `{"kind":"restricted"}` {
			t.Errorf("%s public = %s", k, raw)
		}
	}
	p := Event{Kind: EvRatingSubmitted, RatingText: "手机", Level: 2}.Public()
	if p.RatingText != "" || p.Level != 2 {
		t.Errorf("rating public = %+v", p)
	}
}

// genEvaluation draws an evaluation command: a sign-in, a rating with
// dims and reasons, a case step or a complaint.
func genEvaluation(t *rapid.T, h *harness, counter string) Command {
	switch rapid.IntRange(0, 3).Draw(t, "eval") {
	case 0:
		return SignIn{Counter: counter, StaffID: rapid.SampledFrom([]string{"s01", "s02", ""}).Draw(t, "staff")}
	case 1:
		return SubmitRating{Counter: counter, Level: rapid.IntRange(1, 5).Draw(t, "level"),
			Dims:    map[string]int{"attitude": rapid.IntRange(1, 5).Draw(t, "dim")},
			Reasons: rapid.SliceOfN(rapid.SampledFrom(BadReasons()), 0, 3).Draw(t, "reasons")}
	case 2:
		ids := sortedKeys(h.s.Cases)
		id := "C-none"
		if len(ids) > 0 {
			id = rapid.SampledFrom(ids).Draw(t, "case")
		}
		flag := rapid.Bool().Draw(t, "flag")
		lvl := rapid.IntRange(1, 5).Draw(t, "follow")
		return StepCase{CaseID: id, Action: rapid.SampledFrom([]string{StepVerify, StepRectify, StepCallback, StepAppeal, StepReview}).Draw(t, "action"),
			By: "super", Valid: &flag, Reached: &flag, Upheld: &flag, Level: &lvl}
	}
	return LogComplaint{Channel: "phone", Counter: counter, Text: "投诉", By: "super"}
}

// checkEvaluation: every 差评 has its case, no visit is both rated and
// unrated, and the pending list starts at an undecided visit.
func checkEvaluation(t *rapid.T, h *harness) {
	bad := 0
	for _, e := range h.log {
		if e.Kind == EvRatingSubmitted && e.Level <= 2 {
			bad++
			if h.s.Cases[e.CaseID] == nil {
				t.Fatalf("差评 %s has no case %s", e.RatingID, e.CaseID)
			}
		}
	}
	if len(h.s.Cases) != bad {
		t.Fatalf("%d cases for %d 差评", len(h.s.Cases), bad)
	}
	for id, v := range h.s.Visits {
		if v.Rated && v.Unrated {
			t.Fatalf("visit %s both rated and unrated", id)
		}
	}
	if len(h.s.RatePending) > 0 {
		if v := h.s.Visits[h.s.RatePending[0]]; v == nil || v.Rated || v.Unrated {
			t.Fatalf("pending list starts at a decided visit %s", h.s.RatePending[0])
		}
	}
}
