package queue

// tally is what Apply keeps counted so that readers need not scan: per
// service, the tickets waiting wherever they wait (its own queue and the
// "@counter" queues of transfers), and the open, unpaused counters that
// serve it (for EstimateWait). It is derived, never journaled nor part of a
// snapshot, and is rebuilt from scratch whenever it is missing (after a
// snapshot is decoded, a Clone, or the day's reset).
type tally struct {
	waiting map[string]int // service -> waiting tickets of it
	servers map[string]int // service -> open, unpaused counters serving it
}

// tallies returns the state's tally, counting from scratch if it has none.
func (s *State) tallies() *tally {
	if s.tally == nil {
		s.tally = &tally{waiting: map[string]int{}}
		for _, ids := range s.Queue {
			for _, id := range ids {
				s.tally.waiting[s.Tickets[id].Service]++
			}
		}
		s.countServers()
	}
	return s.tally
}

// countServers recounts the servers of every service; counters open,
// close and pause seldom, so this runs on those events only.
func (s *State) countServers() {
	servers := map[string]int{}
	if s.Spec != nil {
		for _, id := range s.Spec.CounterOrder {
			if c := s.Counters[id]; c != nil && c.Open && !c.Paused {
				for _, svc := range s.Spec.Counters[id].Services {
					servers[svc]++
				}
			}
		}
	}
	s.tally.servers = servers
}

// tallyWaiting adds d to the waiting count of svc, if a tally is kept.
func (s *State) tallyWaiting(svc string, d int) {
	if s.tally != nil {
		s.tally.waiting[svc] += d
	}
}

// tallyCounters recounts the servers after a counter event, if a tally is kept.
func (s *State) tallyCounters() {
	if s.tally != nil {
		s.countServers()
	}
}
