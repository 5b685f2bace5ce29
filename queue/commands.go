package queue

// Command is a request to change the hall; Decide turns it into events.
type Command interface{ command() }

// TakeTicket issues a ticket (op ticket.take).
type TakeTicket struct {
	Service         string
	Channel         string // walk_in (default), green, appointment
	AppointmentCode string
	IDHash          string
}

// OpenCounter opens a counter for the day (op counter.open).
type OpenCounter struct{ Counter, StaffID string }

// CloseCounter closes a counter (op counter.close).
type CloseCounter struct{ Counter string }

// PauseCounter pauses a counter (op counter.pause).
type PauseCounter struct{ Counter, Reason string }

// ResumeCounter ends a pause (op counter.resume).
type ResumeCounter struct{ Counter string }

// CallNext calls the next ticket by the call rule (op call.next).
type CallNext struct{ Counter string }

// Recall announces the current ticket again (op call.recall).
type Recall struct{ Counter string }

// CallNumber calls one ticket out of order (op call.number).
type CallNumber struct{ Counter, Number string }

// StartServing marks the current ticket as being served (op serve.start).
type StartServing struct{ Counter string }

// Finish finishes the current ticket (op serve.finish), optionally
// recording its case kind (CONTRACT §2 case, 1.1).
type Finish struct {
	Counter string
	Case    *CaseInfo // nil = no case recorded
}

// MarkNoShow marks the current ticket as not present (op call.no_show).
type MarkNoShow struct{ Counter string }

// Transfer sends the current ticket to another service or counter (op ticket.transfer).
type Transfer struct{ Counter, ToService, ToCounter string }

// Hold parks the current ticket at the counter (op ticket.hold).
type Hold struct{ Counter, Reason string }

// ResumeHeld serves the counter's held ticket again (op ticket.resume).
type ResumeHeld struct{ Counter string }

// Reinstate puts a no-show ticket back in its queue at its original place.
type Reinstate struct{ TicketID string }

// Cancel cancels a waiting or held ticket.
type Cancel struct{ TicketID, Reason string }

// SubmitRating records a citizen's rating at a counter (op rating.submit).
type SubmitRating struct {
	Counter  string
	TicketID string // optional: the counter's last finished ticket
	Level    int
	Dims     map[string]int
	Reasons  []string // 差评 reasons chosen on the keypad
	Text     string   // the citizen's words, at most 500 characters
}

// BookAppointment books an appointment code for a service and slot
// (CONTRACT §5): Date is YYYY-MM-DD, Start and End HH:MM, hall-local.
type BookAppointment struct {
	Code    string
	Service string
	Date    string
	Start   string
	End     string
}

// CancelAppointment cancels a booking that is not yet used.
type CancelAppointment struct{ Code string }

// ReportPresence records a device's status message or Last Will.
type ReportPresence struct {
	Device        string
	Online        bool
	FW            string
	ConfigVersion int
	FWState       string // idle, downloading, installing, failed; "" = not reported (CONTRACT §6)
	FWError       string
}

// SetNotice sets the hall screens' scrolling notice line.
type SetNotice struct{ Text Name }

func (TakeTicket) command()        {}
func (OpenCounter) command()       {}
func (CloseCounter) command()      {}
func (PauseCounter) command()      {}
func (ResumeCounter) command()     {}
func (CallNext) command()          {}
func (Recall) command()            {}
func (CallNumber) command()        {}
func (StartServing) command()      {}
func (Finish) command()            {}
func (MarkNoShow) command()        {}
func (Transfer) command()          {}
func (Hold) command()              {}
func (ResumeHeld) command()        {}
func (Reinstate) command()         {}
func (Cancel) command()            {}
func (SubmitRating) command()      {}
func (BookAppointment) command()   {}
func (CancelAppointment) command() {}
func (ReportPresence) command()    {}
func (SetNotice) command()         {}
