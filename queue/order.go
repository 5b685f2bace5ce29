package queue

import "time"

// The call rule (CONTRACT §2, docs/calling.md). Among the waiting tickets a
// counter may call — those of its services plus those transferred to it —
// call.next takes the one with the smallest (rank, issue time, issue order):
//
//	rank 0: green channel (绿色通道), or any ticket that has waited at least
//	        StarveFactor times its service's target wait (anti-starvation);
//	rank 1: appointments that are due (slot minus AppointmentEarly has passed);
//	rank 2: everything else.
//
// A transferred ticket keeps its original issue time. The rule is a pure
// function of the state and the clock, so it is deterministic.

// rank is a waiting ticket's class under the call rule at now.
func rank(sp *Spec, t *Ticket, now time.Time) int { return rankOf(sp.Services[t.Service], t, now) }

// rankOf is rank with the ticket's service already looked up.
func rankOf(svc *ServiceSpec, t *Ticket, now time.Time) int {
	if t.Channel == Green {
		return 0
	}
	if svc != nil && svc.TargetWait > 0 && now.Sub(t.IssuedAt) >= StarveFactor*svc.TargetWait {
		return 0
	}
	if t.Channel == Appointment && !t.Slot.IsZero() && !now.Before(t.Slot.Add(-AppointmentEarly)) {
		return 1
	}
	return 2
}

// callsBefore reports whether a is called before b at now.
func callsBefore(sp *Spec, a, b *Ticket, now time.Time) bool {
	ra, rb := rank(sp, a, now), rank(sp, b, now)
	if ra != rb {
		return ra < rb
	}
	return before(a, b)
}

// queuesOf lists the queue keys a counter calls from.
func queuesOf(c *CounterSpec) []string {
	keys := make([]string, 0, len(c.Services)+1)
	keys = append(keys, c.Services...)
	return append(keys, "@"+c.ID)
}

// NextFor returns the ticket counter id would call now, or nil.
func NextFor(s *State, id string, now time.Time) *Ticket {
	var best *Ticket
	for _, k := range queuesOf(s.Spec.Counters[id]) {
		for _, tid := range s.Queue[k] {
			t := s.Tickets[tid]
			if best == nil || callsBefore(s.Spec, t, best, now) {
				best = t
			}
		}
	}
	return best
}

// WaitingFor lists the tickets counter id may call, in call order.
func WaitingFor(s *State, id string, now time.Time) []*Ticket {
	var out []*Ticket
	for _, k := range queuesOf(s.Spec.Counters[id]) {
		for _, tid := range s.Queue[k] {
			out = append(out, s.Tickets[tid])
		}
	}
	sortTickets(out, func(a, b *Ticket) bool { return callsBefore(s.Spec, a, b, now) })
	return out
}

// AheadOf counts the waiting tickets of t's service called before t at now.
// It is on the path of every green or appointment ticket.take, so t's rank
// and the service are looked up once, not per ticket.
func AheadOf(s *State, t *Ticket, now time.Time) int {
	sp := s.Spec
	rt := rank(sp, t, now)
	svc := sp.Services[t.Service]
	n := 0
	count := func(ids []string) {
		for _, id := range ids {
			o := s.Tickets[id]
			if o.ID == t.ID || o.Service != t.Service {
				continue
			}
			if ro := rankOf(svc, o, now); ro < rt || (ro == rt && before(o, t)) {
				n++
			}
		}
	}
	count(s.Queue[t.Service])
	for k, ids := range s.Queue {
		if len(k) > 0 && k[0] == '@' {
			count(ids)
		}
	}
	return n
}

// EstimateWait estimates how long a ticket with ahead tickets before it waits:
// the service's moving average over the capacity its open counters give it
// (effectiveServers: a counter shared with busier services gives less), for
// ahead tickets and, when every such counter is busy, half a visit more for
// the one being served to end (docs/benchmarks.md: beats ahead × average /
// open counters on simulated busy days).
func EstimateWait(s *State, svc string, ahead int) int {
	avg := avgService(s, svc)
	servers, busy := effectiveServers(s, svc)
	if servers <= 0 {
		servers = 1
	}
	work := float64(ahead)
	if float64(busy) >= servers {
		work += 0.5
	}
	return int(work*avg/servers + 0.5)
}
