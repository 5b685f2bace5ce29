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

	// Kinds pinned across branches (shared-pins.md); the report fold reads them.
	EvStaffSignedIn Kind = "staff.signed_in"
	EvRatingUnrated Kind = "rating.unrated"
	EvCaseOpened    Kind = "case.opened"
	EvCaseStep      Kind = "case.step"
)

// Event is one fact the hall journals, replays and shows. Fields a kind does
// not use stay empty.
type Event struct {
	Seq  int64     `json:"-"` // set by the journal; the websocket carries it outside
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`

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

	// Evaluation and case fields (pinned in shared-pins.md).
	FromStaff     string     `json:"from_staff,omitempty"`
	RatingID      string     `json:"rating_id,omitempty"`
	Reasons       []string   `json:"reasons,omitempty"`
	RatingText    string     `json:"rating_text,omitempty"`
	CaseID        string     `json:"case_id,omitempty"`
	VerifyBy      *time.Time `json:"verify_by,omitempty"`
	RectifyBy     *time.Time `json:"rectify_by,omitempty"`
	Action        string     `json:"action,omitempty"`
	By            string     `json:"by,omitempty"`
	Note          string     `json:"note,omitempty"`
	CaseStatus    string     `json:"case_status,omitempty"`
	FollowupLevel *int       `json:"followup_level,omitempty"`
	CaseKind      string     `json:"case_kind,omitempty"` // ticket.finished: instant|promised|joint|referred
	CaseNo        string     `json:"case_no,omitempty"`
	PromisedDate  string     `json:"promised_date,omitempty"`
}

// Public is the event as screens see it: without the citizen's id hash.
func (e Event) Public() Event {
	e.IDHash = ""
	return e
}

func intp(v int) *int { return &v }
