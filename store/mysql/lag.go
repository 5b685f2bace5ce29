package mysql

import (
	"encoding/json"
	"fmt"
	"time"
)

// Lag is how far MySQL is behind the journal: events not yet copied, and the
// age of the oldest of them (0 when caught up). Before the first contact
// with MySQL every event counts as not copied.
func (r *Replicator) Lag() (events int64, age time.Duration) {
	last, err := r.j.DurableSeq()
	if err != nil { // the journal is closed: the last answer stands
		if l := r.lagSeen.Load(); l != nil {
			return l.events, l.age
		}
		return 0, 0
	}
	cur := max(r.synced.Load(), 0)
	events = max(last-cur, 0)
	if events > 0 {
		if evs, err := r.j.RawEventsAfter(cur, 1); err == nil && len(evs) == 1 {
			var e struct {
				At time.Time `json:"at"`
			}
			if json.Unmarshal(evs[0].Data, &e) == nil {
				age = max(r.cfg.Clock().Sub(e.At), 0)
			}
		}
	}
	r.lagSeen.Store(&lag{events, age})
	return events, age
}

// Ready is the readiness check (CONTRACT §4 /readyz): nil while MySQL takes
// the copy and the lag is within MaxLagEvents and MaxLag.
func (r *Replicator) Ready() error {
	st := r.status.Load()
	if st.err != nil {
		return fmt.Errorf("mysql unreachable or refusing the copy: %w", st.err)
	}
	n, age := r.Lag()
	if n > r.cfg.MaxLagEvents {
		return fmt.Errorf("mysql is %d events behind (limit %d)", n, r.cfg.MaxLagEvents)
	}
	if age > r.cfg.MaxLag {
		return fmt.Errorf("mysql is %s behind (limit %s)", age.Round(time.Second), r.cfg.MaxLag)
	}
	return nil
}
