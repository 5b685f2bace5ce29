package devices

import (
	"context"
	"fmt"
	"sync"

	"github.com/hallq/hallq/queue"
)

// recordedState is what the hall knew at start.
type recordedState struct {
	presence map[string]presenceState
	prompts  []queue.Event // ticket.finished of unrated tickets still inside the rating window
}

func (s *Server) recorded(ctx context.Context) (recordedState, error) {
	rec := recordedState{presence: map[string]presenceState{}}
	now := s.cfg.Clock()
	err := s.cfg.Hall.Query(ctx, func(st *queue.State) {
		for id, p := range st.Devices {
			rec.presence[id] = presenceState{Online: p.Online, FW: p.FW, ConfigVersion: p.ConfigVersion, FWState: p.FWState, FWError: p.FWError}
		}
		for _, id := range st.Spec.CounterOrder {
			c := st.Counters[id]
			v := st.Visits[c.LastVisit]
			if v == nil || v.Rated || v.Unrated || now.Sub(v.EndedAt) >= st.Spec.RatingWindow {
				continue
			}
			rec.prompts = append(rec.prompts, queue.Event{TicketID: v.TicketID, Ticket: v.Ticket, Counter: id, StaffID: v.StaffID, At: v.EndedAt})
		}
	})
	if err != nil {
		return rec, fmt.Errorf("read the hall's device state: %w", err)
	}
	return rec, nil
}

// resetPresence records every device the hall has online as offline, all
// in one group commit, and updates rec to match.
func (s *Server) resetPresence(ctx context.Context, rec map[string]presenceState) {
	var online []string
	for id, p := range rec {
		if p.Online {
			online = append(online, id)
		}
	}
	done := make([]bool, len(online))
	var wg sync.WaitGroup
	for i, id := range online {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := rec[id]
			p.Online = false
			done[i] = s.reportPresence(ctx, id, p) == nil
		}()
	}
	wg.Wait()
	for i, id := range online {
		if done[i] {
			p := rec[id]
			p.Online = false
			rec[id] = p
		}
	}
}
