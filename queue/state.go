package queue

import (
	"sort"
	"time"
)

// Status is where a ticket is in its life (CONTRACT §2 tickets and calling).
type Status string

// Ticket statuses.
const (
	Waiting   Status = "waiting"
	Called    Status = "called"
	Serving   Status = "serving"
	Done      Status = "done"
	NoShow    Status = "no_show"
	Held      Status = "held"
	Cancelled Status = "cancelled"
	Expired   Status = "expired"
)

// Open reports whether a ticket in this status still counts as open.
func (s Status) Open() bool { return s == Waiting || s == Called || s == Serving || s == Held }

// Channels a ticket can be taken through.
const (
	WalkIn      = "walk_in"
	Green       = "green"
	Appointment = "appointment"
)

// Counter statuses as screens show them.
const (
	CounterClosedStatus  = "closed"
	CounterOpenStatus    = "open"
	CounterPausedStatus  = "paused"
	CounterCalledStatus  = "called"
	CounterServingStatus = "serving"
)

// State is everything the hall knows; only Apply changes it.
type State struct {
	Spec *Spec `json:"-"`

	Seq     int64              `json:"seq"`    // last applied event
	Day     string             `json:"day"`    // current business day
	Issued  int64              `json:"issued"` // tickets issued today, hall-wide issue order
	Tickets map[string]*Ticket `json:"tickets"`
	// NextN is the last sequence number used per service today.
	NextN map[string]int `json:"next_n"`
	// Queue holds waiting ticket ids per service (or per "@counter" for tickets
	// transferred to a counter), ordered by issue time then issue order.
	Queue        map[string][]string        `json:"queue"`
	Counters     map[string]*Counter        `json:"counters"`
	Appointments map[string]*Booking        `json:"appointments"`
	OpenIDs      map[string]string          `json:"open_ids"`    // service|id_hash -> ticket id
	AvgService   map[string]float64         `json:"avg_service"` // seconds, moving average
	RecentCalls  []RecentCall               `json:"recent_calls"`
	Devices      map[string]*DevicePresence `json:"devices"`
	Notice       Name                       `json:"notice"`
	Firmware     *FirmwareState             `json:"firmware,omitempty"`

	// Alerts are the standing alerts by id (CONTRACT §3); AlertN is the
	// number of the last alert raised (ids are al-N). Kept across days.
	Alerts      map[string]*Alert      `json:"alerts,omitempty"`
	AlertN      int64                  `json:"alert_n,omitempty"`
	Today       DayStats               `json:"today"`                  // the day's service level and ratings so far
	KioskTokens map[string]*KioskToken `json:"kiosk_tokens,omitempty"` // by token id; kept across days

	// Evaluation (好差评): today's rateable visits; cases and complaints are
	// kept across business days and never deleted.
	Visits      map[string]*Visit     `json:"visits,omitempty"`
	RatePending []string              `json:"rate_pending,omitempty"` // visits not yet rated or unrated, oldest first
	Cases       map[string]*Case      `json:"cases,omitempty"`
	Complaints  map[string]*Complaint `json:"complaints,omitempty"`

	tally *tally // derived counts kept by Apply; nil = count on next read
}

// Ticket is one ticket of the current business day.
type Ticket struct {
	ID            string    `json:"id"`
	Number        string    `json:"number"`
	N             int       `json:"n"`
	Service       string    `json:"service"`
	Channel       string    `json:"channel"`
	IDHash        string    `json:"id_hash,omitempty"`
	Appointment   string    `json:"appointment,omitempty"`
	Slot          time.Time `json:"slot,omitempty"`
	Order         int64     `json:"order"`
	IssuedAt      time.Time `json:"issued_at"`
	Status        Status    `json:"status"`
	Counter       string    `json:"counter,omitempty"`        // where it is or was last called
	TargetCounter string    `json:"target_counter,omitempty"` // set when transferred to a counter
	StaffID       string    `json:"staff_id,omitempty"`
	CalledAt      time.Time `json:"called_at,omitempty"`
	StartedAt     time.Time `json:"started_at,omitempty"`
	FinishedAt    time.Time `json:"finished_at,omitempty"`
	Recalls       int       `json:"recalls,omitempty"`
	Rated         bool      `json:"rated,omitempty"`
	Transfers     int       `json:"transfers,omitempty"`
	// The case recorded at serve.finish (CONTRACT §2 case, 1.1).
	CaseKind     string `json:"case_kind,omitempty"`
	CaseNo       string `json:"case_no,omitempty"`
	PromisedDate string `json:"promised_date,omitempty"`
	LeadCounter  string `json:"lead_counter,omitempty"`
}

// Counter is a counter's live state.
type Counter struct {
	ID           string    `json:"id"`
	Open         bool      `json:"open"`
	Paused       bool      `json:"paused,omitempty"`
	PauseReason  string    `json:"pause_reason,omitempty"`
	StaffID      string    `json:"staff_id,omitempty"`
	Current      string    `json:"current,omitempty"` // called or serving ticket
	Held         string    `json:"held,omitempty"`
	LastFinished string    `json:"last_finished,omitempty"`
	OpenedAt     time.Time `json:"opened_at,omitempty"`
	// Shown is the status screens last showed and StatusSince when it
	// began; the alert rules measure idle and pause time from it.
	Shown       string    `json:"shown,omitempty"`
	StatusSince time.Time `json:"status_since,omitempty"`
	LastVisit   string    `json:"last_visit,omitempty"` // the latest visit ended here (finish or transfer)
}

// Booking is an appointment (预约) booked for a day, service and slot.
type Booking struct {
	Code      string    `json:"code"`
	Service   string    `json:"service"`
	Day       string    `json:"day"`
	Slot      time.Time `json:"slot"`          // the slot's start
	End       time.Time `json:"end,omitempty"` // the slot's end; zero in old snapshots (EndAt)
	Used      bool      `json:"used,omitempty"`
	TicketID  string    `json:"ticket_id,omitempty"` // the ticket it was checked in for
	Cancelled bool      `json:"cancelled,omitempty"`
	Missed    bool      `json:"missed,omitempty"` // never checked in by its end
}

// RecentCall is one call shown on hall screens.
type RecentCall struct {
	Ticket  string    `json:"ticket"`
	Counter string    `json:"counter"`
	At      time.Time `json:"at"`
}

// DevicePresence is what hallq knows of a device's connection.
type DevicePresence struct {
	Online        bool      `json:"online"`
	Since         time.Time `json:"since,omitempty"`
	FW            string    `json:"fw,omitempty"`
	ConfigVersion int       `json:"config_version,omitempty"`
	FWState       string    `json:"fw_state,omitempty"`
	FWError       string    `json:"fw_error,omitempty"`
	LastSeen      time.Time `json:"last_seen,omitempty"` // the last status, connect or disconnect recorded
}

// RecentCallsKept is how many calls the hall screen shows.
const RecentCallsKept = 10

// NewState returns the empty state of a hall that has never run.
func NewState(sp *Spec) *State {
	s := &State{Spec: sp}
	s.reset("")
	s.Counters = map[string]*Counter{}
	for _, id := range sp.CounterOrder {
		s.Counters[id] = &Counter{ID: id}
	}
	s.Devices = map[string]*DevicePresence{}
	s.Appointments = map[string]*Booking{}
	s.AvgService = map[string]float64{}
	s.Notice = sp.Notice
	s.Firmware = newFirmwareState()
	s.Alerts = map[string]*Alert{}
	s.initEvaluation()
	return s
}

// reset empties the day's tickets.
func (s *State) reset(day string) {
	s.Day = day
	s.Issued = 0
	s.Tickets = map[string]*Ticket{}
	s.NextN = map[string]int{}
	s.Queue = map[string][]string{}
	s.OpenIDs = map[string]string{}
	s.RecentCalls = nil
	s.Visits = map[string]*Visit{}
	s.RatePending = nil
	s.tally = nil
}

// Attach sets the spec of a state decoded from a snapshot and fills what the
// spec added since (new counters).
func (s *State) Attach(sp *Spec) {
	s.Spec = sp
	for _, id := range sp.CounterOrder {
		if s.Counters[id] == nil {
			s.Counters[id] = &Counter{ID: id}
		}
	}
	if s.Devices == nil {
		s.Devices = map[string]*DevicePresence{}
	}
	if s.Firmware == nil {
		s.Firmware = newFirmwareState()
	}
	s.Firmware.fill()
	s.initEvaluation()
}

// TicketByNumber finds today's ticket with this number.
func (s *State) TicketByNumber(number string) *Ticket {
	return s.Tickets[TicketID(s.Day, number)]
}

// TicketID is the id of a ticket: business day and number, e.g. 20261123-A024.
func TicketID(day, number string) string {
	d := make([]byte, 0, len(day)+1+len(number))
	for i := 0; i < len(day); i++ {
		if day[i] != '-' {
			d = append(d, day[i])
		}
	}
	d = append(d, '-')
	return string(append(d, number...))
}

// queueKey is where a waiting ticket waits: its service, or "@counter" when
// it was transferred to one counter.
func queueKey(t *Ticket) string {
	if t.TargetCounter != "" {
		return "@" + t.TargetCounter
	}
	return t.Service
}

// WaitingCount is how many tickets of svc are waiting, wherever they wait.
func (s *State) WaitingCount(svc string) int { return s.tallies().waiting[svc] }

// waitingScan is WaitingCount counted by scanning the queues.
func (s *State) waitingScan(svc string) int {
	n := len(s.Queue[svc])
	for k, ids := range s.Queue {
		if len(k) > 0 && k[0] == '@' {
			for _, id := range ids {
				if s.Tickets[id].Service == svc {
					n++
				}
			}
		}
	}
	return n
}

// CounterStatus is the status a counter shows (CONTRACT §3).
func (s *State) CounterStatus(id string) string {
	c := s.Counters[id]
	switch {
	case c == nil || !c.Open:
		return CounterClosedStatus
	case c.Current != "" && s.Tickets[c.Current] != nil && s.Tickets[c.Current].Status == Serving:
		return CounterServingStatus
	case c.Current != "":
		return CounterCalledStatus
	case c.Paused:
		return CounterPausedStatus
	}
	return CounterOpenStatus
}

// before orders waiting tickets by issue time, then issue order.
func before(a, b *Ticket) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) {
		return a.IssuedAt.Before(b.IssuedAt)
	}
	return a.Order < b.Order
}

// insertWaiting puts a ticket into its queue in issue order.
func (s *State) insertWaiting(t *Ticket) {
	k := queueKey(t)
	q := s.Queue[k]
	i := sort.Search(len(q), func(i int) bool { return before(t, s.Tickets[q[i]]) })
	q = append(q, "")
	copy(q[i+1:], q[i:])
	q[i] = t.ID
	s.Queue[k] = q
	s.tallyWaiting(t.Service, 1)
}

// removeWaiting takes a ticket out of its queue.
func (s *State) removeWaiting(t *Ticket) {
	k := queueKey(t)
	q := s.Queue[k]
	for i, id := range q {
		if id == t.ID {
			s.Queue[k] = append(q[:i], q[i+1:]...)
			s.tallyWaiting(t.Service, -1)
			break
		}
	}
	if len(s.Queue[k]) == 0 {
		delete(s.Queue, k)
	}
}
