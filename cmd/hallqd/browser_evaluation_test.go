package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hallq/hallq/internal/testenv"
)

// serveAt has staff user (password demo-user) sign in at counter, open it,
// and serve one new ticket of svc to the finish.
func serveAt(t *testing.T, d *e2eDaemon, counter, user, svc string) {
	t.Helper()
	c, csrf := d.login(t, user, "demo-"+user)
	if r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, `{"service":"`+svc+`"}`); !r.OK {
		t.Fatalf("take: %v", r)
	}
	for _, op := range []string{"signin", "ops/counter.open", "ops/call.next", "ops/serve.finish"} {
		if r := d.call(t, c, "POST", demoHall+"/counters/"+counter+"/"+op, csrf, `{}`); !r.OK {
			t.Fatalf("counter %s %s: %v", counter, op, r)
		}
	}
}

// TestBrowserEvaluation drives a 不满意 (level 2) rating on the rater page
// of the real hallqd, then walks the case it opened to closed on the cases
// page, by keyboard where the page offers it.
func TestBrowserEvaluation(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	shots := t.TempDir()
	if dir := os.Getenv("HALLQ_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rater := openTab(t, browser, "rater", d.base+"/rate/1#device=rater-1&token=demo-rater-1", 1280, 800, false)
	rater.until("rater idle", `document.body.dataset.view === 'idle' && !!window.hallqRater`)
	serveAt(t, d, "1", "s01", "general")
	rater.until("prompt with the staff card", `document.body.dataset.view === 'prompt' && `+jsText("rater-staff-name")+` === '张敏' && `+
		jsText("rater-staff-no")+` === 'A0317' && `+jsText("rater-staff-unit")+` === '人社局' && `+jsText("rater-ticket")+` === 'A001'`)
	// no level preselected or steered: the five buttons look the same and none has focus
	same := evalIn[bool](rater, `(() => { const b = Array.from(document.querySelectorAll('.rt-level')); `+
		`const s = b.map(e => { const c = getComputedStyle(e); return [c.backgroundColor, c.borderColor, c.color, c.fontSize].join(); }); `+
		`return b.length === 5 && s.every(x => x === s[0]) && !b.includes(document.activeElement); })()`)
	if !same {
		t.Fatal("the level buttons are not all alike (a level is steered) or one has focus")
	}
	rater.until("countdown runs", jsText("rater-countdown")+`.includes('秒')`)
	rater.shot(shots, "rater.png")
	rater.click("rater-level-2")
	rater.until("差评 step", `document.body.dataset.view === 'bad' && document.querySelectorAll('[data-testid="rater-reason"]').length > 0`)
	rater.do(chromedp.Click(`[data-testid="rater-reason"]`))
	rater.click("rater-dim-attitude-1")
	rater.click("rater-dim-efficiency-2")
	rater.shot(shots, "rater-bad.png")
	rater.click("rater-submit")
	rater.until("thank-you screen", `document.body.dataset.view === 'thanks'`)

	sc, _ := d.login(t, "super", "demo-super")
	r := d.call(t, sc, "GET", demoHall+"/cases?status=open", nil, "")
	var list struct {
		Cases []struct {
			ID      string         `json:"case_id"`
			Level   int            `json:"level"`
			StaffID string         `json:"staff_id"`
			Reasons []string       `json:"reasons"`
			Status  string         `json:"status"`
			History []any          `json:"history"`
			Follow  *int           `json:"followup_level"`
			Extra   map[string]any `json:"-"`
		} `json:"cases"`
	}
	json.Unmarshal(r.Result, &list)
	if len(list.Cases) != 1 || list.Cases[0].Level != 2 || list.Cases[0].StaffID != "s01" || len(list.Cases[0].Reasons) != 1 {
		t.Fatalf("open cases after the rating: %s", r.Result)
	}
	caseID := list.Cases[0].ID

	// A few more ratings at other counters, for a fuller list.
	for i, lvl := range []int{1, 5, 2} {
		ctr := fmt.Sprint(i + 2)
		serveAt(t, d, ctr, "s0"+ctr, "social")
		hdr := map[string]string{"Authorization": fmt.Sprintf("Bearer rater-%s:demo-rater-%s", ctr, ctr)}
		if r := d.call(t, nil, "POST", demoHall+"/counters/"+ctr+"/rating", hdr, fmt.Sprintf(`{"level":%d,"reasons":["等候时间长"]}`, lvl)); !r.OK {
			t.Fatalf("rating at %s: %v", ctr, r)
		}
	}

	cases := openTab(t, browser, "cases", d.base+"/cases", 1600, 900, false)
	cases.do(chromedp.WaitVisible(testid("cases-login")),
		chromedp.SendKeys(testid("cases-username"), "super"),
		chromedp.SendKeys(testid("cases-password"), "demo-super"))
	cases.click("cases-login-submit")
	cases.until("three open cases", `document.querySelectorAll('[data-testid="case-row"]').length === 3`)
	row := `[data-testid="case-row"][data-id="` + caseID + `"]`
	cases.do(chromedp.Focus(row), chromedp.KeyEvent(kb.Enter))
	cases.until("case open", `document.querySelector('[data-testid="case-detail"]').dataset.status === 'open' && `+
		jsText("case-title")+`.startsWith('`+caseID+`')`)
	cases.until("next steps verify and appeal", `!!document.querySelector('[data-testid="case-do-verify"]') && !!document.querySelector('[data-testid="case-do-appeal"]')`)
	step := func(action, note, status string) {
		t.Helper()
		cases.do(chromedp.SendKeys(testid("case-note-"+action), note))
		cases.click("case-do-" + action)
		cases.until(action+" done", `!document.body.dataset.busy && document.querySelector('[data-testid="case-detail"]').dataset.status === '`+status+`'`)
	}
	step("verify", "经核实属实", "verified")
	step("rectify", "已批评教育并整改", "rectified")
	cases.do(chromedp.SetValue(`[data-testid="case-action-callback"] [data-testid="case-level"]`, "4"))
	cases.shot(shots, "cases.png")
	step("callback", "群众表示满意", "closed")
	cases.until("history of four steps", `document.querySelectorAll('[data-testid="case-step"]').length === 4`)
	cases.do(chromedp.KeyEvent("3")) // the closed tab, by keyboard
	cases.until("closed list", `document.querySelector('[data-testid="cases-tab-closed"]').getAttribute('aria-selected') === 'true' && `+
		`!!document.querySelector('[data-testid="case-row"][data-id="`+caseID+`"]')`)

	// A complaint by phone, logged and closed on the complaints tab.
	cases.do(chromedp.KeyEvent("5"))
	cases.until("complaints tab", `document.querySelector('[data-testid="cases-tab-complaints"]').getAttribute('aria-selected') === 'true' && `+
		`!document.querySelector('[data-testid="complaint-form"]').hidden`)
	cases.do(chromedp.SetValue(testid("complaint-channel"), "hotline"),
		chromedp.SendKeys(testid("complaint-counter"), "1"),
		chromedp.SendKeys(testid("complaint-text"), "窗口人员态度生硬"))
	cases.click("complaint-submit")
	cases.until("complaint listed", `document.querySelectorAll('[data-testid="complaint-row"]').length === 1`)
	cases.do(chromedp.Focus(`[data-testid="complaint-row"]`), chromedp.KeyEvent(kb.Enter))
	cases.do(chromedp.SendKeys(testid("case-note-close"), "已致电道歉"))
	cases.click("case-do-close")
	cases.until("complaint closed", `document.querySelector('[data-testid="case-detail"]').dataset.status === 'closed'`)

	r = d.call(t, sc, "GET", demoHall+"/cases/"+caseID, nil, "")
	var one struct {
		Status  string `json:"status"`
		Follow  *int   `json:"followup_level"`
		History []struct {
			Action string  `json:"action"`
			By     *string `json:"by"`
		} `json:"history"`
	}
	json.Unmarshal(r.Result, &one)
	var actions []string
	for _, h := range one.History {
		actions = append(actions, h.Action)
	}
	if one.Status != "closed" || one.Follow == nil || *one.Follow != 4 || strings.Join(actions, ",") != "opened,verify,rectify,callback" {
		t.Fatalf("case after the walk: %s", r.Result)
	}
	t.Logf("screenshots in %s", shots)
}
