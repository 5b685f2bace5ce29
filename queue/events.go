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

	EvAppointmentCancelled Kind = "appointment.cancelled"
	EvAppointmentMissed    Kind = "appointment.missed" // never checked in by its slot's end (预约爽约)
	EvAlertRaised          Kind = "alert.raised"       // CONTRACT §3 alerts; carries the whole alert
	EvAlertUpdated         Kind = "alert.updated"      // its level changed
	EvAlertCleared         Kind = "alert.cleared"
	EvKioskTokenIssued     Kind = "kiosk.token_issued"  // a kiosk page token was issued (docs/robustness.md)
	EvKioskTokenRevoked    Kind = "kiosk.token_revoked" // a kiosk page token was revoked
	// Evaluation (好差评, contract 1.1): sign-in, ratings, cases, complaints.
	EvStaffSignedIn   Kind = "staff.signed_in"
	EvRatingUnrated   Kind = "rating.unrated"
	EvCaseOpened      Kind = "case.opened"
	EvCaseStep        Kind = "case.step"
	EvComplaintLogged Kind = "complaint.logged"
	EvComplaintStep   Kind = "complaint.step"
)

// EvRestricted is the kind a restricted event shows on the public stream
// (CONTRACT §3: the public stream never carries alerts).
const EvRestricted Kind = "restricted"

// Event is one fact the hall journals, replays and shows. Fields a kind does
// not use stay empty.
type Event struct {
	Seq  int64     `json:"-"` // set by the journal; the websocket carries it outside
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at,omitzero"` // omitted only by a restricted event (Public)

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

	// Firmware (CONTRACT §6): a device's reported fw_state and fw_error, and
	// the image, rollout and stage firmware events carry.
	FWState      string         `json:"fw_state,omitempty"`
	FWError      string         `json:"fw_error,omitempty"`
	DeviceKind   string         `json:"device_kind,omitempty"`
	Version      string         `json:"version,omitempty"`
	SHA256       string         `json:"sha256,omitempty"`
	Size         int64          `json:"size,omitempty"`
	Rollout      string         `json:"rollout,omitempty"`
	RolloutState string         `json:"rollout_state,omitempty"`
	PrevFW       string         `json:"prev_fw,omitempty"`
	Params       *RolloutParams `json:"params,omitempty"`
	Devices      []string       `json:"devices,omitempty"`
	// Appointments (CONTRACT §5): the booked slot; old journals carry only Slot (its start).
	SlotStart *time.Time `json:"slot_start,omitempty"`
	SlotEnd   *time.Time `json:"slot_end,omitempty"`
	// Case kinds at serve.finish (CONTRACT §2, 1.1), on ticket.finished.
	CaseKind     string `json:"case_kind,omitempty"`
	CaseNo       string `json:"case_no,omitempty"`
	PromisedDate string `json:"promised_date,omitempty"` // YYYY-MM-DD, for a promised case
	LeadCounter  string `json:"lead_counter,omitempty"`  // the leading counter of a joint case
	FiledUpward  bool   `json:"filed_upward,omitempty"`  // a referred case, filed to the upper level

	Alert *Alert `json:"alert,omitempty"` // alert.raised/updated/cleared: the whole alert

	TokenID   string `json:"token_id,omitempty"`   // a kiosk page token
	TokenHash string `json:"token_hash,omitempty"` // its SHA-256; never shown to screens

	// Evaluation (好差评): sign-in, ratings, cases and complaints.
	FromStaff     string     `json:"from_staff,omitempty"` // staff.signed_in: who was handed over from
	Visit         string     `json:"visit,omitempty"`      // the rated or unrated visit (ticket id and segment)
	RatingID      string     `json:"rating_id,omitempty"`
	Reasons       []string   `json:"reasons,omitempty"`
	RatingText    string     `json:"rating_text,omitempty"`
	CaseID        string     `json:"case_id,omitempty"`
	VerifyBy      *time.Time `json:"verify_by,omitempty"`
	RectifyBy     *time.Time `json:"rectify_by,omitempty"`
	Action        string     `json:"action,omitempty"`
	By            string     `json:"by,omitempty"`
	Note          string     `json:"note,omitempty"`
	CaseStatus    string     `json:"case_status,omitempty"` // the case's or complaint's status after the step
	FollowupLevel *int       `json:"followup_level,omitempty"`
	Reached       *bool      `json:"reached,omitempty"`   // case callback: whether the citizen was reached
	Complaint     *Complaint `json:"complaint,omitempty"` // complaint.logged: the complaint as logged
	ComplaintID   string     `json:"complaint_id,omitempty"`
}

// Public is the event as screens see it: without the citizen's id hash or a
// kiosk page token's hash, and a restricted event as only
// {"kind":"restricted"} (CONTRACT §3).
func (e Event) Public() Event {
	if e.Restricted() { // CONTRACT §3: sent as {"kind":"restricted"}
		return Event{Seq: e.Seq, Kind: EvRestricted}
	}
	e.IDHash = ""
	e.TokenHash = ""
	e.RatingText = "" // the citizen's words are for supervisors
	return e
}

func intp(v int) *int { return &v }

// Firmware event kinds (CONTRACT §6; docs/firmware.md).
const (
	EvFirmwareImageStored Kind = "firmware.image_stored"
	EvRolloutStarted      Kind = "firmware.rollout_started"
	EvFirmwareOffered     Kind = "firmware.offered"
	EvFirmwareUpdated     Kind = "firmware.updated"
	EvFirmwareFailed      Kind = "firmware.failed"
	EvRolloutState        Kind = "firmware.rollout_state"
)
