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
