package queue

import "time"

// SignIn records a staff member signing in at a counter (签到); at an open
// counter held by someone else it is a handover (AB岗).
type SignIn struct{ Counter, StaffID string }

// StepCase moves a 差评 case on (CONTRACT §5 POST …/cases/{case_id}/{action}).
type StepCase struct {
	CaseID  string
	Action  string // verify | rectify | callback | appeal | review
	By      string // the supervisor's staff id
	Note    string
	Valid   *bool // verify
	Reached *bool // callback
	Level   *int  // callback: the citizen's 追评, or nil
	Upheld  *bool // review
}

// LogComplaint records a complaint (投诉) a supervisor took in.
type LogComplaint struct {
	Channel    string // phone | box | mailbox | hotline
	Counter    string // the counter concerned, or ""
	StaffID    string // the staff member concerned, or ""
	Text       string
	ReceivedAt time.Time // zero = now
	By         string
}

// StepComplaint records progress on a complaint or closes it with an outcome.
type StepComplaint struct {
	ComplaintID string
	Action      string // note | close
	Note        string // for close: the outcome
	By          string
}

func (SignIn) command()        {}
func (StepCase) command()      {}
func (LogComplaint) command()  {}
func (StepComplaint) command() {}
