package queue

import "time"

// Kind names an event; these are the websocket event kinds (docs/websocket.md).
type Kind string

// Event kinds.
const (
	EvDayStarted        Kind = "day.started"
	EvTicketIssued      Kind = "ticket.issued"
	EvTicketCalled      Kind = "ticket.called"
	EvTicketRecalled    Kind = "ticket.recalled"
	EvTicketServing     Kind = "ticket.serving"
	EvTicketFinished    Kind = "ticket.finished"
	EvTicketNoShow      Kind = "ticket.no_show"
	EvTicketReinstated  Kind = "ticket.reinstated"
	EvTicketTransferred Kind = "ticket.transferred"
	EvTicketHeld        Kind = "ticket.held"
	EvTicketResumed     Kind = "ticket.resumed"
	EvTicketCancelled   Kind = "ticket.cancelled"
	EvTicketExpired     Kind = "ticket.expired"
	EvCounterOpened     Kind = "counter.opened"
	EvCounterClosed     Kind = "counter.closed"
	EvCounterPaused     Kind = "counter.paused"
	EvCounterResumed    Kind = "counter.resumed"
	EvRatingSubmitted   Kind = "rating.submitted"
	EvAppointmentBooked Kind = "appointment.booked"
	EvDeviceOnline      Kind = "device.online"
	EvDeviceOffline     Kind = "device.offline"
	EvNoticeSet         Kind = "notice.set"
	EvAlertRaised       Kind = "alert.raised"  // CONTRACT §3 alerts; carries the whole alert
	EvAlertUpdated      Kind = "alert.updated" // its level changed
	EvAlertCleared      Kind = "alert.cleared"
)

// EvRestricted is the kind a restricted event shows on the public stream
// (CONTRACT §3: the public stream never carries alerts).
const EvRestricted Kind = "restricted"

// Event is one fact the hall journals, replays and shows. Fields a kind does
// not use stay empty.
type Event struct {
	Seq  int64     `json:"-"` // set by the journal; the websocket carries it outside
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at,omitzero"`

	Day           string `json:"day,omitempty"`
	TicketID      string `json:"ticket_id,omitempty"`
	Ticket        string `json:"ticket,omitempty"` // the ticket number, e.g. A023
	N             int    `json:"n,omitempty"`      // the number's sequence
	Service       string `json:"service,omitempty"`
	Counter       string `json:"counter,omitempty"`
	CounterStatus string `json:"counter_status,omitempty"` // the counter's status after the event
	Waiting       *int   `json:"waiting,omitempty"`        // the service's waiting count after the event

	Channel      string     `json:"channel,omitempty"`
	IDHash       string     `json:"id_hash,omitempty"`
	Appointment  string     `json:"appointment_code,omitempty"`
	Slot         *time.Time `json:"slot,omitempty"`
	WaitingAhead *int       `json:"waiting_ahead,omitempty"`
	EstWaitS     *int       `json:"est_wait_s,omitempty"`
	WaitedS      *int       `json:"waited_s,omitempty"`
	ServedS      *int       `json:"served_s,omitempty"`

	StaffID     string         `json:"staff_id,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	Recalls     int            `json:"recalls,omitempty"`
	FromService string         `json:"from_service,omitempty"`
	ToService   string         `json:"to_service,omitempty"`
	ToCounter   string         `json:"to_counter,omitempty"`
	Level       int            `json:"level,omitempty"`
	Dims        map[string]int `json:"dims,omitempty"`

	Device        string `json:"device,omitempty"`
	FW            string `json:"fw,omitempty"`
	ConfigVersion int    `json:"config_version,omitempty"`
	Text          *Name  `json:"text,omitempty"`

	Alert *Alert `json:"alert,omitempty"` // alert.raised/updated/cleared: the whole alert
}

// Public is the event as screens see it: without the citizen's id hash, and
// a restricted event as only {"kind":"restricted"} (CONTRACT §3).
func (e Event) Public() Event {
	if e.Restricted() {
		return Event{Seq: e.Seq, Kind: EvRestricted}
	}
	e.IDHash = ""
	return e
}

// Restricted reports whether the public stream may not show the event in
// detail (alerts; cases and complaints join this switch).
func (e Event) Restricted() bool {
	switch e.Kind {
	case EvAlertRaised, EvAlertUpdated, EvAlertCleared:
		return true
	}
	return false
}

func intp(v int) *int { return &v }
