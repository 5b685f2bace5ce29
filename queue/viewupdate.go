package queue

import "slices"

// touched is what a batch of events changed in the view.
type touched struct {
	services, counters, devices map[string]bool
	recent, hall                bool
}

func (t *touched) service(id string) {
	if id != "" {
		t.services[id] = true
	}
}

func (t *touched) counter(id string) {
	if id != "" {
		t.counters[id] = true
	}
}

// estimates marks the services whose estimated wait the touched ones may
// have changed: EstimateWait weighs each counter's services against each
// other and counts its busy counters, so every service of a touched counter,
// and every service sharing a counter with a touched service, is built again.
func (t *touched) estimates(sp *Spec) {
	changed := make([]string, 0, len(t.services))
	for id := range t.services {
		changed = append(changed, id)
	}
	for id := range t.counters {
		if c := sp.Counters[id]; c != nil {
			for _, x := range c.Services {
				t.services[x] = true
			}
		}
	}
	for _, cid := range sp.CounterOrder {
		c := sp.Counters[cid]
		for _, id := range changed {
			if c.Serves(id) {
				for _, x := range c.Services {
					t.services[x] = true
				}
				break
			}
		}
	}
}

// UpdateView returns the view of s after evs, given prev, the view of s
// before them: only the services, counters and devices the events touched
// are built again, the rest is copied. prev is not changed (readers may
// hold it). With no prev, or an event that reshapes the whole hall (a new
// day, a cancellation or expiry, a kind it does not know), it is NewView.
// The property test checks it against NewView after every event.
func UpdateView(prev *View, s *State, evs []Event) *View {
	if prev == nil {
		return NewView(s)
	}
	t := touched{services: map[string]bool{}, counters: map[string]bool{}, devices: map[string]bool{}}
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case EvTicketIssued, EvTicketCalled, EvTicketRecalled, EvTicketServing, EvTicketFinished, EvTicketNoShow,
			EvTicketReinstated, EvTicketTransferred, EvTicketHeld, EvTicketResumed:
			// waiting, estimate, issued and average of the ticket's services;
			// status, ticket and held of its counters.
			t.service(e.Service)
			t.service(e.FromService)
			t.counter(e.Counter)
			if tk := s.Tickets[e.TicketID]; tk != nil {
				t.service(tk.Service)
				t.counter(tk.Counter)
			}
			t.recent = t.recent || e.Kind == EvTicketCalled || e.Kind == EvTicketRecalled
		case EvCounterOpened, EvCounterClosed, EvCounterPaused, EvCounterResumed:
			// the counter, and the estimates of the services it serves
			t.counter(e.Counter)
			if c := s.Spec.Counters[e.Counter]; c != nil {
				for _, svc := range c.Services {
					t.service(svc)
				}
			}
		case EvDeviceOnline, EvDeviceOffline:
			t.devices[e.Device] = true
		case EvNoticeSet:
			t.hall = true
		case EvRatingSubmitted, EvAppointmentBooked:
			// not on the screens
		default:
			return NewView(s)
		}
	}
	t.estimates(s.Spec)
	v := *prev
	v.Seq = s.Seq
	if t.hall {
		v.Hall.Notice = s.Notice
	}
	if len(t.services) > 0 {
		v.Services = slices.Clone(prev.Services)
		for i := range v.Services {
			if id := v.Services[i].ID; t.services[id] {
				v.Services[i] = serviceView(s, id)
			}
		}
	}
	if len(t.counters) > 0 {
		v.Counters = slices.Clone(prev.Counters)
		for i := range v.Counters {
			if id := v.Counters[i].ID; t.counters[id] {
				v.Counters[i] = counterView(s, id)
			}
		}
	}
	if t.recent {
		v.RecentCalls = recentCalls(s)
	}
	if len(t.devices) > 0 {
		v.Devices = slices.Clone(prev.Devices)
		for i := range v.Devices {
			if id := v.Devices[i].ID; t.devices[id] {
				v.Devices[i] = deviceView(s, id)
			}
		}
	}
	return &v
}
