package evalpush

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

const pushYAML = `
hall: {id: p1, name: {zh: 测试中心, en: Test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
staff:
  - {id: s01, name: 张敏, staff_no: "A0317", unit: 人社局, role: staff, password: pw1}
`

// receiver is the provincial platform: it stores what it gets, deduped by
// (type, rating_id), and can be down.
type receiver struct {
	mu       sync.Mutex
	down     atomic.Bool
	refused  atomic.Int64
	got      []Record
	seen     map[string]bool
	dupes    int
	srv      *httptest.Server
	received chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{seen: map[string]bool{}, received: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		if r.down.Load() {
			r.refused.Add(1)
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		var rec Record
		if err := json.NewDecoder(req.Body).Decode(&rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		key := rec.Type + ":" + rec.RatingID
		if r.seen[key] {
			r.dupes++
		} else {
			r.seen[key] = true
			r.got = append(r.got, rec)
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.got...)
}

type pushHall struct {
	h   *hall.Hall
	j   *store.Journal
	sp  *queue.Spec
	dir string
}

func openPushHall(t *testing.T) *pushHall {
	t.Helper()
	cfg, err := config.Parse("push.yaml", []byte(pushYAML))
	if err != nil {
		t.Fatal(err)
	}
	sp, dir := cfg.Spec(), t.TempDir()
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	h, err := hall.Open(hall.Config{Spec: sp, Journal: j, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(); j.Close() })
	ph := &pushHall{h: h, j: j, sp: sp, dir: dir}
	ph.do(t, queue.OpenCounter{Counter: "1", StaffID: "s01"})
	return ph
}

func (ph *pushHall) do(t *testing.T, cmd queue.Command) hall.Reply {
	t.Helper()
	rep := ph.h.Do(context.Background(), hall.Request{Source: "t", Cmd: cmd})
	if !rep.OK {
		t.Fatalf("%T: %+v", cmd, rep.Error)
	}
	return rep
}

// rate serves one ticket and rates it; it returns the rating id and case id.
func (ph *pushHall) rate(t *testing.T, level int) (string, string) {
	t.Helper()
	ph.do(t, queue.TakeTicket{Service: "social"})
	ph.do(t, queue.CallNext{Counter: "1"})
	ph.do(t, queue.Finish{Counter: "1"})
	var res queue.RatingResult
	json.Unmarshal(ph.do(t, queue.SubmitRating{Counter: "1", Level: level, Reasons: []string{"等候时间长"}}).Result, &res)
	cid := ""
	if res.CaseID != nil {
		cid = *res.CaseID
	}
	return res.RatingID, cid
}

func (ph *pushHall) pusher(t *testing.T, url string, reg prometheus.Registerer) *Pusher {
	t.Helper()
	p, err := New(Config{URL: url, Token: "tok", Spec: ph.sp, Journal: ph.j, LastSeq: func() int64 { return ph.h.View().Seq },
		CursorPath: filepath.Join(ph.dir, "evalpush.cursor"), Log: zerolog.Nop(), Registerer: reg,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPushThroughOutage: ratings made while the platform is down are
// delivered, in order, once it is back; the cursor survives a restart so
// nothing is sent twice; lag shows in Status and /metrics.
func TestPushThroughOutage(t *testing.T) {
	ph := openPushHall(t)
	rcv := newReceiver(t)
	rcv.down.Store(true)
	var want []string
	for _, lvl := range []int{5, 2, 1, 4} {
		id, _ := ph.rate(t, lvl)
		want = append(want, "rating:"+id)
	}
	_, cid := ph.rate(t, 2)
	yes := true
	ph.do(t, queue.StepCase{CaseID: cid, Action: queue.StepVerify, By: "super", Valid: &yes})
	ph.do(t, queue.StepCase{CaseID: cid, Action: queue.StepRectify, By: "super"})
	lvl := 4
	ph.do(t, queue.StepCase{CaseID: cid, Action: queue.StepCallback, By: "super", Reached: &yes, Level: &lvl})
	want = append(want, "rating:R"+cid[1:], "case_outcome:R"+cid[1:])

	reg := prometheus.NewRegistry()
	p := ph.pusher(t, rcv.srv.URL, reg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	testenv.Eventually(t, 10*time.Second, func() bool { return rcv.refused.Load() >= 3 }, "no retries during the outage")
	st := p.Status()
	if st.Failures == 0 || st.OldestUnsentS == nil || st.LastError == "" || st.LagEvents == 0 {
		t.Fatalf("status during the outage: %+v", st)
	}
	if got := metricValue(t, reg, "hallq_evalpush_failures_total"); got < 3 {
		t.Errorf("failures metric %v", got)
	}
	rcv.down.Store(false)
	testenv.Eventually(t, 10*time.Second, func() bool {
		st := p.Status()
		return len(rcv.records()) == len(want) && st.Delivered == int64(len(want)) && st.LagEvents == 0
	}, "not everything delivered after the outage")
	cancel()
	<-done
	for i, r := range rcv.records() {
		if got := r.Type + ":" + r.RatingID; got != want[i] {
			t.Fatalf("record %d = %s, want %s (in journal order)", i, got, want[i])
		}
	}
	first := rcv.records()[0]
	if first.Level != 5 || first.LevelCode != 1 || first.LevelName != "非常满意" || first.StaffNo == nil || *first.StaffNo != "A0317" {
		t.Errorf("first record %+v: want level 5 coded 1 (provincial) with the staff number", first)
	}
	out := rcv.records()[len(want)-1]
	if out.Status != queue.CaseClosed || out.Followup == nil || *out.Followup != 4 {
		t.Errorf("case outcome %+v", out)
	}
	if st := p.Status(); st.LagEvents != 0 || st.OldestUnsentS != nil || st.Failures != 0 {
		t.Errorf("status after catching up: %+v", st)
	}
	if got := metricValue(t, reg, "hallq_evalpush_sent_total"); got != float64(len(want)) {
		t.Errorf("sent metric %v", got)
	}

	// A restart resumes after the cursor: only the new rating is sent.
	id, _ := ph.rate(t, 3)
	p2 := ph.pusher(t, rcv.srv.URL, nil)
	if err := p2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := rcv.records()
	if len(recs) != len(want)+1 || recs[len(recs)-1].RatingID != id || rcv.dupes != 0 {
		t.Fatalf("after restart: %d records (%d duplicates), last %+v", len(recs), rcv.dupes, recs[len(recs)-1])
	}
}

// TestRecordOf: only ratings and case endings are sent.
func TestRecordOf(t *testing.T) {
	sp := &queue.Spec{HallID: "h"}
	if _, ok := RecordOf(sp, queue.TargetProvincial, &queue.Event{Kind: queue.EvTicketFinished}); ok {
		t.Error("a finish is sent")
	}
	if _, ok := RecordOf(sp, queue.TargetProvincial, &queue.Event{Kind: queue.EvCaseStep, CaseStatus: queue.CaseVerified}); ok {
		t.Error("a verify step is sent")
	}
	r, ok := RecordOf(sp, queue.TargetNational, &queue.Event{Seq: 9, Kind: queue.EvRatingSubmitted, RatingID: "R1", Level: 2})
	if !ok || r.LevelCode != 2 || r.PushID != "h:9" || r.StaffID != nil {
		t.Errorf("rating record %+v", r)
	}
}

// metricValue sums a metric's samples in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c != nil {
				sum += c.GetValue()
			}
			if g := m.GetGauge(); g != nil {
				sum += g.GetValue()
			}
		}
	}
	return sum
}
