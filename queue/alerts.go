package queue

import (
	"math"
	"sort"
	"strconv"
	"time"
)

// Alert kinds (CONTRACT §3 alerts, 电子监察).
const (
	AlertWaitOverTarget = "wait_over_target" // per service
	AlertIdleWithQueue  = "idle_with_queue"  // per counter
	AlertLongPause      = "long_pause"       // per counter
	AlertServiceOver    = "service_over"     // per counter
	AlertDeviceOffline  = "device_offline"   // per device
	AlertBadRating      = "bad_rating"       // per 差评 case, yellow only
	AlertCaseOverdue    = "case_overdue"     // per 差评 case, red only
)

// Alert levels (黄牌/红牌).
const (
	Yellow = "yellow"
	Red    = "red"
)

// Alert is one standing alert as the supervisor stream, the alerts API and
// MQTT carry it (CONTRACT §3): fields that do not apply are null.
type Alert struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Level   string    `json:"level"`
	Service *string   `json:"service"`
	Counter *string   `json:"counter"`
	Device  *string   `json:"device"`
	CaseID  *string   `json:"case_id"`
	Since   time.Time `json:"since"`   // when it was raised
	ValueS  float64   `json:"value_s"` // measured seconds at the event (docs/supervision.md)
	// Start is when the measured condition began (the oldest ticket's issue,
	// the counter's idle or pause start, the call, the device going offline,
	// the case's due time); value_s at clear is measured from it.
	Start time.Time `json:"start"`
}

// Condition is one alert condition a rule finds standing now.
type Condition struct {
	Kind    string
	Level   string // Yellow or Red
	Service string
	Counter string
	Device  string
	CaseID  string
	Start   time.Time     // when the measured condition began
	Value   time.Duration // the measured time
}

// AlertRule finds the standing conditions of its kinds in s at now and
// appends them to out. Rules are pure like Decide.
type AlertRule func(s *State, now time.Time, out []Condition) []Condition

// AlertRules is the rule list the engine runs: the seven kinds of
// CONTRACT §3.
func AlertRules() []AlertRule {
	return []AlertRule{ruleWaitOverTarget, ruleCounters, ruleDeviceOffline, ruleBadRating, ruleCaseOverdue}
}

// alertSubject names what an alert is about; one alert stands per
// subject: its kind and the one service, counter, device or case it is
// about (which says which of them id is).
type alertSubject struct {
	kind  string
	which byte // 's'ervice, 'c'ounter, 'd'evice, 'k' case
	id    string
}

func subjectOf(kind, service, counter, device, caseID string) alertSubject {
	switch {
	case caseID != "":
		return alertSubject{kind, 'k', caseID}
	case device != "":
		return alertSubject{kind, 'd', device}
	case counter != "":
		return alertSubject{kind, 'c', counter}
	}
	return alertSubject{kind, 's', service}
}

func (a *Alert) key() alertSubject {
	return subjectOf(a.Kind, deref(a.Service), deref(a.Counter), deref(a.Device), deref(a.CaseID))
}

func (c *Condition) key() alertSubject {
	return subjectOf(c.Kind, c.Service, c.Counter, c.Device, c.CaseID)
}

// EvaluateAlerts returns the alert events that bring s.Alerts in line with
// the conditions rules find at now: alert.raised for a new condition,
// alert.updated when its level changed, alert.cleared when it no longer
// holds (CONTRACT §3). It never changes s.
func EvaluateAlerts(s *State, now time.Time, rules []AlertRule) []Event {
	var conds []Condition
	for _, r := range rules {
		conds = r(s, now, conds)
	}
	if len(conds) == 0 && len(s.Alerts) == 0 {
		return nil
	}
	stand := make([]*Alert, 0, len(s.Alerts))
	index := make(map[alertSubject]int, len(s.Alerts))
	for _, a := range s.Alerts {
		index[a.key()] = len(stand)
		stand = append(stand, a)
	}
	held := make([]bool, len(stand))
	var evs []Event
	var raised map[alertSubject]bool // subjects raised now; a rule may repeat one
	n := s.AlertN
	for i := range conds {
		c := &conds[i]
		k := c.key()
		j, ok := index[k]
		if !ok {
			if raised[k] {
				continue
			}
			if raised == nil {
				raised = map[alertSubject]bool{}
			}
			raised[k] = true
			n++
			na := &Alert{ID: "al-" + strconv.FormatInt(n, 10), Kind: c.Kind, Level: c.Level, Service: strp(c.Service),
				Counter: strp(c.Counter), Device: strp(c.Device), CaseID: strp(c.CaseID), Since: now,
				ValueS: seconds(c.Value), Start: c.Start}
			evs = append(evs, alertEvent(EvAlertRaised, now, na))
			continue
		}
		if held[j] {
			continue
		}
		held[j] = true
		if a := stand[j]; a.Level != c.Level {
			na := *a
			na.Level, na.ValueS = c.Level, seconds(c.Value)
			evs = append(evs, alertEvent(EvAlertUpdated, now, &na))
		}
	}
	var gone []*Alert
	for j, a := range stand {
		if !held[j] {
			gone = append(gone, a)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return alertNum(gone[i].ID) < alertNum(gone[j].ID) })
	for _, a := range gone {
		na := *a
		na.ValueS = seconds(now.Sub(a.Start))
		evs = append(evs, alertEvent(EvAlertCleared, now, &na))
	}
	return evs
}

// alertEvent is the journal event of one alert change; it carries the whole
// alert and names its subject for the journal's readers.
func alertEvent(kind Kind, now time.Time, a *Alert) Event {
	return Event{Kind: kind, At: now, Alert: a}
}

// AlertList is the standing alerts, red first, then oldest first.
func (s *State) AlertList() []Alert {
	out := make([]Alert, 0, len(s.Alerts))
	for _, a := range s.Alerts {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Level == Red) != (out[j].Level == Red) {
			return out[i].Level == Red
		}
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.Before(out[j].Since)
		}
		return alertNum(out[i].ID) < alertNum(out[j].ID)
	})
	return out
}

// applyAlert keeps s.Alerts the standing alerts (CONTRACT §3).
func (s *State) applyAlert(e *Event) {
	if e.Alert == nil {
		return
	}
	if s.Alerts == nil {
		s.Alerts = map[string]*Alert{}
	}
	a := *e.Alert
	switch e.Kind {
	case EvAlertRaised:
		if n := alertNum(a.ID); n > s.AlertN {
			s.AlertN = n
		}
		s.Alerts[a.ID] = &a
	case EvAlertUpdated:
		s.Alerts[a.ID] = &a
	case EvAlertCleared:
		delete(s.Alerts, a.ID)
	}
}

// alertNum is the number in an alert id al-N.
func alertNum(id string) int64 {
	if len(id) < 4 {
		return 0
	}
	n, _ := strconv.ParseInt(id[3:], 10, 64)
	return n
}

// levelOf is the level of a measured time against a yellow threshold and
// the red factor; ok is false below the threshold.
func levelOf(v, yellow time.Duration, redFactor float64) (string, bool) {
	if yellow <= 0 || v <= yellow {
		return "", false
	}
	if redFactor < 1 {
		redFactor = 1
	}
	if float64(v) > float64(yellow)*redFactor {
		return Red, true
	}
	return Yellow, true
}

// seconds is d in seconds with millisecond precision.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1000) / 1000
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
