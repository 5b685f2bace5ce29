package devices

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// counterState is retained on state/counters/{counter} (CONTRACT §2).
type counterState struct {
	Counter string  `json:"counter"`
	Status  string  `json:"status"`
	Ticket  *string `json:"ticket"`
	Service *string `json:"service"`
	Seq     int64   `json:"seq"`
}

// serviceState is retained on state/services/{service} (CONTRACT §2).
type serviceState struct {
	Service string `json:"service"`
	Waiting int    `json:"waiting"`
	Seq     int64  `json:"seq"`
}

// announcement is one call on announce (CONTRACT §2).
type announcement struct {
	Seq     int64      `json:"seq"`
	Ticket  string     `json:"ticket"`
	Counter string     `json:"counter"`
	Text    queue.Name `json:"text"`
}

// announceText is what the hall says for a call; the counter id is used as
// written: 请A023号到12号窗口办理.
func announceText(ticket, counter string) queue.Name {
	return queue.Name{Zh: fmt.Sprintf("请%s号到%s号窗口办理", ticket, counter),
		En: fmt.Sprintf("Number %s, please go to window %s", ticket, counter)}
}

// counterKey is what an LED display shows; seq alone is no change.
type counterKey struct {
	status, ticket, service string
	hasTicket, hasService   bool
}

func keyOf(c queue.CounterView) counterKey {
	k := counterKey{status: c.Status}
	if c.Ticket != nil {
		k.ticket, k.hasTicket = *c.Ticket, true
	}
	if c.Service != nil {
		k.service, k.hasService = *c.Service, true
	}
	return k
}

// publisher takes the hall's durable batches off the writer goroutine and
// publishes retained state, announcements and rating prompts in seq order.
type publisher struct {
	topics  Topics
	send    func(topic string, payload []byte, retain bool) error
	cmds    *commands
	log     zerolog.Logger
	desired func(evs []queue.Event, v *queue.View, all bool) // publishes desired config and firmware

	mu     sync.Mutex
	events []queue.Event
	view   *queue.View
	resync bool
	wake   chan struct{}

	// owned by the run goroutine
	seq      int64 // the seq of the last view published
	counters map[string]counterKey
	services map[string]int
	alerts   map[string]bool // alert ids retained on alerts/{id}
	// window conflates state/services/*: changes within it go out once,
	// as their latest value (0 = DefaultServiceStateWindow).
	window  time.Duration
	svcView *queue.View // the latest view whose services are not yet published
	svcAt   time.Time   // when services were last published
	timer   *time.Timer // wakes run when svcView is due
	clock   func() time.Time
}

// DefaultServiceStateWindow is how long retained state/services/* changes
// are gathered before the latest value of each goes out. A call changes a
// waiting count and so does every ticket taken; at hundreds of requests a
// second the 36 hall screens of a large hall would get each intermediate
// count. state/counters/* and announce are never delayed.
const DefaultServiceStateWindow = 50 * time.Millisecond

func newPublisher(topics Topics, send func(string, []byte, bool) error, cmds *commands,
	desired func([]queue.Event, *queue.View, bool), log zerolog.Logger) *publisher {
	return &publisher{topics: topics, send: send, cmds: cmds, desired: desired, log: log,
		wake: make(chan struct{}, 1), counters: map[string]counterKey{}, services: map[string]int{},
		alerts: map[string]bool{}, clock: time.Now}
}

// batch is the hall subscriber: it only queues (never block the writer).
func (p *publisher) batch(b hall.Batch) {
	p.mu.Lock()
	p.events = append(p.events, b.Events...)
	if p.view == nil || b.View.Seq >= p.view.Seq {
		p.view = b.View
	}
	p.mu.Unlock()
	p.poke()
}

// republish asks for every retained message to be published again, as after
// (re)connecting to an external broker.
func (p *publisher) republish(v *queue.View) {
	p.mu.Lock()
	p.resync = true
	if p.view == nil || v.Seq >= p.view.Seq {
		p.view = v
	}
	p.mu.Unlock()
	p.poke()
}

func (p *publisher) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run publishes until done is closed, then once more for what is queued.
func (p *publisher) run(done <-chan struct{}) {
	p.timer = time.NewTimer(time.Hour)
	p.timer.Stop()
	defer p.timer.Stop()
	for {
		select {
		case <-p.wake:
			p.flush()
		case <-p.timer.C:
			p.flush()
		case <-done:
			p.flush()
			if p.svcView != nil {
				p.serviceStates(p.svcView, false)
			}
			return
		}
	}
}

func (p *publisher) flush() {
	p.mu.Lock()
	evs, v, full := p.events, p.view, p.resync
	p.events, p.resync = nil, false
	p.mu.Unlock()
	if v != nil && (full || len(evs) > 0) {
		p.desired(evs, v, full)
	}
	if v != nil && (full || v.Seq > p.seq) {
		p.calls(evs)
		p.state(v, full)
	}
	p.dueServices(full)
	for i := range evs {
		p.event(&evs[i])
	}
}

// dueServices publishes the services of the latest view if the window since
// the last time has passed (or all is set), and otherwise makes sure run
// wakes when it has.
func (p *publisher) dueServices(all bool) {
	if p.svcView == nil {
		return
	}
	window := p.window
	if window <= 0 {
		window = DefaultServiceStateWindow
	}
	now := p.clock()
	if wait := p.svcAt.Add(window).Sub(now); wait > 0 && !all {
		if p.timer != nil {
			p.timer.Reset(wait)
		}
		return
	}
	p.serviceStates(p.svcView, all)
	p.svcView, p.svcAt = nil, now
}

// state publishes the counters that changed since the last view published,
// or all of them, at once, and leaves the services to dueServices.
func (p *publisher) state(v *queue.View, all bool) {
	p.counterStates(v, all)
	p.svcView = v
	p.seq = v.Seq
}

// calls publishes the counter state of every call that a later event of
// the same flush already superseded (two calls at one counter in one group
// commit, or between two flushes), so that each called number reaches the
// counter's LED (CONTRACT §2: when a counter calls, its LED state updates).
func (p *publisher) calls(evs []queue.Event) {
	for i := range evs {
		e := &evs[i]
		if e.Kind != queue.EvTicketCalled || e.Seq <= p.seq {
			continue
		}
		k := counterKey{status: e.CounterStatus, ticket: e.Ticket, service: e.Service, hasTicket: true, hasService: true}
		if p.counters[e.Counter] == k {
			continue
		}
		t, svc := e.Ticket, e.Service
		body, _ := json.Marshal(counterState{Counter: e.Counter, Status: e.CounterStatus, Ticket: &t, Service: &svc, Seq: e.Seq})
		if err := p.send(p.topics.CounterState(e.Counter), body, true); err == nil {
			p.counters[e.Counter] = k
		}
	}
}

// counterStates publishes state/counters/* of the counters that changed, or all.
func (p *publisher) counterStates(v *queue.View, all bool) {
	failed := false
	for _, c := range v.Counters {
		k := keyOf(c)
		if old, ok := p.counters[c.ID]; ok && old == k && !all {
			continue
		}
		body, _ := json.Marshal(counterState{Counter: c.ID, Status: c.Status, Ticket: c.Ticket, Service: c.Service, Seq: v.Seq})
		if err := p.send(p.topics.CounterState(c.ID), body, true); err != nil {
			failed = true
			continue
		}
		p.counters[c.ID] = k
	}
	if failed {
		p.log.Debug().Msg("retained counter state not fully published; published again on reconnect")
	}
}

// serviceStates publishes state/services/* of the services whose waiting
// count changed since it was last published, or all of them.
func (p *publisher) serviceStates(v *queue.View, all bool) {
	failed := false
	for _, s := range v.Services {
		if old, ok := p.services[s.ID]; ok && old == s.Waiting && !all {
			continue
		}
		body, _ := json.Marshal(serviceState{Service: s.ID, Waiting: s.Waiting, Seq: v.Seq})
		if err := p.send(p.topics.ServiceState(s.ID), body, true); err != nil {
			failed = true
			continue
		}
		p.services[s.ID] = s.Waiting
	}
	if all {
		p.allAlerts(v)
	}
	if failed {
		p.log.Debug().Msg("retained service state not fully published; published again on reconnect")
	}
}

// event publishes the announcement of a call and runs rating prompts.
func (p *publisher) event(e *queue.Event) {
	switch e.Kind {
	case queue.EvTicketCalled, queue.EvTicketRecalled: // CONTRACT §2: one announce per call
		body, _ := json.Marshal(announcement{Seq: e.Seq, Ticket: e.Ticket, Counter: e.Counter, Text: announceText(e.Ticket, e.Counter)})
		if err := p.send(p.topics.Announce(), body, false); err != nil {
			p.log.Debug().Err(err).Str("ticket", e.Ticket).Msg("announcement not published")
		}
	case queue.EvTicketFinished, queue.EvTicketTransferred: // every service is rated once, transfers too
		p.cmds.finished(e.TicketID, e.Ticket, e.Counter, e.StaffID, e.At)
	case queue.EvRatingSubmitted:
		p.cmds.rated(e.Counter, e.TicketID)
	case queue.EvAlertRaised, queue.EvAlertUpdated, queue.EvAlertCleared:
		p.alertEvent(e)
	}
}
