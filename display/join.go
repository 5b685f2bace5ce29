package display

import (
	"encoding/json"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// start is what a screen is sent before live events: a snapshot, or the
// held events after its since.
type start struct {
	snapshot *message
	replay   [][]byte
}

// join registers c and decides how it starts. Under the lock the fan-out
// takes, so the live events c gets follow its start with no gap and no
// repeat (CONTRACT §3). since < 0 means none was given or it was bad.
func (h *Hub) join(c *client, since int64) (start, error) {
	if since >= 0 {
		h.extend(since)
	}
	rereads := 0
	for attempt := 0; ; attempt++ {
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			return start{}, errClosed
		}
		var st start
		// CONTRACT §3: with since=S, if the events after S are still held
		// (the current business day's), send them in order and no snapshot;
		// else (older, in the future, unparsable) a fresh snapshot.
		if msgs, ok := h.held.afterFor(since, c.supervisor); ok && since >= 0 {
			st.replay = msgs
			h.m.joins.WithLabelValues("resume").Inc()
		} else if h.rereadable(since) && rereads < 2 {
			// Read back from the journal, but trimmed again (MaxHeldBytes)
			// by a batch that came in meanwhile: read it back again.
			rereads++
			h.mu.Unlock()
			h.extend(since)
			continue
		} else if c.supervisor {
			st.snapshot = h.supervisorSnapshotLocked() // CONTRACT §3: with state.alerts
			h.m.joins.WithLabelValues("snapshot").Inc()
		} else if h.snap != nil || attempt >= 3 {
			st.snapshot = h.snapshotLocked()
			h.m.joins.WithLabelValues("snapshot").Inc()
		} else {
			// Encode the snapshot without holding up the hall's writer,
			// then look again: events may have come in meanwhile.
			v := h.view
			h.mu.Unlock()
			m := encodeSnapshot(v, h.log)
			h.mu.Lock()
			if h.view == v && h.snap == nil {
				h.snap = m
			}
			h.mu.Unlock()
			continue
		}
		h.clients[c] = struct{}{}
		h.m.connected.Inc()
		h.wg.Add(2) // its writer and reader; under the lock, so Close waits for them
		h.mu.Unlock()
		return st, nil
	}
}

// rereadable reports whether extend would read the events after since
// back from the journal: today's, older than those held, within MaxHeld.
// Called with h.mu held.
func (h *Hub) rereadable(since int64) bool {
	return since >= 0 && since < h.held.from && (h.dayStart == 0 || since >= h.dayStart-1) &&
		int(h.held.from-since)+len(h.held.msgs) <= h.cfg.MaxHeld && !h.closed
}

// extendChunk is how many events one journal read brings back.
const extendChunk = 4096

// extend reads the events after since that memory no longer (or not yet,
// after a restart) holds back from the journal, up to the start of the
// current business day and MaxHeld events in all. What it reads stays held,
// so screens resuming after a restart share one read.
func (h *Hub) extend(since int64) {
	h.loadMu.Lock()
	defer h.loadMu.Unlock()
	for {
		h.mu.Lock()
		from, n, day, closed := h.held.from, len(h.held.msgs), h.dayStart, h.closed
		h.mu.Unlock()
		switch {
		case closed, since >= from: // held already, or in the future
			return
		case day > 0 && since < day-1: // before today: a snapshot
			return
		case int(from-since)+n > h.cfg.MaxHeld: // too far back to hold
			return
		}
		lo := max(since, from-extendChunk)
		evs, err := h.src.EventsAfter(lo, int(from-lo))
		if err != nil {
			h.log.Warn().Err(err).Int64("since", since).Msg("read journal for a resuming screen; it gets a snapshot")
			return
		}
		if int64(len(evs)) != from-lo || len(evs) == 0 || evs[0].Seq != lo+1 {
			h.log.Warn().Int64("after", lo).Int("got", len(evs)).Msg("journal does not hold the events a screen asked for")
			return
		}
		first, newDay := 0, false // keep from the last day.started on
		for i := range evs {
			if evs[i].Kind == queue.EvDayStarted {
				first, newDay = i, true
			}
		}
		msgs := make([][]byte, 0, len(evs)-first)
		var priv map[int64][]byte
		for _, e := range evs[first:] {
			data, err := json.Marshal(hall.EventOf(e))
			if err != nil {
				h.log.Warn().Err(err).Int64("seq", e.Seq).Msg("encode journal event")
				return
			}
			msgs = append(msgs, data)
			if e.Restricted() {
				if priv == nil {
					priv = map[int64][]byte{}
				}
				priv[e.Seq], _ = json.Marshal(hall.SupervisorEventOf(e))
			}
		}
		h.mu.Lock()
		if h.held.from == from && !h.closed { // else a new day began meanwhile: look again
			h.held.prepend(evs[first].Seq-1, msgs, priv)
			if newDay {
				h.dayStart = evs[first].Seq
			}
		}
		h.mu.Unlock()
	}
}
