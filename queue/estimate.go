package queue

// Helpers of EstimateWait (docs/benchmarks.md "Wait estimate accuracy").

// avgService is the service's moving average of service time in seconds,
// or its configured average before the first visit.
func avgService(s *State, svc string) float64 {
	if avg := s.AvgService[svc]; avg > 0 {
		return avg
	}
	if sp := s.Spec.Services[svc]; sp != nil {
		return sp.AvgService.Seconds()
	}
	return 0
}

// effectiveServers is how many counters' worth of capacity serve svc: each
// open, unpaused counter serving it counts with the share of its work that
// svc's queue is (waiting × average service of svc over the same for all
// its services), since a counter serving several services takes their
// tickets as they come. A counter with nothing else waiting counts fully.
// busy is how many of those counters have a ticket called or served now.
func effectiveServers(s *State, svc string) (servers float64, busy int) {
	own := float64(len(s.Queue[svc])+1) * avgService(s, svc)
	for _, id := range s.Spec.CounterOrder {
		c, cs := s.Counters[id], s.Spec.Counters[id]
		if !c.Open || c.Paused || !cs.Serves(svc) {
			continue
		}
		total := own
		for _, other := range cs.Services {
			if other != svc {
				total += float64(len(s.Queue[other])) * avgService(s, other)
			}
		}
		servers += own / total
		if c.Current != "" {
			busy++
		}
	}
	return servers, busy
}
