package queue

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// checkView fails unless the incrementally kept view equals a view built
// from scratch.
func checkView(t *rapid.T, inc *View, s *State, after string) {
	if want := NewView(s); !reflect.DeepEqual(inc, want) {
		a, _ := json.Marshal(inc)
		b, _ := json.Marshal(want)
		t.Fatalf("after %s the updated view differs from NewView:\nupdated: %s\nscratch: %s", after, a, b)
	}
}

// checkTally fails unless the counts Apply keeps equal counting by hand.
func checkTally(t *rapid.T, s *State) {
	for _, svc := range s.Spec.ServiceOrder {
		if got, want := s.WaitingCount(svc), s.waitingScan(svc); got != want {
			t.Fatalf("WaitingCount(%s) = %d, scanning the queues gives %d", svc, got, want)
		}
		servers := 0
		for _, id := range s.Spec.CounterOrder {
			if c := s.Counters[id]; c.Open && !c.Paused && s.Spec.Counters[id].Serves(svc) {
				servers++
			}
		}
		if got := s.tallies().servers[svc]; got != servers {
			t.Fatalf("servers of %s = %d, counting the counters gives %d", svc, got, servers)
		}
	}
}

// viewProperty runs random commands and keeps two views up to date with
// UpdateView, one event at a time and one command (a group commit) at a
// time; after every event both must equal NewView, and the kept counts
// must equal counting by hand.
func viewProperty(t *rapid.T) {
	h := newHarness()
	sp := h.s.Spec
	perEvent, perBatch := NewView(h.s), NewView(h.s)
	steps := rapid.IntRange(1, 200).Draw(t, "steps")
	for i := 0; i < steps; i++ {
		h.now = h.now.Add(time.Duration(rapid.IntRange(0, 900).Draw(t, "advance")) * time.Second)
		if rapid.IntRange(0, 9).Draw(t, "presence") == 0 {
			dev := rapid.SampledFrom(sp.DeviceOrder).Draw(t, "device")
			evs, _, _ := h.do(ReportPresence{Device: dev, Online: rapid.Bool().Draw(t, "online")})
			perEvent, perBatch = UpdateView(perEvent, h.s, evs), UpdateView(perBatch, h.s, evs)
			checkView(t, perEvent, h.s, "presence")
			continue
		}
		cmd := genCommand(t, sp, h)
		roll := Rollover(h.s, h.now)
		for j := range roll {
			h.apply(roll[j : j+1])
			perEvent = UpdateView(perEvent, h.s, roll[j:j+1])
			checkView(t, perEvent, h.s, string(roll[j].Kind))
		}
		out := Decide(h.s, h.now, cmd)
		for j := range out.Events {
			h.apply(out.Events[j : j+1])
			perEvent = UpdateView(perEvent, h.s, out.Events[j:j+1])
			checkView(t, perEvent, h.s, string(out.Events[j].Kind))
			checkTally(t, h.s)
		}
		perBatch = UpdateView(perBatch, h.s, append(roll, out.Events...))
		checkView(t, perBatch, h.s, "a batch")
	}
	if a, b := encodeState(h.s), encodeState(h.s.Clone()); a != b {
		t.Fatal("Clone differs from the state")
	}
	checkTally(t, h.s.Clone()) // counted again from scratch on the copy
}

func TestUpdateViewEqualsNewView(t *testing.T) { rapid.Check(t, viewProperty) }

// FuzzUpdateView drives the same property from the fuzzer's bytes.
func FuzzUpdateView(f *testing.F) { f.Fuzz(rapid.MakeFuzz(viewProperty)) }

// TestUpdateViewLeavesPrevious checks that a reader's view is not changed
// by the update that follows it.
func TestUpdateViewLeavesPrevious(t *testing.T) {
	h := newHarness()
	h.do(OpenCounter{Counter: h.s.Spec.CounterOrder[0]})
	prev := NewView(h.s)
	before, _ := json.Marshal(prev)
	evs, _, err := h.do(TakeTicket{Service: h.s.Spec.ServiceOrder[0]})
	if err != nil {
		t.Fatal(err)
	}
	next := UpdateView(prev, h.s, evs)
	if after, _ := json.Marshal(prev); string(after) != string(before) {
		t.Fatalf("UpdateView changed the previous view:\n%s\n%s", before, after)
	}
	if got, want := next.Services[0].Waiting, prev.Services[0].Waiting+1; got != want {
		t.Fatalf("waiting = %d, want %d", got, want)
	}
}
