package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// voiceCall is one call as the page's player began to say it.
type voiceCall struct {
	Ticket  string `json:"ticket"`
	Counter string `json:"counter"`
	Form    string `json:"form"`
	Times   int    `json:"times"`
	Late    bool   `json:"late"`
}

// TestBrowserVoiceZones: each zone's hall screen speaks its own counters'
// calls, every one of them (none dropped), twice by default, shorter while
// calls pile up; a call begun late is marked on the screen and counted in
// /metrics; the segments join without clicks.
func TestBrowserVoiceZones(t *testing.T) {
	d := startE2EWith(t, func(c *config.Config) { c.Voice.LateS = 5 })
	browser := testenv.StartChromium(t)
	east := openTab(t, browser, "hall screen east", d.base+"/screen/hall?zone=east", 1920, 1080, false)
	west := openTab(t, browser, "hall screen west", d.base+"/screen/hall?zone=west", 1920, 1080, false)
	for _, p := range []*browserTab{east, west} {
		p.until("connected, voice ready", jsAttr("conn-status", "state")+` === 'open' && window.hallqVoice && window.hallqVoice.unlocked`)
	}
	if got := evalIn[int](east, `document.querySelectorAll('[data-testid="counters"] .hs-tile:not(.filtered)').length`); got != 4 {
		t.Errorf("east screen shows %d counters, want its zone's 4", got)
	}
	if got := evalIn[string](east, jsText("zone-name")); got != "东区" {
		t.Errorf("east screen zone name %q", got)
	}

	kiosk := map[string]string{"Authorization": demoKiosk}
	for _, svc := range []string{"general", "general", "general", "social", "social", "social", "medical", "housing-fund"} {
		if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, fmt.Sprintf(`{"service":%q}`, svc)); !r.OK {
			t.Fatal(r)
		}
	}
	desks := map[string]func(op string){}
	for _, ctr := range []string{"1", "2", "3", "4", "5", "6"} {
		c, csrf := d.login(t, "s0"+ctr, "demo-s0"+ctr)
		for _, op := range []string{"signin", "ops/counter.open"} {
			if r := d.call(t, c, "POST", demoHall+"/counters/"+ctr+"/"+op, csrf, `{}`); !r.OK {
				t.Fatalf("counter %s %s: %v", ctr, op, r)
			}
		}
		desks[ctr] = func(op string) {
			if r := d.call(t, c, "POST", demoHall+"/counters/"+ctr+"/ops/"+op, csrf, `{}`); !r.OK {
				t.Fatalf("counter %s %s: %v", ctr, op, r)
			}
		}
	}
	// Six calls in the east within a second, two in the west.
	for _, ctr := range []string{"1", "2", "3", "4", "1", "2"} {
		desks[ctr]("call.next")
	}
	desks["5"]("call.next")
	desks["6"]("call.next")

	west.until("west says its two calls", `window.hallqVoice.calls.length === 2`)
	for i, c := range evalIn[[]voiceCall](west, `window.hallqVoice.calls`) {
		if c.Counter != "5" && c.Counter != "6" {
			t.Errorf("west screen spoke a call of counter %s", c.Counter)
		}
		if i == 0 && c.Late {
			t.Errorf("west's first call %s late: it waited behind another zone's calls", c.Ticket)
		}
	}
	east.until("every east call begun", `window.hallqVoice.calls.length === 6`)
	calls := evalIn[[]voiceCall](east, `window.hallqVoice.calls`)
	short, late := 0, 0
	for i, c := range calls {
		if c.Counter < "1" || c.Counter > "4" {
			t.Errorf("east screen spoke a call of counter %s", c.Counter)
		}
		if i == 0 && (c.Form != "full" || c.Times != 2) {
			t.Errorf("first call said %s ×%d, want full ×2 (the default)", c.Form, c.Times)
		}
		if c.Form == "short" {
			short++
			if c.Times != 1 {
				t.Errorf("short form said %d times", c.Times)
			}
		}
		if c.Late {
			late++
		}
	}
	if missing := evalIn[[]string](east, `window.hallqVoice.missing`); len(missing) != 0 {
		t.Errorf("voice segments missing (the short form needs only shipped segments): %v", missing)
	}
	if short == 0 || late == 0 {
		t.Errorf("east calls %+v: want the short form and late calls while six were pending", calls)
	}
	east.until("late calls marked", `document.querySelectorAll('[data-testid="recent-call"][data-late="1"]').length > 0 && `+
		`!document.querySelector('[data-testid="voice-late"]').hidden`)
	metric := regexp.MustCompile(`hallq_voice_late_calls_total\{zone="east"\} (\d+)`)
	east.until("late calls reported", `fetch('/metrics').then((r) => r.text()).then((s) => { window.__metrics = s; })`+
		` && window.__metrics && /hallq_voice_late_calls_total\{zone="east"\} [1-9]/.test(window.__metrics)`)
	resp, err := http.Get(d.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := metric.FindSubmatch(body); m == nil {
		t.Error("no hallq_voice_late_calls_total for east")
	} else if n, _ := strconv.Atoi(string(m[1])); n > late {
		t.Errorf("metric %d late calls, the screen saw %d", n, late)
	}

	// Joins: two segments of a constant level back to back, rendered offline
	// by the player's own scheduler, never jump at a join (a click).
	east.do(chromedp.Evaluate[chromedp.Void](`(async () => {
	  const { scheduleSegments } = await import('/static/js/voice.js');
	  const sr = 16000, ctx = new OfflineAudioContext(1, sr, sr);
	  const seg = () => { const b = ctx.createBuffer(1, sr / 10, sr); b.getChannelData(0).fill(0.8); return b; };
	  scheduleSegments(ctx, ctx.destination, [seg(), seg(), 0.05, seg()], 0.01);
	  const out = (await ctx.startRendering()).getChannelData(0);
	  let jump = 0;
	  for (let i = 1; i < out.length; i++) { jump = Math.max(jump, Math.abs(out[i] - out[i - 1])); }
	  window.__jump = jump;
	})()`))
	east.until("joins rendered", `typeof window.__jump === 'number'`)
	if jump := evalIn[float64](east, `window.__jump`); jump > 0.05 {
		t.Errorf("a join jumps by %.3f (a click), want a fade", jump)
	}
}
