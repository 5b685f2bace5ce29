package queue

// Clone returns a deep copy of s that shares nothing mutable with it, so it
// can be encoded on another goroutine while s moves on.
func (s *State) Clone() *State {
	c := *s
	c.tally = nil // counted again on the copy's first read
	c.Tickets = make(map[string]*Ticket, len(s.Tickets))
	for id, t := range s.Tickets {
		tc := *t
		c.Tickets[id] = &tc
	}
	c.NextN = cloneMap(s.NextN)
	c.Queue = make(map[string][]string, len(s.Queue))
	for k, q := range s.Queue {
		c.Queue[k] = append([]string(nil), q...)
	}
	c.Counters = make(map[string]*Counter, len(s.Counters))
	for id, ct := range s.Counters {
		cc := *ct
		c.Counters[id] = &cc
	}
	c.Appointments = make(map[string]*Booking, len(s.Appointments))
	for code, b := range s.Appointments {
		bc := *b
		c.Appointments[code] = &bc
	}
	c.OpenIDs = cloneMap(s.OpenIDs)
	c.AvgService = cloneMap(s.AvgService)
	c.RecentCalls = append([]RecentCall(nil), s.RecentCalls...)
	c.Devices = make(map[string]*DevicePresence, len(s.Devices))
	for id, d := range s.Devices {
		dc := *d
		c.Devices[id] = &dc
	}
	c.Firmware = s.Firmware.clone()
	c.Alerts = make(map[string]*Alert, len(s.Alerts))
	for id, a := range s.Alerts {
		ac := *a
		c.Alerts[id] = &ac
	}
	if s.KioskTokens != nil {
		c.KioskTokens = make(map[string]*KioskToken, len(s.KioskTokens))
		for id, t := range s.KioskTokens {
			tc := *t
			c.KioskTokens[id] = &tc
		}
	}
	c.Visits = make(map[string]*Visit, len(s.Visits))
	for id, v := range s.Visits {
		vc := *v
		c.Visits[id] = &vc
	}
	c.RatePending = append([]string(nil), s.RatePending...)
	c.Cases = make(map[string]*Case, len(s.Cases))
	for id, k := range s.Cases {
		c.Cases[id] = k.Clone()
	}
	c.Complaints = make(map[string]*Complaint, len(s.Complaints))
	for id, k := range s.Complaints {
		c.Complaints[id] = k.Clone()
	}
	return &c
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
