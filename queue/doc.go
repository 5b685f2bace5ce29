/*
Package queue is the pure core of a hall: numbering, the call rule, transfers,
holds, no-shows, the business day and rating eligibility. It does no I/O,
starts no goroutines and never reads the wall clock; the caller brings the
time, keeps the journal and talks to devices and screens. Everything the hall
knows is a State, and the only way a State changes is Apply of an Event.

# Usage

The hall is described once by a Spec (services, counters, devices, opening
hours, time zone; config.Config.Spec builds it). The state of a hall that has
never run is

	s := queue.NewState(spec)

A caller then runs one loop, on one goroutine, for the life of the hall (see
hall.Hall.process, which is this loop with batching):

	now := clock() // hall-local; the only clock the core sees
	evs := queue.Rollover(s, now) // the events that end yesterday, if it is a new day
	out := queue.Decide(s, now, cmd) // never changes s
	evs = append(evs, out.Events...)
	// 1. number the events (Event.Seq, one more than s.Seq each) and make them
	//    durable: journal append with fsync. Nothing is visible yet.
	// 2. apply them, in order:
	for i := range evs {
		queue.Apply(s, &evs[i]) // also fills evs[i].CounterStatus and .Waiting
	}
	// 3. only now answer: out.Err, or out.Result(s) for the result, and
	//    publish the events and the view to screens and devices.

Decide and Apply are deliberately apart. Decide reads the state and the
command and returns what would happen (Outcome: events, a result to build
once they are applied, or a refusal with a contract code); Apply changes the
state by one event and nothing else. Because Apply is the only writer and is
deterministic, replaying the journal through Apply rebuilds the state
exactly, which is how a restart and `hallqd restore --from-mysql` work.

# The calling rule

The rules below are the caller's; breaking one is a bug the core cannot catch.

  - One goroutine owns a State: Decide, Apply, Rollover, NextFor, AheadOf,
    EstimateWait, NewView and UpdateView all read or change it without locks.
    Other goroutines get a View (immutable) or a Clone.
  - Decide, then make durable, then Apply, then show. A refusal may still
    carry events that stand (call.next finishes the current ticket even when
    it then answers queue_empty): journal and apply them like any others.
  - Apply the events of one Decide before the next Decide: a second command
    in the same batch must see the first one's effects.
  - Give each event the next Seq before Apply; Apply keeps s.Seq at the
    highest seen. Screens and the journal rely on seqs without gaps.
  - Call Rollover before Decide with the same now: a command on a new
    business day must not act on yesterday's tickets.
  - Time comes in as now. Pass the hall-local time without a monotonic
    reading (time.Time.Round(0)), so that the same journal replays the same
    on any machine.
  - Never change a State but through Apply, and never keep a *Ticket or
    *Counter from it past the next Apply.
  - If an append fails after the events were applied, the State is no
    longer the durable one: throw it away and rebuild it from the journal.

# Refusals

A refusal is an *Error with a stable Code (bad_request, queue_empty,
invalid_state, ...; CONTRACT §2 error codes) and a message for people, Chinese
first, then English. Transports map codes to their own form (an MQTT
response, an HTTP status); the core never sees a transport.

# Snapshots

A State encodes to JSON (encoding/json) and back. After decoding, call
Attach with the current Spec: it sets the spec and fills counters the config
added since. The counts Apply keeps so that readers need not scan (waiting
tickets per service, open counters per service: see tally.go) are derived,
not encoded; they are rebuilt on first use after a decode, a Clone or a new
day, and the property tests check them against counting by hand.

# Views

NewView builds the read-only picture screens show (CONTRACT §3 snapshot)
from scratch; UpdateView builds the next one from the previous one and the
events of a batch, touching only the services, counters and devices those
events name, and falls back to NewView for events that reshape the hall (a
new day, a cancellation, an expiry, a kind it does not know). A View shares
nothing mutable with the State, so it may be handed to other goroutines. The
property test TestUpdateViewEqualsNewView checks, after every event of random
command sequences, that the two agree.

# The call rule and estimates

NextFor is the call rule (order.go, docs/calling.md): green channel and
tickets waiting past StarveFactor times their service's target first, then
due appointments, then the oldest issue time, ties broken by issue order.
AheadOf counts the tickets of a ticket's service called before it, and
EstimateWait turns that into seconds from the service's moving average of
service times and the open counters serving it.

# Tests

Behaviour is pinned by golden scripts (testdata/*.txt, run by TestScripts,
-update rewrites them), by rapid property tests that drive random commands
and check the invariants, the call rule against a naive version, replay,
snapshots and views after every step, and by fuzz targets built from the same
properties (FuzzQueue, FuzzUpdateView).
*/
package queue
