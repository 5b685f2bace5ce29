package devices

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/hallq/hallq/hall"
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
			rec.presence[id] = presenceState{Online: p.Online, FW: p.FW, ConfigVersion: p.ConfigVersion}
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

// warmMemo loads the recorded refusals and the replies the hall stored for
// devices, so that a repeated req_id answers like the first time whichever
// way it is refused or carried out now.
func (s *Server) warmMemo() error {
	now := time.Now()
	if s.refu != nil {
		if err := s.refu.load(now.Add(-replyRetention), func(device, reqID string, at time.Time, body []byte) {
			s.memo.put(memoKey{device, reqID}, body, at, now)
		}); err != nil {
			return err
		}
	}
	if s.cfg.Replies == nil {
		return nil
	}
	err := s.cfg.Replies(now.Add(-replyRetention), func(source, reqID string, at time.Time, response []byte) {
		device, ok := cutSource(source)
		if !ok {
			return
		}
		var rep hall.Reply
		if json.Unmarshal(response, &rep) != nil {
			return
		}
		s.memo.put(memoKey{device, reqID}, encodeResponse(reqID, rep), at, now)
	})
	if err != nil {
		return fmt.Errorf("read stored device replies: %w", err)
	}
	return nil
}

func cutSource(source string) (string, bool) {
	const p = "dev:"
	if len(source) <= len(p) || source[:len(p)] != p {
		return "", false
	}
	return source[len(p):], true
}
