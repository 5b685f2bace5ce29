package queue

import (
	"fmt"
	"time"
)

// Visit is one service of a ticket at one counter, ended by a finish or a
// transfer: the thing a citizen rates (DOMAIN 一次一评). Visits live for the
// business day.
type Visit struct {
	ID       string    `json:"id"` // ticket id and its service segment, e.g. 20261123-A001-1
	TicketID string    `json:"ticket_id"`
	Ticket   string    `json:"ticket"`
	Service  string    `json:"service"`
	Counter  string    `json:"counter"`
	StaffID  string    `json:"staff_id,omitempty"`
	EndedAt  time.Time `json:"ended_at"`
	Rated    bool      `json:"rated,omitempty"`
	Unrated  bool      `json:"unrated,omitempty"` // the window closed without a rating (未评价)
}

// Case statuses (CONTRACT §5 差评 cases).
const (
	CaseOpen      = "open"
	CaseVerified  = "verified"
	CaseRectified = "rectified"
	CaseClosed    = "closed"
	CaseDismissed = "dismissed"
	CaseAppealed  = "appealed"
)

// Case steps (CONTRACT §5), plus "opened" in a case's history.
const (
	StepOpened   = "opened"
	StepVerify   = "verify"
	StepRectify  = "rectify"
	StepCallback = "callback"
	StepAppeal   = "appeal"
	StepReview   = "review"
)

// Case is the follow-up of one 差评 (CONTRACT §5); its JSON is the API's.
type Case struct {
	ID            string     `json:"case_id"`
	RatingID      string     `json:"rating_id"`
	TicketID      string     `json:"ticket_id"`
	Ticket        string     `json:"ticket"`
	Service       string     `json:"service"`
	Counter       string     `json:"counter"`
	StaffID       *string    `json:"staff_id"`
	Level         int        `json:"level"`
	Reasons       []string   `json:"reasons"`
	Text          string     `json:"text"`
	CreatedAt     time.Time  `json:"created_at"`
	VerifyBy      time.Time  `json:"verify_by"`
	RectifyBy     time.Time  `json:"rectify_by"`
	Status        string     `json:"status"`
	FollowupLevel *int       `json:"followup_level"`
	History       []CaseStep `json:"history"`
	// CallbackReached is whether the callback (回访) reached the citizen.
	CallbackReached *bool `json:"callback_reached,omitempty"`
}

// CaseStep is one entry of a case's or complaint's history, oldest first.
type CaseStep struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	By     *string   `json:"by"` // a staff id; null for opened
	Note   string    `json:"note"`
}

// Finished reports whether the case is closed or dismissed.
func (c *Case) Finished() bool { return c.Status == CaseClosed || c.Status == CaseDismissed }

// OverdueAt reports whether the case is overdue at now: open past verify_by
// or verified past rectify_by (CONTRACT §5), and since when.
func (c *Case) OverdueAt(now time.Time) (since time.Time, overdue bool) {
	switch {
	case c.Status == CaseOpen && now.After(c.VerifyBy):
		return c.VerifyBy, true
	case c.Status == CaseVerified && now.After(c.RectifyBy):
		return c.RectifyBy, true
	}
	return time.Time{}, false
}

// Dims are the five rating dimensions (CONTRACT §2 dims, 1.1), in order.
var dimKeys = [...]string{"approval", "efficiency", "attitude", "fees", "integrity"}

// DimKeys returns the five dimension keys in their published order.
func DimKeys() []string { return append([]string(nil), dimKeys[:]...) }

func isDimKey(k string) bool {
	for _, d := range dimKeys {
		if d == k {
			return true
		}
	}
	return false
}

// Bounds of a rating's free parts.
const (
	MaxReasons     = 10  // reasons per rating
	MaxReasonChars = 64  // characters per reason
	MaxRatingText  = 500 // characters of text (CONTRACT §2, issue 11)
	MaxNoteChars   = 500 // characters of a case or complaint note
)

// visitID names the seg-th service segment of a ticket.
func visitID(ticketID string, seg int) string { return fmt.Sprintf("%s-%d", ticketID, seg) }

// RatingID is the id of the rating of a visit; the provincial platform
// dedupes by it.
func RatingID(visit string) string { return "R" + visit }

// CaseID is the id of the case a visit's 差评 opens.
func CaseID(visit string) string { return "C" + visit }

// dueBy is 23:59:59 hall-local of the nth working day after the day of at
// (CONTRACT §5 verify_by / rectify_by).
func (sp *Spec) dueBy(at time.Time, n int) time.Time {
	day := sp.BusinessDay(at)
	due := day
	if sp.Calendar != nil {
		if d, err := sp.Calendar.AddWorkdays(day, n); err == nil {
			due = d
		}
	} else if t, err := time.ParseInLocation("2006-01-02", day, sp.Location); err == nil {
		due = t.AddDate(0, 0, n).Format("2006-01-02")
	}
	t, _ := time.ParseInLocation("2006-01-02", due, sp.Location)
	return t.Add(24*time.Hour - time.Second)
}

// textChars checks free text: at most max characters, no control
// characters except line breaks and tabs.
func textChars(field, v string, max int) *Error {
	n := 0
	for _, r := range v {
		n++
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || r == 0xfffd {
			return Errorf(BadRequest, "%s 含无效字符 %s has control or invalid characters", field, field)
		}
	}
	if n > max {
		return Errorf(BadRequest, "%s 超过 %d 字 %s is longer than %d characters", field, max, field, max)
	}
	return nil
}

// badReasons are the reasons a rater offers for a 差评 (the citizen may pick
// several); ratings may also carry others.
var badReasons = [...]string{"服务态度差", "等候时间长", "办事效率低", "业务不熟练", "一次性告知不清", "多次跑腿", "收费不透明", "窗口无人", "其他"}

// BadReasons lists the reasons a rater offers for a 差评.
func BadReasons() []string { return append([]string(nil), badReasons[:]...) }
