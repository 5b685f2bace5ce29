package hall

import "github.com/hallq/hallq/queue"

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
	return SupervisorSnapshot{Type: "snapshot", Seq: v.Seq, State: SupervisorState{View: v, Alerts: al}}
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
