package main

// The pages' counter tiles against the hall's own state, after every event of
// a random day (issue 14: a rating named the previous citizen's ticket with
// counter_status "called", and the pages showed it as the current number).

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

// tileRecorder is JavaScript that, after each event the page has rendered,
// records the text of every counter tile the page shows, keyed by seq. The
// page's own handler was registered first, so the DOM is already updated.
const tileRecorder = `(() => {
  window.__tiles = [];
  const hs = window.hallqStream;
  hs.on('event', (ev, st, seq) => {
    if (seq == null) { return; }
    const row = { seq, tiles: {} };
    for (const c of st.counters) {
      const n = document.querySelector('[data-testid="counter-' + c.id + '-ticket"]');
      if (n) { row.tiles[c.id] = n.textContent.trim(); }
    }
    window.__tiles.push(row);
  });
  return hs.seq;
})()`

// tileRow is one recorded page state.
type tileRow struct {
	Seq   int64             `json:"seq"`
	Tiles map[string]string `json:"tiles"`
}

// TestBrowserTilesFollowEveryEvent drives a random day (tickets, calls,
// starts, finishes, no-shows, recalls, holds, transfers, pauses and ratings
// right after a call) through a real hallqd, and checks that after every
// event the hall screen, the supervisor page and two counter screens show on
// each counter tile exactly the counter's current ticket, as the hall's state
// rebuilt from the journal has it.
func TestBrowserTilesFollowEveryEvent(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HALLQ_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (HALLQ_SEED=%d reruns this day)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 14))

	pages := []*browserTab{
		openTab(t, browser, "hall screen", d.base+"/screen/hall", 1920, 1080, false),
		openTab(t, browser, "supervisor", d.base+"/supervisor", 1920, 1080, false),
		openTab(t, browser, "counter screen 2", d.base+"/screen/counter/2", 1920, 1080, false),
		openTab(t, browser, "counter screen 7", d.base+"/screen/counter/7", 1920, 1080, false),
	}
	for _, p := range pages {
		p.until("stream open", `window.hallqStream && window.hallqStream.state && window.hallqStream.status === 'open'`)
		evalIn[int64](p, tileRecorder)
	}

	type desk struct {
		id   string
		c    *http.Client
		csrf map[string]string
	}
	var desks []desk
	for i := 1; i <= 8; i++ {
		id := strconv.Itoa(i)
		c, csrf := d.login(t, fmt.Sprintf("s%02d", i), fmt.Sprintf("demo-s%02d", i))
		for _, op := range []string{"signin", "ops/counter.open"} {
			if r := d.call(t, c, "POST", demoHall+"/counters/"+id+"/"+op, csrf, `{}`); !r.OK {
				t.Fatalf("counter %s %s: %v", id, op, r)
			}
		}
		desks = append(desks, desk{id, c, csrf})
	}
	services := []string{"general", "social", "medical", "housing-fund", "real-estate", "tax"}
	kiosk := map[string]string{"Authorization": demoKiosk}
	rate := func(counter string) {
		rep := d.m.Hall.Do(context.Background(), hall.Request{Source: "test", Cmd: queue.SubmitRating{Counter: counter, Level: 1 + rng.IntN(5)}})
		_ = rep // nothing_to_rate and already_rated are part of a real day
	}
	ops := []string{"call.next", "call.next", "call.next", "serve.start", "serve.finish", "call.no_show",
		"call.recall", "ticket.hold", "ticket.resume", "transfer", "counter.pause", "counter.resume"}
	for step := 0; step < 160; step++ {
		if rng.IntN(3) == 0 {
			body := fmt.Sprintf(`{"service":%q}`, services[rng.IntN(len(services))])
			d.call(t, nil, "POST", demoHall+"/tickets", kiosk, body)
			continue
		}
		dk := desks[rng.IntN(len(desks))]
		op, body := ops[rng.IntN(len(ops))], `{}`
		if op == "transfer" {
			op, body = "ticket.transfer", fmt.Sprintf(`{"to_service":%q}`, services[rng.IntN(len(services))])
		}
		r := d.call(t, dk.c, "POST", demoHall+"/counters/"+dk.id+"/ops/"+op, dk.csrf, body)
		if r.status >= 500 {
			t.Fatalf("counter %s %s: %v", dk.id, op, r)
		}
		// The fault: a rating just after the next call names the previous
		// ticket while the counter's status is "called".
		if r.OK && (op == "call.next" || op == "serve.finish") && rng.IntN(2) == 0 {
			rate(dk.id)
		}
	}

	// The fault's trigger at least once, whatever the seed: counter 1
	// finishes a visit and calls the next ticket, then the finished visit's
	// rating arrives while the new one is called.
	for i := 0; i < 2; i++ {
		if r := d.call(t, nil, "POST", demoHall+"/tickets", kiosk, takeGeneral); !r.OK {
			t.Fatalf("take: %v", r)
		}
	}
	d.call(t, desks[0].c, "POST", demoHall+"/counters/1/ops/counter.resume", desks[0].csrf, `{}`) // if the day paused it
	for _, op := range []string{"call.next", "serve.start", "serve.finish", "call.next"} {
		if r := d.call(t, desks[0].c, "POST", demoHall+"/counters/1/ops/"+op, desks[0].csrf, `{}`); !r.OK {
			t.Fatalf("counter 1 %s: %v", op, r)
		}
	}
	if rep := d.m.Hall.Do(context.Background(), hall.Request{Source: "test", Cmd: queue.SubmitRating{Counter: "1", Level: 4}}); !rep.OK {
		t.Fatalf("rating the finished visit while the next is called: %v", rep.Error)
	}

	// Every page has seen the day (the hall's tick may add alert and
	// unrated events after it, so "at least"); then the journal is read.
	final := d.m.Hall.View().Seq
	for _, p := range pages {
		p.until("all events seen", fmt.Sprintf(`window.hallqStream.seq >= %d`, final))
	}
	events, err := d.m.Hall.EventsAfter(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]map[string]string{} // seq → counter → current ticket
	st := queue.NewState(d.m.Hall.Spec())
	ratings := 0 // ratings while the counter was calling another ticket: the fault's trigger
	for i := range events {
		ev := events[i]
		queue.Apply(st, &ev)
		if c := st.Counters[ev.Counter]; ev.Kind == queue.EvRatingSubmitted && c != nil && c.Current != "" && c.Current != ev.TicketID {
			ratings++
		}
		v := queue.NewView(st)
		tiles := map[string]string{}
		for _, c := range v.Counters {
			tiles[c.ID] = ""
			if c.Ticket != nil && (c.Status == "called" || c.Status == "serving") {
				tiles[c.ID] = *c.Ticket
			}
		}
		want[ev.Seq] = tiles
	}
	if ratings == 0 {
		t.Errorf("the day had no rating while the counter was calling another ticket; seed %d tests too little", seed)
	}
	last := events[len(events)-1].Seq
	for _, p := range pages {
		raw := evalIn[string](p, `JSON.stringify(window.__tiles)`)
		var rows []tileRow
		if err := json.Unmarshal([]byte(raw), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatalf("%s recorded no events", p.name)
		}
		bad := 0
		for _, row := range rows {
			if row.Seq > last {
				continue // after the journal was read
			}
			w, ok := want[row.Seq]
			if !ok {
				t.Fatalf("%s: seq %d not in the journal", p.name, row.Seq)
			}
			for id, got := range row.Tiles {
				if got != w[id] && bad < 5 {
					bad++
					t.Errorf("%s after seq %d (%s): counter %s shows %q, its current ticket is %q",
						p.name, row.Seq, events[row.Seq-events[0].Seq].Kind, id, got, w[id])
				}
			}
		}
		t.Logf("%s: %d events compared", p.name, len(rows))
	}

	// The staff card and the pause reason (pages read pause_reason).
	cs2, cs7 := pages[2], pages[3]
	cs2.until("staff card on the counter screen", jsText("counter-staff-name")+` === '王磊' && `+
		jsText("counter-staff-no")+`.includes('A0322') && `+jsText("counter-staff-unit")+` === '人社局'`)
	seven := desks[6]
	for _, op := range []string{"serve.finish", "ticket.hold", "counter.resume"} { // nothing current, not paused
		d.call(t, seven.c, "POST", demoHall+"/counters/7/ops/"+op, seven.csrf, `{}`)
	}
	if r := d.call(t, seven.c, "POST", demoHall+"/counters/7/ops/counter.pause", seven.csrf, `{"reason":"系统维护"}`); !r.OK {
		t.Fatalf("pause 7: %v", r)
	}
	cs7.until("pause reason on the counter screen", `document.querySelector('.cs-state-reason').textContent === '系统维护'`)
	pages[1].until("pause reason on the supervisor page", jsText("counter-7")+`.includes('系统维护')`)
	var snap struct {
		State struct {
			Counters []struct {
				ID    string           `json:"id"`
				Staff *queue.StaffCard `json:"staff"`
			} `json:"counters"`
		} `json:"state"`
	}
	resp, err := http.Get(d.base + demoHall + "/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil || len(snap.State.Counters) < 2 {
		t.Fatalf("snapshot: %v", err)
	}
	if c := snap.State.Counters[1]; c.Staff == nil || c.Staff.ID == nil || *c.Staff.ID != "s02" || c.Staff.Name == nil || *c.Staff.Name != "王磊" ||
		c.Staff.StaffNo == nil || *c.Staff.StaffNo != "A0322" || c.Staff.Unit == nil || *c.Staff.Unit != "人社局" {
		t.Errorf("snapshot counter 2 staff = %+v, want s02 王磊 A0322 人社局", c.Staff)
	}
}
