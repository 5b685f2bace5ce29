package staffing

import (
	"fmt"
	"math"
	"time"

	"github.com/hallq/hallq/queue"
)

// Goal is the service level the advice plans for: this share of citizens
// called within the service's target wait (docs/supervision.md).
const Goal = 0.8

// Window is how far back arrivals are counted for the current rate.
const Window = 30 * time.Minute

// minWindow keeps the first minutes of a day from reading one ticket as a rush.
const minWindow = 5 * time.Minute

// Advice is one service's staffing advice.
type Advice struct {
	Service         string     `json:"service"`
	Name            queue.Name `json:"name"`
	Waiting         int        `json:"waiting"`
	ArrivalsPerHour float64    `json:"arrivals_per_hour"`
	ServiceMeanS    float64    `json:"service_mean_s"`
	TargetWaitS     float64    `json:"target_wait_s"`
	OfferedLoad     float64    `json:"offered_load"` // Erlangs
	CountersOpen    int        `json:"counters_open"`
	CountersNeeded  int        `json:"counters_needed"`
	More            int        `json:"more"`     // counters to open besides the open ones
	Feasible        bool       `json:"feasible"` // the hall has enough counters serving it
	// ServiceLevel is the predicted share called within target with the
	// counters open now.
	ServiceLevel float64     `json:"service_level"`
	Counters     []string    `json:"counters"`   // closed counters serving it, to open
	IdleStaff    []StaffHint `json:"idle_staff"` // who could serve it
	Text         queue.Name  `json:"text"`
}

// StaffHint is one staff member who could open a counter for a service.
type StaffHint struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Counters []string `json:"counters"` // the closed counters serving it they may sign in at
}

// FromState computes the advice for every service of s at now: the
// arrival rate of the last Window, the service's measured mean service
// time (the spec's estimate until one is measured) and Erlang C.
func FromState(s *queue.State, now time.Time) []Advice {
	sp := s.Spec
	since := now.Add(-Window)
	var first time.Time
	arrivals := map[string]int{}
	for _, t := range s.Tickets {
		if first.IsZero() || t.IssuedAt.Before(first) {
			first = t.IssuedAt
		}
		if !t.IssuedAt.Before(since) && !t.IssuedAt.After(now) {
			arrivals[t.Service]++
		}
	}
	window := Window
	if !first.IsZero() && now.Sub(first) < window {
		window = max(now.Sub(first), minWindow)
	}
	busy := map[string]bool{} // staff signed in at an open counter
	for _, c := range s.Counters {
		if c.Open && c.StaffID != "" {
			busy[c.StaffID] = true
		}
	}
	out := make([]Advice, 0, len(sp.ServiceOrder))
	for _, id := range sp.ServiceOrder {
		svc := sp.Services[id]
		mean := s.AvgService[id]
		if mean <= 0 {
			mean = svc.AvgService.Seconds()
		}
		lambda := float64(arrivals[id]) / window.Seconds()
		a := Advice{Service: id, Name: svc.Name, Waiting: s.WaitingCount(id), ArrivalsPerHour: round(lambda*3600, 1),
			ServiceMeanS: round(mean, 1), TargetWaitS: svc.TargetWait.Seconds(), OfferedLoad: round(lambda*mean, 2),
			Counters: []string{}, IdleStaff: []StaffHint{}}
		serving := 0
		for _, cid := range sp.CounterOrder {
			if !sp.Counters[cid].Serves(id) {
				continue
			}
			serving++
			c := s.Counters[cid]
			if c.Open && !c.Paused {
				a.CountersOpen++
			} else if !c.Open {
				a.Counters = append(a.Counters, cid)
			}
		}
		a.CountersNeeded, a.Feasible = Needed(lambda, mean, a.TargetWaitS, Goal, serving)
		if a.TargetWaitS <= 0 { // no target: keep up with arrivals
			a.CountersNeeded, a.Feasible = int(math.Floor(lambda*mean))+1, true
			if lambda == 0 {
				a.CountersNeeded = 0
			}
		}
		a.More = max(a.CountersNeeded-a.CountersOpen, 0)
		a.ServiceLevel = round(ServiceLevel(a.CountersOpen, lambda, mean, a.TargetWaitS), 3)
		if a.More > 0 {
			for _, sid := range sp.StaffOrder {
				st := sp.Staff[sid]
				if busy[sid] || (st.Role != "" && st.Role != "staff") {
					continue
				}
				h := StaffHint{ID: sid, Name: st.Name}
				for _, cid := range a.Counters {
					if st.MaySignInAt(cid) {
						h.Counters = append(h.Counters, cid)
					}
				}
				if len(h.Counters) > 0 {
					a.IdleStaff = append(a.IdleStaff, h)
				}
			}
		}
		a.Text = text(a)
		out = append(out, a)
	}
	return out
}

// text is the advice as people read it, Chinese first.
func text(a Advice) queue.Name {
	switch {
	case a.More > 0 && !a.Feasible:
		return queue.Name{Zh: fmt.Sprintf("%s 需再开 %d 个窗口（窗口不足）", a.Name.Zh, a.More),
			En: fmt.Sprintf("open %d more counters for %s (not enough counters serve it)", a.More, a.Name.En)}
	case a.More > 0:
		return queue.Name{Zh: fmt.Sprintf("%s 需再开 %d 个窗口", a.Name.Zh, a.More),
			En: fmt.Sprintf("open %d more %s for %s", a.More, plural(a.More, "counter", "counters"), a.Name.En)}
	}
	return queue.Name{Zh: fmt.Sprintf("%s 窗口充足", a.Name.Zh), En: fmt.Sprintf("%s: enough counters open", a.Name.En)}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
