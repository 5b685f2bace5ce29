package hall

import (
	"time"

	"github.com/hallq/hallq/queue"
)

// Snapshot is the websocket's first message and the snapshot API's body
// (CONTRACT §3).
type Snapshot struct {
	Type  string      `json:"type"` // "snapshot"
	Seq   int64       `json:"seq"`
	State *queue.View `json:"state"`
}

// EventMessage is every later websocket message (CONTRACT §3).
type EventMessage struct {
	Type  string      `json:"type"` // "event"
	Seq   int64       `json:"seq"`
	Event queue.Event `json:"event"`
}

// SnapshotOf wraps a view.
func SnapshotOf(v *queue.View) Snapshot { return Snapshot{Type: "snapshot", Seq: v.Seq, State: v} }

// EventOf wraps an event for screens, without private fields.
func EventOf(e queue.Event) EventMessage {
	return EventMessage{Type: "event", Seq: e.Seq, Event: e.Public()}
}

// SupervisorState is the supervisor view's snapshot state: the public state
// plus the standing alerts (CONTRACT §3 ?view=supervisor).
type SupervisorState struct {
	*queue.View
	Alerts []queue.Alert `json:"alerts"`
	// CounterSince is when each counter's shown status began (its timer).
	CounterSince map[string]time.Time `json:"counter_since"`
	Today        TodayView            `json:"today"`
}

// TodayView is the day's service level and satisfaction so far.
type TodayView struct {
	Called       int      `json:"called"`
	WithinTarget int      `json:"within_target"`
	ServiceLevel *float64 `json:"service_level"` // null before any call
	Rated        int      `json:"rated"`
	Levels       [5]int   `json:"levels"`    // level 5 first … level 1
	GoodRate     *float64 `json:"good_rate"` // (5+4+3)/rated; null before any rating
}

// TodayOf is the day's figures as the supervisor sees them.
func TodayOf(d queue.DayStats) TodayView {
	return TodayView{Called: d.Called, WithinTarget: d.WithinTarget, ServiceLevel: d.ServiceLevel(), Rated: d.Rated(),
		Levels: [5]int{d.Ratings[5], d.Ratings[4], d.Ratings[3], d.Ratings[2], d.Ratings[1]}, GoodRate: d.GoodRate()}
}

// SupervisorSnapshot is the supervisor stream's first message.
type SupervisorSnapshot struct {
	Type  string          `json:"type"` // "snapshot"
	Seq   int64           `json:"seq"`
	State SupervisorState `json:"state"`
}

// SupervisorSnapshotOf wraps a view with its alerts.
func SupervisorSnapshotOf(v *queue.View) SupervisorSnapshot {
	al := v.Alerts
	if al == nil {
		al = []queue.Alert{}
	}
	return SupervisorSnapshot{Type: "snapshot", Seq: v.Seq, State: SupervisorState{View: v, Alerts: al,
		CounterSince: v.CounterSince, Today: TodayOf(v.Today)}}
}

// SupervisorEventOf wraps an event for the supervisor stream: alerts in
// full, without the citizen's id hash.
func SupervisorEventOf(e queue.Event) EventMessage {
	if !e.Restricted() {
		return EventOf(e)
	}
	e.IDHash = ""
	return EventMessage{Type: "event", Seq: e.Seq, Event: e}
}
