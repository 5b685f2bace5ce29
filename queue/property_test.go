package queue

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genCommand draws a command of any kind, mostly valid, sometimes not.
func genCommand(t *rapid.T, sp *Spec, h *harness) Command {
	counter := rapid.SampledFrom(append(append([]string{}, sp.CounterOrder...), "9")).Draw(t, "counter")
	service := rapid.SampledFrom(append(append([]string{}, sp.ServiceOrder...), "nope")).Draw(t, "service")
	number := func() string {
		var ids []string
		for id := range h.s.Tickets {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) == 0 || rapid.IntRange(0, 9).Draw(t, "bogus") == 0 {
			return "Z999"
		}
		return h.s.Tickets[rapid.SampledFrom(ids).Draw(t, "ticket")].Number
	}
	switch rapid.IntRange(0, 19).Draw(t, "kind") {
	case 18, 19:
		return genEvaluation(t, h, counter)
	case 0, 1, 2, 3:
		return TakeTicket{Service: service, Channel: rapid.SampledFrom([]string{"", WalkIn, Green, Appointment, "x"}).Draw(t, "channel"),
			AppointmentCode: rapid.SampledFrom([]string{"", "AP1", "AP2"}).Draw(t, "code"),
			IDHash:          rapid.SampledFrom([]string{"", "", "id1", "id2"}).Draw(t, "id")}
	case 4:
		return OpenCounter{Counter: counter, StaffID: "s"}
	case 5:
		return CloseCounter{Counter: counter}
	case 6:
		return PauseCounter{Counter: counter}
	case 7:
		return ResumeCounter{Counter: counter}
	case 8, 9:
		return CallNext{Counter: counter}
	case 10:
		return Recall{Counter: counter}
	case 11:
		return CallNumber{Counter: counter, Number: number()}
	case 12:
		return StartServing{Counter: counter}
	case 13:
		return Finish{Counter: counter}
	case 14:
		return MarkNoShow{Counter: counter}
	case 15:
		if rapid.Bool().Draw(t, "toService") {
			return Transfer{Counter: counter, ToService: service}
		}
		return Transfer{Counter: counter, ToCounter: counter}
	case 16:
		if rapid.Bool().Draw(t, "hold") {
			return Hold{Counter: counter}
		}
		return ResumeHeld{Counter: counter}
	default:
		if rapid.Bool().Draw(t, "book") {
			start := h.now.Add(time.Duration(rapid.IntRange(-60, 60).Draw(t, "slot")) * time.Minute).In(h.s.Spec.Location)
			return BookAppointment{Code: rapid.SampledFrom([]string{"AP1", "AP2"}).Draw(t, "bcode"), Service: service,
				Date: start.Format("2006-01-02"), Start: start.Format("15:04"), End: start.Add(30 * time.Minute).Format("15:04")}
		}
		return SubmitRating{Counter: counter, Level: rapid.IntRange(0, 6).Draw(t, "level")}
	}
}

// naiveNext is the call rule written the obvious way: sort every eligible
// waiting ticket by (rank, issue time, order) and take the first.
func naiveNext(s *State, counter string, now time.Time) *Ticket {
	var c []*Ticket
	for _, t := range s.Tickets {
		if t.Status != Waiting {
			continue
		}
		if t.TargetCounter == counter || (t.TargetCounter == "" && s.Spec.Counters[counter].Serves(t.Service)) {
			c = append(c, t)
		}
	}
	sort.Slice(c, func(i, j int) bool {
		ri, rj := rank(s.Spec, c[i], now), rank(s.Spec, c[j], now)
		if ri != rj {
			return ri < rj
		}
		if !c[i].IssuedAt.Equal(c[j].IssuedAt) {
			return c[i].IssuedAt.Before(c[j].IssuedAt)
		}
		return c[i].Order < c[j].Order
	})
	if len(c) == 0 {
		return nil
	}
	return c[0]
}

// checkInvariants fails if the state breaks a rule that must always hold.
func checkInvariants(t *rapid.T, s *State) {
	inQueue := map[string]int{}
	for k, ids := range s.Queue {
		for _, id := range ids {
			inQueue[id]++
			tk := s.Tickets[id]
			if tk == nil || tk.Status != Waiting || queueKey(tk) != k {
				t.Fatalf("queue %s holds %s which is not waiting there", k, id)
			}
		}
	}
	for id, tk := range s.Tickets {
		if tk.Status == Waiting && inQueue[id] != 1 {
			t.Fatalf("waiting ticket %s is in %d queues", id, inQueue[id])
		}
		if id != TicketID(s.Day, tk.Number) {
			t.Fatalf("ticket id %s does not match number %s", id, tk.Number)
		}
	}
	seen := map[string]string{}
	for id, c := range s.Counters {
		for _, tid := range []string{c.Current, c.Held} {
			if tid == "" {
				continue
			}
			if other, ok := seen[tid]; ok {
				t.Fatalf("ticket %s at counters %s and %s", tid, other, id)
			}
			seen[tid] = id
		}
		if c.Current != "" {
			st := s.Tickets[c.Current].Status
			if st != Called && st != Serving {
				t.Fatalf("counter %s current %s is %s", id, c.Current, st)
			}
			if !c.Open {
				t.Fatalf("closed counter %s has a current ticket", id)
			}
		}
	}
	// Numbers are unique and gap-free per prefix: 1..NextN.
	byPrefix := map[string]map[int]bool{}
	for _, tk := range s.Tickets {
		p := tk.Number[:len(tk.Number)-3]
		if byPrefix[p] == nil {
			byPrefix[p] = map[int]bool{}
		}
		if byPrefix[p][tk.N] {
			t.Fatalf("number %s issued twice", tk.Number)
		}
		byPrefix[p][tk.N] = true
	}
	for svc, n := range s.NextN {
		if got := len(byPrefix[s.Spec.Services[svc].Prefix]); got != n {
			t.Fatalf("service %s issued %d numbers but NextN is %d", svc, got, n)
		}
	}
}

func encodeState(s *State) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// queueProperty runs random commands and checks the rules after each one.
func queueProperty(t *rapid.T) {
	h := newHarness()
	sp := h.s.Spec
	steps := rapid.IntRange(1, 200).Draw(t, "steps")
	for i := 0; i < steps; i++ {
		h.now = h.now.Add(time.Duration(rapid.IntRange(0, 900).Draw(t, "advance")) * time.Second)
		cmd := genCommand(t, sp, h)
		var want *Ticket
		if cn, ok := cmd.(CallNext); ok && h.s.Counters[cn.Counter] != nil && h.s.Spec.BusinessDay(h.now) == h.s.Day {
			want = naiveNext(h.s, cn.Counter, h.now)
		}
		before := map[string]Status{}
		for id, tk := range h.s.Tickets {
			before[id] = tk.Status
		}
		h.apply(Unrated(h.s, h.now)) // as the hall writer does on its tick
		evs, _, _ := h.do(cmd)
		for _, e := range evs {
			if e.Kind == EvTicketCalled {
				if st := before[e.TicketID]; st != Waiting && st != NoShow {
					t.Fatalf("%s called while %s", e.Ticket, st)
				}
				before[e.TicketID] = Called
			}
			if e.Kind == EvTicketCalled && want != nil {
				if _, ok := cmd.(CallNext); ok && e.TicketID != want.ID {
					t.Fatalf("call.next at %s called %s, naive rule says %s", e.Counter, e.Ticket, want.Number)
				}
			}
		}
		checkInvariants(t, h.s)
		checkAhead(t, h.s, h.now)
		checkEvaluation(t, h)
	}
	// Replay: the same events into a fresh state give the same state.
	fresh := NewState(sp)
	for i := range h.log {
		e := h.log[i]
		Apply(fresh, &e)
	}
	if a, b := encodeState(h.s), encodeState(fresh); a != b {
		t.Fatalf("state after replay differs:\n%s\n%s", a, b)
	}
	if a, b := encodeState(h.s), encodeState(h.s.Clone()); a != b {
		t.Fatal("Clone differs from the state")
	}
	var streamed bytes.Buffer // the snapshot's streaming encoder writes json.Marshal's bytes
	if err := h.s.WriteJSON(&streamed); err != nil || streamed.String() != encodeState(h.s) {
		t.Fatalf("WriteJSON (err %v) differs from json.Marshal:\n%s\n%s", err, streamed.String(), encodeState(h.s))
	}
	// Snapshot round trip: decode and continue gives the same encoding.
	var snap State
	if err := json.Unmarshal([]byte(encodeState(h.s)), &snap); err != nil {
		t.Fatal(err)
	}
	snap.Attach(sp)
	if a, b := encodeState(h.s), encodeState(&snap); a != b {
		t.Fatal("snapshot round trip changed the state")
	}
}

func TestQueueProperties(t *testing.T) { rapid.Check(t, queueProperty) }

// FuzzQueue drives the same property from the fuzzer's bytes.
func FuzzQueue(f *testing.F) { f.Fuzz(rapid.MakeFuzz(queueProperty)) }

// checkAhead compares AheadOf with counting every waiting ticket by hand.
func checkAhead(t *rapid.T, s *State, now time.Time) {
	for _, tk := range s.Tickets {
		if tk.Status != Waiting {
			continue
		}
		want := 0
		for _, o := range s.Tickets {
			if o.Status == Waiting && o.ID != tk.ID && o.Service == tk.Service && callsBefore(s.Spec, o, tk, now) {
				want++
			}
		}
		if got := AheadOf(s, tk, now); got != want {
			t.Fatalf("AheadOf(%s) = %d, counting by hand gives %d", tk.Number, got, want)
		}
	}
}
