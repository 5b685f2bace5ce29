package queue

import "time"

// oldestWaiting returns, per service, the issue time of its longest-waiting
// ticket, wherever it waits (its service's queue or a counter's "@" queue).
// Queues are kept in issue-time order, so only heads and "@" queues are read.
func oldestWaiting(s *State) map[string]time.Time {
	out := make(map[string]time.Time, len(s.Queue))
	for k, ids := range s.Queue {
		if len(ids) == 0 {
			continue
		}
		if k[0] != '@' {
			t := s.Tickets[ids[0]]
			if old, ok := out[k]; !ok || t.IssuedAt.Before(old) {
				out[k] = t.IssuedAt
			}
			continue
		}
		for _, id := range ids {
			t := s.Tickets[id]
			if old, ok := out[t.Service]; !ok || t.IssuedAt.Before(old) {
				out[t.Service] = t.IssuedAt
			}
		}
	}
	return out
}

// ruleWaitOverTarget: a service's longest-waiting ticket has waited more
// than the service's target_wait_min (CONTRACT §3 wait_over_target).
func ruleWaitOverTarget(s *State, now time.Time, out []Condition) []Condition {
	sp := s.Spec
	heads := oldestWaiting(s)
	for _, id := range sp.ServiceOrder {
		issued, ok := heads[id]
		if !ok {
			continue
		}
		v := now.Sub(issued)
		if lvl, ok := levelOf(v, sp.Services[id].TargetWait, sp.Supervision.RedFactor); ok {
			out = append(out, Condition{Kind: AlertWaitOverTarget, Level: lvl, Service: id, Start: issued, Value: v})
		}
	}
	return out
}

// ruleCounters finds idle_with_queue, long_pause and service_over (CONTRACT
// §3) at every counter.
func ruleCounters(s *State, now time.Time, out []Condition) []Condition {
	sp := s.Spec
	sup := sp.Supervision
	var heads map[string]time.Time // made on first need
	for _, id := range sp.CounterOrder {
		c := s.Counters[id]
		if c == nil || !c.Open {
			continue
		}
		since := c.StatusSince
		if since.Before(c.OpenedAt) {
			since = c.OpenedAt // a state from before status_since was kept
		}
		status := CounterOpenStatus // as State.CounterStatus, with one ticket lookup
		var t *Ticket
		if c.Current != "" {
			t, status = s.Tickets[c.Current], CounterCalledStatus
		} else if c.Paused {
			status = CounterPausedStatus
		}
		switch status {
		case CounterCalledStatus:
			if t == nil || t.CalledAt.IsZero() {
				continue
			}
			v := now.Sub(t.CalledAt)
			if lvl, ok := levelOf(v, sup.ServiceOver, sup.RedFactor); ok {
				out = append(out, Condition{Kind: AlertServiceOver, Level: lvl, Counter: id, Start: t.CalledAt, Value: v})
			}
		case CounterPausedStatus:
			if since.IsZero() {
				continue
			}
			v := now.Sub(since)
			if lvl, ok := levelOf(v, sup.LongPause, sup.RedFactor); ok {
				out = append(out, Condition{Kind: AlertLongPause, Level: lvl, Counter: id, Start: since, Value: v})
			}
		case CounterOpenStatus:
			if since.IsZero() || sup.IdleWithQueue <= 0 {
				continue
			}
			if heads == nil {
				heads = oldestWaiting(s)
			}
			// Idle with a queue since the later of the counter going idle
			// and its services' oldest waiting ticket being issued.
			var oldest time.Time
			for _, svc := range sp.Counters[id].Services {
				if t, ok := heads[svc]; ok && (oldest.IsZero() || t.Before(oldest)) {
					oldest = t
				}
			}
			if q := s.Queue["@"+id]; len(q) > 0 {
				if t := s.Tickets[q[0]].IssuedAt; oldest.IsZero() || t.Before(oldest) {
					oldest = t
				}
			}
			if oldest.IsZero() {
				continue
			}
			start := since
			if oldest.After(start) {
				start = oldest
			}
			v := now.Sub(start)
			if lvl, ok := levelOf(v, sup.IdleWithQueue, sup.RedFactor); ok {
				out = append(out, Condition{Kind: AlertIdleWithQueue, Level: lvl, Counter: id, Start: start, Value: v})
			}
		}
	}
	return out
}

// ruleDeviceOffline: a configured device offline for more than
// device_offline_s (CONTRACT §3). A device that never connected has no
// known offline time and is not alerted (docs/supervision.md).
func ruleDeviceOffline(s *State, now time.Time, out []Condition) []Condition {
	sp := s.Spec
	if sp.Supervision.DeviceOffline <= 0 {
		return out
	}
	for _, id := range sp.DeviceOrder {
		p := s.Devices[id]
		if p == nil || p.Online || p.Since.IsZero() {
			continue
		}
		v := now.Sub(p.Since)
		if lvl, ok := levelOf(v, sp.Supervision.DeviceOffline, sp.Supervision.RedFactor); ok {
			out = append(out, Condition{Kind: AlertDeviceOffline, Level: lvl, Device: id, Start: p.Since, Value: v})
		}
	}
	return out
}
