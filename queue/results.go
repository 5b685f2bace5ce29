package queue

import "time"

// TicketResult is a ticket as a reply describes it.
type TicketResult struct {
	TicketID     string    `json:"ticket_id"`
	Number       string    `json:"number"`
	Service      string    `json:"service"`
	Status       Status    `json:"status"`
	Channel      string    `json:"channel"`
	IssuedAt     time.Time `json:"issued_at"`
	Counter      string    `json:"counter,omitempty"`
	WaitingAhead *int      `json:"waiting_ahead,omitempty"`
	EstWaitS     *int      `json:"est_wait_s,omitempty"`
	WaitedS      *int      `json:"waited_s,omitempty"`
	Recalls      *int      `json:"recalls,omitempty"`
	// The case recorded at serve.finish (CONTRACT §2 case, 1.1).
	CaseKind     string `json:"case_kind,omitempty"`
	CaseNo       string `json:"case_no,omitempty"`
	PromisedDate string `json:"promised_date,omitempty"`
	LeadCounter  string `json:"lead_counter,omitempty"`
}

// CounterResult is a counter as a reply describes it.
type CounterResult struct {
	Counter string  `json:"counter"`
	Status  string  `json:"status"`
	StaffID *string `json:"staff_id"`
	Ticket  *string `json:"ticket"`
	Service *string `json:"service"`
	Reason  string  `json:"reason,omitempty"`
}

// RatingResult is a stored rating.
type RatingResult struct {
	RatingID  string         `json:"rating_id"`
	TicketID  string         `json:"ticket_id"`
	Ticket    string         `json:"ticket"`
	Service   string         `json:"service"`
	Counter   string         `json:"counter"`
	StaffID   *string        `json:"staff_id"`
	Level     int            `json:"level"`
	LevelName Name           `json:"level_name"`
	Dims      map[string]int `json:"dims,omitempty"`
	At        time.Time      `json:"at"`
	Reasons   []string       `json:"reasons,omitempty"`
	Text      string         `json:"text,omitempty"`
	CaseID    *string        `json:"case_id,omitempty"` // the case a 差评 opened (CONTRACT §2)
}

// BookingResult is a booked appointment (CONTRACT §5).
type BookingResult struct {
	Code         string    `json:"code"`
	Service      string    `json:"service"`
	Date         string    `json:"date"`
	Start        string    `json:"start"`
	End          string    `json:"end"`
	CheckInFrom  time.Time `json:"check_in_from"`
	CheckInUntil time.Time `json:"check_in_until"`
	Status       string    `json:"status"` // booked | checked_in | cancelled | missed
	TicketID     string    `json:"ticket_id,omitempty"`
}

// LevelNames are the national five rating levels (DOMAIN 好差评), 5 best.
var levelNames = [6]Name{
	{},
	{Zh: "非常不满意", En: "Very dissatisfied"},
	{Zh: "不满意", En: "Dissatisfied"},
	{Zh: "基本满意", En: "Fairly satisfied"},
	{Zh: "满意", En: "Satisfied"},
	{Zh: "非常满意", En: "Very satisfied"},
}

// LevelName is the named rating level for 1..5.
func LevelName(level int) Name {
	if level < 1 || level > 5 {
		return Name{}
	}
	return levelNames[level]
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ticketResult describes t as it will be after the outcome's events.
func ticketResult(t *Ticket, status Status, counter string) *TicketResult {
	return &TicketResult{TicketID: t.ID, Number: t.Number, Service: t.Service, Status: status,
		Channel: t.Channel, IssuedAt: t.IssuedAt, Counter: counter,
		CaseKind: t.CaseKind, CaseNo: t.CaseNo, PromisedDate: t.PromisedDate, LeadCounter: t.LeadCounter}
}
