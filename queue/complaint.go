package queue

import (
	"fmt"
	"strings"
	"time"
)

// Complaint statuses and steps.
const (
	ComplaintOpen   = "open"
	ComplaintClosed = "closed"
	ComplaintLogged = "logged" // the first entry of its history
	ComplaintNote   = "note"   // progress, the complaint stays open
	ComplaintClose  = "close"  // the outcome; the complaint is closed
)

// ComplaintChannels are the ways a complaint (投诉) arrives.
var complaintChannels = [...]string{"phone", "box", "mailbox", "hotline"}

// Complaint is a complaint entered by a supervisor and tracked to an outcome
// by its deadline on the working-day calendar; its JSON is the API's.
type Complaint struct {
	ID         string     `json:"complaint_id"`
	Channel    string     `json:"channel"`
	Counter    *string    `json:"counter"`
	StaffID    *string    `json:"staff_id"`
	Text       string     `json:"text"`
	ReceivedAt time.Time  `json:"received_at"`
	DueBy      time.Time  `json:"due_by"`
	Status     string     `json:"status"`
	Outcome    string     `json:"outcome"`
	ClosedAt   *time.Time `json:"closed_at"`
	History    []CaseStep `json:"history"`
}

// OverdueAt reports whether the complaint is still open past its deadline.
func (k *Complaint) OverdueAt(now time.Time) bool {
	return k.Status == ComplaintOpen && now.After(k.DueBy)
}

// Clone returns a copy of the complaint that shares nothing with it.
func (k *Complaint) Clone() *Complaint {
	kk := *k
	kk.History = append([]CaseStep(nil), k.History...)
	return &kk
}

// DefaultComplaintDays is the working days to answer a complaint when the
// config sets none.
const DefaultComplaintDays = 5

func decideComplaint(s *State, now time.Time, c LogComplaint) Outcome {
	ok := false
	for _, ch := range complaintChannels {
		ok = ok || ch == c.Channel
	}
	if !ok {
		return refuse(BadRequest, "投诉渠道须为 phone、box、mailbox 或 hotline channel must be phone, box, mailbox or hotline")
	}
	if c.Counter != "" && s.Counters[c.Counter] == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	if c.StaffID != "" && len(s.Spec.Staff) > 0 && s.Spec.Staff[c.StaffID] == nil {
		return refuse(BadRequest, "未登记的工作人员 unknown staff_id %q", c.StaffID)
	}
	if c.Counter == "" && c.StaffID == "" {
		return refuse(BadRequest, "请指明窗口或工作人员 name the counter or the staff member concerned")
	}
	if strings.TrimSpace(c.Text) == "" {
		return refuse(BadRequest, "投诉内容为空 text is required")
	}
	if err := textChars("text", c.Text, MaxRatingText*4); err != nil {
		return Outcome{Err: err}
	}
	received := c.ReceivedAt
	if received.IsZero() {
		received = now
	}
	if received.After(now.Add(time.Minute)) {
		return refuse(BadRequest, "收到时间晚于现在 received_at is in the future")
	}
	days := s.Spec.ComplaintDays
	if days == 0 {
		days = DefaultComplaintDays
	}
	id := complaintID(s, now)
	k := &Complaint{ID: id, Channel: c.Channel, Counter: strp(c.Counter), StaffID: strp(c.StaffID), Text: c.Text,
		ReceivedAt: received.In(s.Spec.Location), DueBy: s.Spec.dueBy(received, days), Status: ComplaintOpen,
		History: []CaseStep{{At: now, Action: ComplaintLogged, By: strp(c.By)}}}
	e := Event{Kind: EvComplaintLogged, At: now, ComplaintID: id, By: c.By,
		Complaint: k}
	return Outcome{Events: []Event{e}, Result: func(s *State) any { return s.Complaints[id].Clone() }}
}

// complaintID numbers complaints per day: K20261123-001.
func complaintID(s *State, now time.Time) string {
	day := strings.ReplaceAll(s.Spec.BusinessDay(now), "-", "")
	n := 1
	for {
		id := fmt.Sprintf("K%s-%03d", day, n)
		if s.Complaints[id] == nil {
			return id
		}
		n++
	}
}

func decideComplaintStep(s *State, now time.Time, c StepComplaint) Outcome {
	if err := textChars("note", c.Note, MaxNoteChars); err != nil {
		return Outcome{Err: err}
	}
	k := s.Complaints[c.ComplaintID]
	if k == nil {
		return refuse(UnknownComplaint, "没有此投诉 unknown complaint %q", c.ComplaintID)
	}
	status := k.Status
	switch c.Action {
	case ComplaintNote:
	case ComplaintClose:
		if strings.TrimSpace(c.Note) == "" {
			return refuse(BadRequest, "请填写处理结果 the outcome (note) is required to close")
		}
		status = ComplaintClosed
	default:
		return refuse(BadRequest, "未知步骤 unknown complaint action %q", c.Action)
	}
	if k.Status != ComplaintOpen {
		return refuse(InvalidState, "投诉已办结 complaint %s is closed", k.ID)
	}
	id := k.ID
	e := Event{Kind: EvComplaintStep, At: now, ComplaintID: id, Action: c.Action, By: c.By,
		Note: c.Note, CaseStatus: status}
	return Outcome{Events: []Event{e}, Result: func(s *State) any { return s.Complaints[id].Clone() }}
}
