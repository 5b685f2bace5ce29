// Package hall is the single-writer runtime of one hall: one goroutine owns
// the queue state, decides commands in batches, makes their events durable
// with one journal commit, and only then applies them for readers, publishes
// them to subscribers and replies.
package hall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// Config wires a hall.
type Config struct {
	Spec          *queue.Spec
	Journal       *store.Journal
	Clock         func() time.Time // nil = time.Now
	Log           zerolog.Logger
	Metrics       *Metrics // nil = none
	SnapshotEvery int64    // events between snapshots; 0 = 10,000
	MaxBatch      int      // commands per group commit; 0 = 1,024
	IdemRetention time.Duration
	// AlertRules are the alert rules run after each batch and on the 1 s
	// tick (CONTRACT §3); nil = queue.AlertRules(). NoAlerts turns the
	// engine off (for benchmarks that compare against it).
	AlertRules []queue.AlertRule
	NoAlerts   bool
}

// Request is one command from one source (a device or an HTTP principal).
// ReqID, when set, makes it idempotent (CONTRACT §2 idempotency).
type Request struct {
	Source string
	ReqID  string
	Cmd    queue.Command
	// Refusal, when set, is the answer a transport gives without carrying
	// out a command (bad_request from parsing, forbidden, rate_limited): the
	// hall records it for (Source, ReqID) in the same group commit as
	// everything else, unless that req_id was answered before, in which case
	// the first answer stands (CONTRACT §2 idempotency: one record of every
	// answer, in the journal's requests table).
	Refusal *queue.Error
}

// Reply is the answer to a request, as devices and the HTTP API send it.
type Reply struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *queue.Error    `json:"error,omitempty"`
	Seq    int64           `json:"-"` // the hall seq after the request
	Repeat bool            `json:"-"` // answered from the idempotency record
}

// Batch is one durable group commit, as subscribers see it.
type Batch struct {
	Events []queue.Event
	View   *queue.View
}

type idemKey struct{ source, reqID string }

type request struct {
	Request
	query func(*queue.State)
	reply chan Reply

	refusals    []Request // Refuse: many refusals in one request
	manyReplies []Reply
	many        chan []Reply
}

// Hall runs one hall.
type Hall struct {
	cfg     Config
	spec    *queue.Spec
	journal *store.Journal
	clock   func() time.Time
	log     zerolog.Logger
	m       *Metrics

	in      chan *request
	quit    chan struct{}
	done    chan struct{}
	closing atomic.Bool

	// owned by the writer goroutine
	state    *queue.State
	idem     *replyIndex
	pruned   time.Time // when idempotency records were last pruned
	broken   bool      // the in-memory state may hold events that did not commit
	lastSnap int64
	snapping chan struct{} // closed when the snapshot being written is saved
	snapSize atomic.Int64  // the last snapshot's size and an eighth: the next one's buffer
	alertsAt time.Time     // when the alert rules last ran
	// alertRuns and alertTime count the rules' runs and the time they took.
	alertRuns int64
	alertTime time.Duration
	// the supervisor's parts of the view, shared by views until they change
	alertList    []queue.Alert
	counterSince map[string]time.Time

	// the clock and the disk (clock.go, maintain.go)
	lastAt       time.Time    // time of the last durable event: the hall's clock never goes back past it
	behind       atomic.Int64 // how far the wall clock is behind lastAt, in ns
	checkpointed time.Time    // when the WAL was last checkpointed

	view atomic.Pointer[queue.View]
	ok   atomic.Bool // the last append succeeded

	subMu sync.Mutex
	subs  []func(Batch)
}

// alertEvery is the least time between two runs of the alert rules after
// batches; under load they would otherwise run for every group commit.
const alertEvery = 100 * time.Millisecond

// ErrClosed is returned for requests after Close.
var ErrClosed = errors.New("hall is closed")

// Open loads the hall's state from its journal (snapshot plus replay) and
// starts its writer.
func Open(cfg Config) (*Hall, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	clock, loc := cfg.Clock, cfg.Spec.Location
	cfg.Clock = func() time.Time { return clock().In(loc).Round(0) } // hall-local, no monotonic reading
	if cfg.SnapshotEvery == 0 {
		cfg.SnapshotEvery = 10000
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 1024
	}
	if cfg.IdemRetention == 0 {
		cfg.IdemRetention = 48 * time.Hour
	}
	if cfg.AlertRules == nil {
		cfg.AlertRules = queue.AlertRules()
	}
	h := &Hall{cfg: cfg, spec: cfg.Spec, journal: cfg.Journal, clock: cfg.Clock, log: cfg.Log, m: cfg.Metrics,
		in: make(chan *request, cfg.MaxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	if err := h.load(); err != nil {
		return nil, err
	}
	h.log.Info().Int64("seq", h.state.Seq).Int("tickets", len(h.state.Tickets)).Int("idempotency_records", h.idem.len()).
		Dur("took", time.Since(start)).Msg("hall state recovered 状态已恢复")
	h.ok.Store(true)
	h.view.Store(h.newView(nil))
	go h.run()
	return h, nil
}

// load rebuilds state from the latest snapshot and the journal after it.
func (h *Hall) load() error {
	st := queue.NewState(h.spec)
	seq, data, err := h.journal.LatestSnapshot()
	if err != nil {
		return err
	}
	if data != nil {
		if err := decodeSnapshot(data, st); err != nil {
			// The events are all still in the journal: the snapshot only saves time.
			h.log.Warn().Err(err).Int64("seq", seq).Msg("snapshot unreadable; replaying the whole journal 快照无法读取，重放全部日志")
			st, seq = queue.NewState(h.spec), 0
		} else {
			st.Attach(h.spec)
		}
	}
	var lastAt time.Time
	if err := h.journal.Replay(seq, func(e *queue.Event) error {
		queue.Apply(st, e)
		lastAt = e.At
		return nil
	}); err != nil {
		return fmt.Errorf("replay journal: %w", err)
	}
	idem := newReplyIndex()
	if err := h.journal.RequestKeys(h.clock().Add(-h.cfg.IdemRetention), func(source, reqID string, at time.Time) {
		idem.add(idem.key(source, reqID), at)
	}); err != nil {
		return err
	}
	if lastAt.IsZero() && st.Seq > 0 { // everything was in the snapshot
		if evs, err := h.journal.EventsAfter(st.Seq-1, 1); err == nil && len(evs) == 1 {
			lastAt = evs[0].At
		}
	}
	h.state, h.idem, h.lastSnap, h.broken, h.lastAt = st, idem, seq, false, lastAt
	h.alertList, h.counterSince = nil, nil
	return nil
}

// Do carries out one request and returns its reply once it is durable.
func (h *Hall) Do(ctx context.Context, req Request) Reply {
	r := &request{Request: req, reply: make(chan Reply, 1)}
	if err := h.send(ctx, r); err != nil {
		return unavailable(err)
	}
	select {
	case rep := <-r.reply:
		return rep
	case <-ctx.Done():
		return unavailable(ctx.Err())
	}
}

// Refuse records refusals that a transport answers without carrying out a
// command (each with Refusal and ReqID set) in one go, sharing the next
// group commit, and returns their replies in order: a req_id answered before
// gets its first answer back (CONTRACT §2 idempotency, admission).
func (h *Hall) Refuse(ctx context.Context, reqs []Request) []Reply {
	r := &request{refusals: reqs, many: make(chan []Reply, 1)}
	if err := h.send(ctx, r); err != nil {
		return unavailableAll(len(reqs), err)
	}
	select {
	case reps := <-r.many:
		return reps
	case <-ctx.Done():
		return unavailableAll(len(reqs), ctx.Err())
	}
}

// Query runs fn on the writer goroutine against the current state; fn must
// not keep or change anything it is given.
func (h *Hall) Query(ctx context.Context, fn func(s *queue.State)) error {
	r := &request{query: fn, reply: make(chan Reply, 1)}
	if err := h.send(ctx, r); err != nil {
		return err
	}
	select {
	case <-r.reply:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hall) send(ctx context.Context, r *request) error {
	if h.closing.Load() {
		return ErrClosed
	}
	select {
	case h.in <- r:
		return nil
	case <-h.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func unavailable(err error) Reply {
	return Reply{Error: queue.Errorf(queue.Unavailable, "暂时无法办理，请稍后再试 cannot make the change durable now: %v", err)}
}

// View is the latest durable picture of the hall; never modify it.
func (h *Hall) View() *queue.View { return h.view.Load() }

// Spec is the hall's static description.
func (h *Hall) Spec() *queue.Spec { return h.spec }

// Healthy reports whether the last journal append succeeded.
func (h *Hall) Healthy() bool { return h.ok.Load() }

// Subscribe registers fn to receive every durable batch in seq order. fn runs
// on the writer goroutine and must not block: hand the batch to a queue.
func (h *Hall) Subscribe(fn func(Batch)) {
	h.subMu.Lock()
	h.subs = append(h.subs, fn)
	h.subMu.Unlock()
}

// EventsAfter reads durable events after seq from the journal.
func (h *Hall) EventsAfter(seq int64, limit int) ([]queue.Event, error) {
	return h.journal.EventsAfter(seq, limit)
}

// Close stops taking requests, finishes the queued ones, snapshots and
// stops the writer. It does not close the journal.
func (h *Hall) Close() error {
	if h.closing.Swap(true) {
		<-h.done
		return nil
	}
	close(h.quit)
	<-h.done
	return nil
}

func (h *Hall) run() {
	defer close(h.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	batch := make([]*request, 0, h.cfg.MaxBatch)
	for {
		select {
		case r := <-h.in:
			batch = append(batch[:0], r)
			batch = h.drain(batch)
			h.process(batch)
		case <-tick.C:
			h.process(nil) // rolls the business day over when due
			h.prune()
			h.maintain()
		case <-h.quit:
			for {
				batch = h.drain(batch[:0])
				if len(batch) == 0 {
					break
				}
				h.process(batch)
			}
			h.snapshot(true)
			return
		}
	}
}

func (h *Hall) drain(batch []*request) []*request {
	for len(batch) < h.cfg.MaxBatch {
		select {
		case r := <-h.in:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// process decides a batch against the live state, commits all its events in
// one append, then publishes and replies. If the append fails, the state is
// reloaded from the journal and every request in the batch is refused.
func (h *Hall) process(batch []*request) {
	prev := h.view.Load() // the view of the state before this batch
	if h.broken {
		prev = nil // reloaded below: build the view from scratch
		if err := h.load(); err != nil {
			h.log.Error().Err(err).Msg("reload after failed append")
			for _, r := range batch {
				if r.refusals != nil {
					r.many <- unavailableAll(len(r.refusals), err)
					continue
				}
				r.reply <- unavailable(err)
			}
			return
		}
	}
	now := h.now()
	var evs []queue.Event
	var recs []store.Request
	var added []uint64
	var pending map[idemKey][]byte // answered in this batch, not in the journal yet
	replies := make([]Reply, len(batch))
	apply := func(es []queue.Event) {
		for i := range es {
			es[i].Seq = h.state.Seq + 1
			queue.Apply(h.state, &es[i])
		}
		evs = append(evs, es...)
	}
	apply(queue.Unrated(h.state, now)) // 未评价 before the day's visits are gone
	if batch == nil || h.state.Day != h.spec.BusinessDay(now) {
		apply(queue.MissedAppointments(h.state, now)) // CONTRACT §5 no-shows, on the tick and before a rollover
	}
	apply(queue.Rollover(h.state, now))
	apply(queue.FirmwareTick(h.state, now)) // CONTRACT §6: soak, device timeouts, done
	one := func(r Request) Reply {
		var k uint64
		if r.ReqID != "" {
			k = h.idem.key(r.Source, r.ReqID)
			body, ok, err := h.recorded(k, idemKey{r.Source, r.ReqID}, pending)
			if err != nil {
				return unavailable(err) // not recorded: a retry gets the first answer
			}
			if ok {
				rep := decodeReply(body)
				rep.Repeat = true
				return rep
			}
		}
		var rep Reply
		if r.Refusal != nil {
			rep = Reply{Error: r.Refusal}
		} else {
			out := queue.Decide(h.state, now, r.Cmd)
			apply(out.Events)
			rep = Reply{OK: out.Err == nil, Error: out.Err}
			if out.Err == nil && out.Result != nil {
				if res := out.Result(h.state); res != nil {
					rep.Result, _ = json.Marshal(res)
				}
			}
		}
		if r.ReqID != "" {
			body, _ := json.Marshal(rep)
			if h.idem.add(k, now) {
				added = append(added, k)
			}
			if pending == nil {
				pending = map[idemKey][]byte{}
			}
			pending[idemKey{r.Source, r.ReqID}] = body
			recs = append(recs, store.Request{Source: r.Source, ReqID: r.ReqID, At: now, Seq: h.state.Seq, Response: body})
		}
		return rep
	}
	for i, r := range batch {
		switch {
		case r.query != nil:
		case r.refusals != nil:
			r.manyReplies = make([]Reply, len(r.refusals))
			for j, f := range r.refusals {
				r.manyReplies[j] = one(f)
			}
		default:
			replies[i] = one(r.Request)
		}
	}
	// CONTRACT §3: raised, raised to red or cleared within 2 s. The rules
	// run on every 1 s tick and after a batch, at most every alertEvery.
	if !h.cfg.NoAlerts && (batch == nil || now.Sub(h.alertsAt) >= alertEvery || now.Before(h.alertsAt)) {
		h.alertsAt = now
		start := time.Now()
		apply(queue.EvaluateAlerts(h.state, now, h.cfg.AlertRules))
		h.alertRuns, h.alertTime = h.alertRuns+1, h.alertTime+time.Since(start)
	}
	if len(evs) > 0 || len(recs) > 0 {
		start := time.Now()
		err := h.journal.Append(evs, recs)
		if h.m != nil {
			h.m.AppendSeconds.Observe(time.Since(start).Seconds())
			h.m.BatchSize.Observe(float64(len(batch)))
		}
		if err != nil {
			h.fail(err, batch, added)
			return
		}
		h.ok.Store(true)
	}
	if len(evs) > 0 {
		h.lastAt = now
		v := h.newView(prev, evs...) // only what the events touched
		h.view.Store(v)
		h.observe(evs, v)
		h.subMu.Lock()
		subs := h.subs
		h.subMu.Unlock()
		for _, fn := range subs {
			fn(Batch{Events: evs, View: v})
		}
	}
	for i, r := range batch {
		if r.query != nil {
			r.query(h.state)
		}
		replies[i].Seq = h.state.Seq
		if r.refusals != nil {
			r.many <- r.manyReplies
			continue
		}
		r.reply <- replies[i]
	}
	if h.state.Seq-h.lastSnap >= h.cfg.SnapshotEvery {
		h.snapshot(false)
	}
}

// newView is the view after evs: prev updated where the events touched it
// (queue.UpdateView; nil prev = from scratch), with what only the supervisor
// stream shows: the standing alerts and the counters' status times. Those
// two are rebuilt only after events that change them (evs; nil = rebuild).
func (h *Hall) newView(prev *queue.View, evs ...queue.Event) *queue.View {
	alertsChanged, countersChanged := evs == nil, evs == nil
	for i := range evs {
		alertsChanged = alertsChanged || evs[i].Alert != nil || evs[i].Kind == queue.EvDayStarted
		countersChanged = countersChanged || evs[i].Counter != "" || evs[i].Kind == queue.EvDayStarted
	}
	if alertsChanged || h.alertList == nil {
		h.alertList = h.state.AlertList()
	}
	if countersChanged || h.counterSince == nil {
		h.counterSince = make(map[string]time.Time, len(h.state.Counters))
		for id, c := range h.state.Counters {
			if !c.StatusSince.IsZero() {
				h.counterSince[id] = c.StatusSince
			}
		}
	}
	v := queue.UpdateView(prev, h.state, evs)
	v.Alerts, v.CounterSince, v.Today, v.AlertN = h.alertList, h.counterSince, h.state.Today, h.state.AlertN
	return v
}

// prune forgets idempotency records past their retention, hourly. Devices
// keep a req_id unique for at least 24 hours (CONTRACT §2); hallq keeps 48.
func (h *Hall) prune() {
	now := h.clock()
	if now.Sub(h.pruned) < time.Hour {
		return
	}
	h.pruned = now
	cutoff := now.Add(-h.cfg.IdemRetention)
	h.idem.prune(cutoff)
	if n, err := h.journal.PruneRequests(cutoff); err != nil {
		h.log.Warn().Err(err).Msg("prune idempotency records")
	} else if n > 0 {
		h.log.Info().Int64("records", n).Msg("pruned idempotency records older than the retention")
	}
}

func (h *Hall) fail(err error, batch []*request, added []uint64) {
	h.log.Error().Err(err).Int("commands", len(batch)).Msg("journal append failed; refusing the batch 日志写入失败")
	if h.m != nil {
		h.m.AppendErrors.Inc()
	}
	h.ok.Store(false)
	h.broken = true
	for _, k := range added {
		h.idem.forget(k)
	}
	for _, r := range batch {
		switch {
		case r.query != nil:
			r.reply <- Reply{}
		case r.refusals != nil:
			r.many <- unavailableAll(len(r.refusals), err)
		default:
			r.reply <- unavailable(err)
		}
	}
}

func unavailableAll(n int, err error) []Reply {
	out := make([]Reply, n)
	for i := range out {
		out[i] = unavailable(err)
	}
	return out
}

// snapshot saves the state so the next start replays less. The writer only
// copies the state; encoding and saving happen on another goroutine, one
// snapshot at a time. With wait, it returns once the snapshot is saved.
func (h *Hall) snapshot(wait bool) {
	if h.snapping != nil {
		select {
		case <-h.snapping:
			h.snapping = nil
		default:
			if !wait {
				return // the previous one is still being written
			}
			<-h.snapping
			h.snapping = nil
		}
	}
	if h.broken || h.state.Seq == h.lastSnap || h.state.Seq == 0 {
		return
	}
	st, done := h.state.Clone(), make(chan struct{})
	h.snapping, h.lastSnap = done, st.Seq
	go func() {
		defer close(done)
		start := time.Now()
		data, err := encodeSnapshot(st, int(h.snapSize.Load()))
		if err == nil {
			h.snapSize.Store(int64(len(data) + len(data)/8))
			err = h.journal.SaveSnapshot(st.Seq, data)
		}
		if err != nil {
			h.log.Warn().Err(err).Msg("snapshot failed; the journal still has everything")
			return
		}
		h.log.Debug().Int64("seq", st.Seq).Int("bytes", len(data)).Dur("took", time.Since(start)).Msg("snapshot saved")
	}()
	if wait {
		<-done
		h.snapping = nil
	}
}

func (h *Hall) observe(evs []queue.Event, v *queue.View) {
	if h.m == nil {
		return
	}
	alerts := false
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case queue.EvTicketIssued:
			h.m.TicketsIssued.WithLabelValues(e.Service, e.Channel).Inc()
		case queue.EvTicketCalled:
			h.m.Calls.WithLabelValues(e.Counter, "call").Inc()
			if e.WaitedS != nil {
				h.m.WaitSeconds.WithLabelValues(e.Service).Observe(float64(*e.WaitedS))
			}
		case queue.EvTicketRecalled:
			h.m.Calls.WithLabelValues(e.Counter, "recall").Inc()
		case queue.EvTicketFinished:
			if e.ServedS != nil {
				h.m.ServeSeconds.WithLabelValues(e.Service).Observe(float64(*e.ServedS))
			}
		case queue.EvRatingSubmitted:
			h.m.Ratings.WithLabelValues(strconv.Itoa(e.Level)).Inc()
		case queue.EvAlertRaised:
			h.m.AlertsRaised.WithLabelValues(e.Alert.Kind).Inc()
			alerts = true
		case queue.EvAlertUpdated, queue.EvAlertCleared:
			alerts = true
		}
	}
	if alerts {
		h.m.Alerts.Reset()
		for _, a := range v.Alerts {
			h.m.Alerts.WithLabelValues(a.Kind, a.Level).Inc()
		}
	}
	h.m.LastSeq.Set(float64(v.Seq))
	for _, s := range v.Services {
		h.m.Waiting.WithLabelValues(s.ID).Set(float64(s.Waiting))
	}
}

// recorded returns the first answer to key, k its hash, if there is one:
// given earlier in this batch (pending) or recorded in the journal.
func (h *Hall) recorded(k uint64, key idemKey, pending map[idemKey][]byte) ([]byte, bool, error) {
	if body, ok := pending[key]; ok {
		return body, true, nil
	}
	if !h.idem.has(k) {
		return nil, false, nil
	}
	return h.journal.Response(key.source, key.reqID) // not found: another key has the same hash
}

func decodeReply(body []byte) Reply {
	var r Reply
	if err := json.Unmarshal(body, &r); err != nil {
		return unavailable(fmt.Errorf("decode stored reply: %w", err))
	}
	return r
}
