package display

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

func TestHubSnapshot(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	h.do(t, queue.TakeTicket{Service: "general"})
	h.do(t, queue.OpenCounter{Counter: "1", StaffID: "s01"})
	h.do(t, queue.CallNext{Counter: "1"})
	hub := MustStartHub(t, h, HubConfig{}, nil)

	s := dialScreen(t, hub.url("t1", ""), nil)
	m := s.snapshot()
	if got, want := m.Seq, h.View().Seq; got != want {
		t.Errorf("snapshot seq = %d, want the hall's %d", got, want)
	}
	var st struct {
		Services []struct {
			ID      string     `json:"id"`
			Name    queue.Name `json:"name"`
			Prefix  string     `json:"prefix"`
			Waiting *int       `json:"waiting"`
		} `json:"services"`
		Counters []struct {
			ID      string     `json:"id"`
			Name    queue.Name `json:"name"`
			Status  string     `json:"status"`
			Ticket  *string    `json:"ticket"`
			Service *string    `json:"service"`
		} `json:"counters"`
		RecentCalls []struct {
			Ticket  string    `json:"ticket"`
			Counter string    `json:"counter"`
			At      time.Time `json:"at"`
		} `json:"recent_calls"`
		Devices []struct {
			ID     string `json:"id"`
			Kind   string `json:"kind"`
			Online *bool  `json:"online"`
		} `json:"devices"`
	}
	if err := json.Unmarshal(m.State, &st); err != nil {
		t.Fatal(err)
	}
	if got, want := len(st.Services), 3; got != want {
		t.Fatalf("services = %d, want %d", got, want)
	}
	if s0 := st.Services[0]; s0.ID != "general" || s0.Prefix != "A" || s0.Name.Zh != "综合受理" || s0.Name.En != "General intake" || s0.Waiting == nil {
		t.Errorf("services[0] = %+v", s0)
	}
	if got, want := len(st.Counters), 4; got != want {
		t.Fatalf("counters = %d, want %d", got, want)
	}
	if c := st.Counters[0]; c.Status != "called" || c.Ticket == nil || *c.Ticket != "A001" || c.Service == nil || *c.Service != "general" {
		t.Errorf("counters[0] = %+v, want called A001 general", c)
	}
	if c := st.Counters[1]; c.Status != "closed" || c.Ticket != nil || c.Service != nil {
		t.Errorf("counters[1] = %+v, want closed with null ticket and service", c)
	}
	if len(st.RecentCalls) != 1 || st.RecentCalls[0].Ticket != "A001" || st.RecentCalls[0].Counter != "1" || st.RecentCalls[0].At.IsZero() {
		t.Errorf("recent_calls = %+v", st.RecentCalls)
	}
	if got, want := len(st.Devices), 3; got != want || st.Devices[0].Online == nil || st.Devices[0].Kind != "kiosk" {
		t.Errorf("devices = %+v", st.Devices)
	}

	// CONTRACT §3: the call as the next event.
	h.do(t, queue.TakeTicket{Service: "general"})
	rep := h.do(t, queue.CallNext{Counter: "1"})
	var called map[string]any
	for _, e := range s.eventsThrough(m.Seq, rep.Seq) {
		if e.Event["kind"] == "ticket.called" {
			called = e.Event
		}
		if _, ok := e.Event["id_hash"]; ok {
			t.Errorf("event %d carries an id_hash", e.Seq)
		}
	}
	for k, want := range map[string]string{"ticket": "A002", "counter": "1", "service": "general"} {
		if got, _ := called[k].(string); got != want {
			t.Errorf("ticket.called %s = %q, want %q (event %v)", k, got, want, called)
		}
	}
	if id, _ := called["ticket_id"].(string); id == "" {
		t.Errorf("ticket.called has no ticket_id: %v", called)
	}
}

// TestHubGapFree runs commands from several goroutines while screens join:
// every screen sees seq+1 each time, and all see the same bytes.
func TestHubGapFree(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	early := []*screen{dialScreen(t, hub.url("t1", ""), nil), dialScreen(t, hub.url("t1", ""), nil)}
	var snaps []int64
	for _, s := range early {
		snaps = append(snaps, s.snapshot().Seq)
	}

	const workers, each = 4, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctr := fmt.Sprint(w + 1)
			ctx := context.Background()
			h.Do(ctx, hall.Request{Source: "test", Cmd: queue.OpenCounter{Counter: ctr}})
			for i := 0; i < each; i++ {
				svc := []string{"general", "social", "tax"}[(w+i)%3]
				if rep := h.Do(ctx, hall.Request{Source: "test", Cmd: queue.TakeTicket{Service: svc}}); !rep.OK {
					errs <- rep.Error
				}
				h.Do(ctx, hall.Request{Source: "test", Cmd: queue.CallNext{Counter: ctr}}) // queue_empty is fine
			}
		}()
	}
	// Screens that join while the commands run.
	var late []*screen
	var lateSnaps []int64
	for w := 0; w < workers; w++ {
		s := dialScreen(t, hub.url("t1", ""), nil)
		late = append(late, s)
		lateSnaps = append(lateSnaps, s.snapshot().Seq)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	last := h.View().Seq
	for i, s := range early {
		s.eventsThrough(snaps[i], last)
	}
	if !equalRaw(early[0].raw, early[1].raw) {
		t.Error("two screens that joined together saw different messages")
	}
	for i, s := range late {
		evs := s.eventsThrough(lateSnaps[i], last)
		// What a late screen saw after its snapshot is exactly what the
		// early ones saw from that seq on.
		tail := early[0].raw[len(early[0].raw)-len(evs):]
		if !equalRaw(s.raw[1:], tail) {
			t.Errorf("screen that joined at seq %d saw other messages than the early screens", lateSnaps[i])
		}
	}
}

func equalRaw(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestHubResume(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	a := dialScreen(t, hub.url("t1", ""), nil)
	snap := a.snapshot()
	for i := 0; i < 10; i++ {
		h.do(t, queue.TakeTicket{Service: "social"})
	}
	mid := h.View().Seq
	a.eventsThrough(snap.Seq, mid)
	a.conn.Close()
	for i := 0; i < 5; i++ { // while the screen is away
		h.do(t, queue.TakeTicket{Service: "tax"})
	}
	last := h.View().Seq

	t.Run("OK", func(t *testing.T) {
		s := dialScreen(t, hub.url("t1", "since="+itoa(mid-3)), nil)
		s.eventsThrough(mid-3, last) // fails on a snapshot
		if !equalRaw(s.raw[:3], a.raw[len(a.raw)-3:]) {
			t.Error("resumed events differ from the ones sent live")
		}
		h.do(t, queue.TakeTicket{Service: "general"})
		s.eventsThrough(last, h.View().Seq)
	})
	t.Run("AtCurrentSeq", func(t *testing.T) {
		cur := h.View().Seq
		s := dialScreen(t, hub.url("t1", "since="+itoa(cur)), nil)
		h.do(t, queue.TakeTicket{Service: "general"})
		s.eventsThrough(cur, h.View().Seq)
	})
	for _, q := range []string{"since=999999", "since=-1", "since=abc", "since=", "since=1e3"} {
		t.Run("Snapshot/"+q, func(t *testing.T) {
			s := dialScreen(t, hub.url("t1", q), nil)
			if got, want := s.snapshot().Seq, h.View().Seq; got != want {
				t.Errorf("snapshot seq = %d, want %d", got, want)
			}
		})
	}
	if got := hub.metric(t, "hallq_screen_joins_total", "resume"); got != 2 {
		t.Errorf("resume joins = %v, want 2", got)
	}
}

// TestHubSinceBeforeToday: the events before the current business day are
// not held; a screen asking for them gets a snapshot, from memory and after
// a hub restart (from the journal) alike.
func TestHubSinceBeforeToday(t *testing.T) {
	checkGoroutines(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clock := &testClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, loc)}
	h := MustOpenHall(t, "", clock.Now)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	h.do(t, queue.OpenCounter{Counter: "1"})
	h.do(t, queue.TakeTicket{Service: "general"})
	h.do(t, queue.TakeTicket{Service: "general"})
	yesterday := h.View().Seq

	clock.Set(clock.Now().Add(24 * time.Hour))
	h.do(t, queue.TakeTicket{Service: "general"}) // rolls the day over first
	var dayStart int64
	evs, err := h.EventsAfter(yesterday, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == queue.EvDayStarted {
			dayStart = e.Seq
		}
	}
	if dayStart <= yesterday+1 {
		t.Fatalf("day.started at %d, want after the expiries following seq %d", dayStart, yesterday)
	}
	last := h.View().Seq

	check := func(t *testing.T, hub *testHub) {
		t.Run("Yesterday", func(t *testing.T) {
			s := dialScreen(t, hub.url("t1", "since="+itoa(yesterday)), nil)
			if got := s.snapshot().Seq; got != last {
				t.Errorf("snapshot seq = %d, want %d", got, last)
			}
		})
		t.Run("JustBeforeDayStart", func(t *testing.T) {
			s := dialScreen(t, hub.url("t1", "since="+itoa(dayStart-1)), nil)
			evs := s.eventsThrough(dayStart-1, last)
			if got := evs[0].Event["kind"]; got != string(queue.EvDayStarted) {
				t.Errorf("first event = %v, want day.started", got)
			}
		})
	}
	t.Run("Memory", func(t *testing.T) { check(t, hub) })
	t.Run("Journal", func(t *testing.T) { check(t, MustStartHub(t, h, HubConfig{}, nil)) })
}

// TestHubSeqAcrossRestart: after the hall restarts on the same directory,
// seq carries on and since= resumes from the journal.
func TestHubSeqAcrossRestart(t *testing.T) {
	checkGoroutines(t)
	dir := t.TempDir()
	h1 := MustOpenHall(t, dir, nil)
	hub1 := MustStartHub(t, h1, HubConfig{}, nil)
	a := dialScreen(t, hub1.url("t1", ""), nil)
	snap := a.snapshot()
	h1.do(t, queue.OpenCounter{Counter: "2"})
	for i := 0; i < 6; i++ {
		h1.do(t, queue.TakeTicket{Service: "social"})
	}
	h1.do(t, queue.CallNext{Counter: "2"})
	last := h1.View().Seq
	a.eventsThrough(snap.Seq, last)
	hub1.Close()
	if m, err := a.tryNext(); err == nil {
		t.Fatalf("after Close got %s message, want the close frame", m.Type)
	} else if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after Close: %v, want close 1001", err)
	}
	h1.Close()

	h2 := MustOpenHall(t, dir, nil)
	hub2 := MustStartHub(t, h2, HubConfig{}, nil)
	if got := h2.View().Seq; got != last {
		t.Fatalf("hall seq after restart = %d, want %d", got, last)
	}
	cur := dialScreen(t, hub2.url("t1", "since="+itoa(last)), nil)
	old := dialScreen(t, hub2.url("t1", "since="+itoa(last-5)), nil)
	fresh := dialScreen(t, hub2.url("t1", ""), nil)
	if got := fresh.snapshot().Seq; got != last {
		t.Errorf("snapshot after restart at seq %d, want %d", got, last)
	}
	rep := h2.do(t, queue.CallNext{Counter: "2"})
	if rep.Seq <= last {
		t.Fatalf("seq after restart = %d, want more than %d", rep.Seq, last)
	}
	cur.eventsThrough(last, rep.Seq)
	old.eventsThrough(last-5, rep.Seq)
	if !equalRaw(old.raw[:5], a.raw[len(a.raw)-5:]) {
		t.Error("events resumed from the journal differ from the ones sent live before the restart")
	}
	fresh.eventsThrough(last, rep.Seq)
}

// TestHubSlowReader: a screen that stops reading is disconnected, and a
// reading screen still gets every event.
func TestHubSlowReader(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{SendBuffer: 64}, smallSendBuffers)
	slowDialer := &websocket.Dialer{NetDialContext: dialSmallReceiveBuffer}
	slow := dialScreen(t, hub.url("t1", ""), slowDialer)
	good := dialScreen(t, hub.url("t1", ""), nil)
	snap := good.snapshot()
	// slow reads nothing from here on.

	// Enough events to fill the slow screen's socket buffers and queue; the
	// reading screen keeps up with each before the next.
	const n = 400
	prev := snap.Seq
	for i := 0; i < n; i++ {
		rep := h.do(t, queue.TakeTicket{Service: "general"})
		good.eventsThrough(prev, rep.Seq)
		prev = rep.Seq
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return hub.Stats().Dropped == 1 }, "slow screen not dropped")
	if got := hub.metric(t, "hallq_screens_dropped_total", reasonSlow); got != 1 {
		t.Errorf("dropped metric = %v, want 1", got)
	}
	if got := hub.Stats().Connected; got != 1 {
		t.Errorf("connected = %d, want 1 (the reading screen)", got)
	}
	// The slow screen finds its connection closed once it reads what was
	// buffered, before it reaches the last event.
	var lastSeen int64
	for {
		m, err := slow.tryNext()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("slow screen still connected after seq %d", lastSeen)
			}
			break
		}
		if m.Type == "event" && m.Seq != lastSeen+1 && lastSeen != 0 {
			t.Fatalf("slow screen: seq %d after %d", m.Seq, lastSeen)
		}
		lastSeen = m.Seq
	}
	if lastSeen >= prev {
		t.Errorf("slow screen got every event (through %d); it should have been cut off", lastSeen)
	}
}

func TestHubClose(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	var screens []*screen
	for i := 0; i < 5; i++ {
		s := dialScreen(t, hub.url("t1", ""), nil)
		s.snapshot()
		screens = append(screens, s)
	}
	if got := hub.metric(t, "hallq_screens_connected", ""); got != 5 {
		t.Errorf("connected gauge = %v, want 5", got)
	}
	if err := hub.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range screens {
		if _, err := s.tryNext(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("screen after Close: %v, want close 1001", err)
		}
	}
	if got := hub.metric(t, "hallq_screens_connected", ""); got != 0 {
		t.Errorf("connected gauge after Close = %v, want 0", got)
	}
	hub.Close()                                   // twice is fine
	h.do(t, queue.TakeTicket{Service: "general"}) // publishing to a closed hub is a no-op

	s := dialScreen(t, hub.url("t1", ""), nil)
	if _, err := s.tryNext(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("screen joining a closed hub: %v, want close 1001", err)
	}
}

func TestHubLeave(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	s := dialScreen(t, hub.url("t1", ""), nil)
	s.snapshot()
	s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	if _, err := s.tryNext(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("after our close frame: %v, want the echo", err)
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return hub.Stats().Connected == 0 }, "screen still registered")
	if got := hub.metric(t, "hallq_screens_connected", ""); got != 0 {
		t.Errorf("connected gauge = %v, want 0", got)
	}
}

func TestHubOrigin(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{Origins: []string{"https://screens.example.gov.cn"}}, nil)
	host := strings.TrimPrefix(hub.srv.URL, "http://")
	for _, tc := range []struct {
		name, origin string
		ok           bool
	}{
		{"NoOrigin", "", true},
		{"SameOrigin", "http://" + host, true},
		{"Configured", "https://screens.example.gov.cn", true},
		{"ErrOtherSite", "https://evil.example", false},
		{"ErrOtherPort", "http://127.0.0.1:1", false},
		{"ErrNull", "null", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.origin != "" {
				hdr.Set("Origin", tc.origin)
			}
			conn, resp, err := websocket.DefaultDialer.Dial(hub.url("t1", ""), hdr)
			if conn != nil {
				conn.Close()
			}
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden) {
				t.Fatalf("got err %v, want HTTP 403", err)
			}
		})
	}
}

func TestHubUnknownHall(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	_, resp, err := websocket.DefaultDialer.Dial(hub.url("other", ""), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("got %v, want HTTP 404", err)
	}
	resp, err = http.Get(hub.srv.URL + "/ws/v1/halls/t1") // not a websocket handshake
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET = %d, want 400", resp.StatusCode)
	}
}

// TestHubReadLimit: screens have nothing to say; a large message ends the connection.
func TestHubReadLimit(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	s := dialScreen(t, hub.url("t1", ""), nil)
	s.snapshot()
	if err := s.conn.WriteMessage(websocket.TextMessage, []byte(`{"hello":"small is ignored"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 4096)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.tryNext(); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Errorf("after a 4 KiB message: %v, want close 1009", err)
	}
}

// TestHubPings: the hub pings, and a screen that answers stays connected.
func TestHubPings(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{PingEvery: 20 * time.Millisecond}, nil)
	s := dialScreen(t, hub.url("t1", ""), nil)
	s.snapshot()
	pinged := make(chan struct{}, 16)
	s.conn.SetPingHandler(func(data string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return s.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	read := make(chan error, 1)
	go func() {
		_, _, err := s.conn.ReadMessage()
		read <- err
	}()
	limit := time.NewTimer(testReadLimit) // a safety net, not a timing assertion
	defer limit.Stop()
	for i := 0; i < 3; i++ {
		select {
		case <-pinged:
		case <-limit.C:
			t.Fatalf("%d pings, want 3", i)
		}
	}
	h.do(t, queue.TakeTicket{Service: "general"})
	if err := <-read; err != nil {
		t.Fatalf("after pings: %v, want the next event", err)
	}
}

// TestHubLongReplay resumes past more events than one gathered write holds.
func TestHubLongReplay(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{}, nil)
	since := h.View().Seq
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				h.Do(context.Background(), hall.Request{Source: "test", Cmd: queue.TakeTicket{Service: []string{"general", "social", "tax"}[i%3]}})
			}
		}()
	}
	wg.Wait()
	last := h.View().Seq
	if last-since < 1600 {
		t.Fatalf("only %d events", last-since)
	}
	s := dialScreen(t, hub.url("t1", "since="+itoa(since)), nil)
	s.eventsThrough(since, last)
	total := 0
	for _, m := range s.raw {
		total += len(m)
	}
	if total <= flushAt {
		t.Errorf("replayed %d bytes, want more than one gathered write (%d)", total, flushAt)
	}
}

// TestHubResumeBeyondHeldBytes: with the memory for held events bounded
// (MaxHeldBytes), the oldest of the day leave memory, and a screen resuming
// from before them still gets the events, read back from the journal, not
// a snapshot (CONTRACT §3 since).
func TestHubResumeBeyondHeldBytes(t *testing.T) {
	checkGoroutines(t)
	h := MustOpenHall(t, "", nil)
	hub := MustStartHub(t, h, HubConfig{MaxHeldBytes: 2000}, nil)
	since := h.View().Seq
	for i := 0; i < 40; i++ {
		h.do(t, queue.TakeTicket{Service: "general"})
	}
	last := h.View().Seq
	if from := hub.Stats().HeldFrom; from <= since+10 {
		t.Fatalf("held from seq %d after %d events of about 300 bytes: the bytes bound did not trim", from, last-since)
	}
	s := dialScreen(t, hub.url("t1", "since="+itoa(since)), nil)
	s.eventsThrough(since, last) // fails on a snapshot
}
