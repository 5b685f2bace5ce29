// Package fold is the one fold of the journal into report rows: visits
// (tickets), calls, ratings, cases, counter sessions and staff sign-ins. The
// local SQLite store and the MySQL replicator write the rows it produces, so
// reports read the same rows from either side.
package fold

import (
	"time"

	"github.com/hallq/hallq/queue"
)

// The projections: report rows derived from events. Projection folds events
// onto rows the way queue.Apply folds them onto the state; a writer loads the
// rows a batch touches, folds the batch and writes back what changed, all in
// the batch's transaction.

// TicketRow is one row of the tickets table.
type TicketRow struct {
	TicketID      string
	Day           string // 2006-01-02, the ticket's business day
	Number        string
	N             int
	Service       string
	FirstService  string
	Channel       string
	Appointment   string
	Status        string
	IssuedAt      time.Time
	CalledAt      time.Time // the last call
	FirstCalledAt time.Time
	StartedAt     time.Time
	FinishedAt    time.Time
	EndedAt       time.Time
	Counter       string
	StaffID       string
	WaitedS       *int
	ServedS       *int
	Calls         int
	Recalls       int
	Transfers     int
	NoShows       int
	CallSeq       int64
	Rating        int
	RatedAt       time.Time
	EndReason     string
	EstWaitS      *int // the estimate given at issue
	Unrated       bool // finished, rating window closed without a rating (未评价)
	RatingID      string
	CaseKind      string // instant, promised, joint or referred (办件类型)
	CaseNo        string
	PromisedDate  string // YYYY-MM-DD for a promised case
	WaitUS        *int64 // issue to first call, microseconds (both cut to µs as stored)
	ServiceUS     *int64 // first call to finish, microseconds
	UpdatedSeq    int64
}

// VisitRow is one row of the calls table: one call of a ticket at a counter.
type VisitRow struct {
	Seq        int64
	TicketID   string
	Day        string
	Number     string
	Service    string
	Channel    string
	Counter    string
	StaffID    string
	CalledAt   time.Time
	WaitedS    *int
	Recalls    int
	StartedAt  time.Time
	EndedAt    time.Time
	ServedS    *int
	Outcome    string
	ToService  string
	ToCounter  string
	Rating     int
	UpdatedSeq int64
}

// SessionRow is one row of counter_sessions: a counter open with its staff.
type SessionRow struct {
	OpenSeq     int64
	Counter     string
	StaffID     string
	OpenedAt    time.Time
	ClosedAt    time.Time
	CloseSeq    int64
	CloseReason string
	OpenS       *int
	Pauses      int
	PausedS     int
	PausedAt    time.Time
	UpdatedSeq  int64
}

// RatingRow is one row of ratings.
type RatingRow struct {
	Seq      int64
	TicketID string
	Day      string
	Number   string
	Service  string
	Counter  string
	StaffID  string
	Level    int
	Dims     map[string]int
	At       time.Time
	RatingID string
	Reasons  []string
	Text     string
	CaseID   string
}

// Visit outcomes.
const (
	outcomeHeld        = "held"
	outcomeDone        = "done"
	outcomeNoShow      = "no_show"
	outcomeTransferred = "transferred"
)

// Projection is the report rows a run of events produces. NewProjection
// starts empty; the replicator seeds it with the rows a batch touches.
type Projection struct {
	Tickets  map[string]*TicketRow
	Visits   map[int64]*VisitRow
	Sessions map[int64]*SessionRow
	Ratings  []RatingRow
	Cases    map[string]*CaseRow
	Signins  []SigninRow

	open  map[string]*SessionRow // counter -> its open session
	dirty map[any]bool           // rows changed by Apply
}

// NewProjection returns an empty projection.
func NewProjection() *Projection {
	return &Projection{Tickets: map[string]*TicketRow{}, Visits: map[int64]*VisitRow{},
		Sessions: map[int64]*SessionRow{}, Cases: map[string]*CaseRow{}, open: map[string]*SessionRow{},
		dirty: map[any]bool{}}
}

// Dirty reports whether Apply changed row (a *TicketRow, *VisitRow,
// *SessionRow or *CaseRow).
func (p *Projection) Dirty(row any) bool { return p.dirty[row] }

// SeedSession records an open session loaded from a store.
func (p *Projection) SeedSession(s *SessionRow) {
	p.Sessions[s.OpenSeq] = s
	if cur := p.open[s.Counter]; cur == nil || cur.OpenSeq < s.OpenSeq {
		p.open[s.Counter] = s
	}
}

// Apply folds one event (with its Seq set) into the rows. An event already
// folded into a row (updated_seq >= seq) leaves that row alone.
func (p *Projection) Apply(e *queue.Event) {
	switch e.Kind {
	case queue.EvTicketIssued, queue.EvTicketCalled, queue.EvTicketRecalled, queue.EvTicketServing,
		queue.EvTicketFinished, queue.EvTicketNoShow, queue.EvTicketReinstated, queue.EvTicketTransferred,
		queue.EvTicketHeld, queue.EvTicketResumed, queue.EvTicketCancelled, queue.EvTicketExpired,
		queue.EvRatingSubmitted, queue.EvRatingUnrated:
		p.applyTicket(e)
	case queue.EvCounterOpened, queue.EvCounterClosed, queue.EvCounterPaused, queue.EvCounterResumed:
		p.applySession(e)
	case queue.EvStaffSignedIn:
		p.Signins = append(p.Signins, SigninRow{Seq: e.Seq, Counter: e.Counter, StaffID: e.StaffID,
			FromStaff: e.FromStaff, At: e.At})
	case queue.EvCaseOpened, queue.EvCaseStep:
		p.applyCase(e)
	}
}

func (p *Projection) applyTicket(e *queue.Event) {
	if e.TicketID == "" {
		return
	}
	t := p.Tickets[e.TicketID]
	if t == nil {
		t = &TicketRow{TicketID: e.TicketID, Day: dayOf(e.TicketID, e.At), Number: e.Ticket,
			Service: e.Service, FirstService: e.Service, Status: string(queue.Waiting)}
		p.Tickets[e.TicketID] = t
	}
	if t.UpdatedSeq >= e.Seq {
		return
	}
	t.UpdatedSeq = e.Seq
	p.dirty[t] = true
	v := p.visitFor(t, e) // nil for a ticket.called: it starts a new visit
	switch e.Kind {
	case queue.EvTicketIssued:
		t.Number, t.N, t.Service, t.FirstService, t.Channel = e.Ticket, e.N, e.Service, e.Service, e.Channel
		t.Appointment, t.Status, t.IssuedAt, t.EstWaitS = e.Appointment, string(queue.Waiting), e.At, e.EstWaitS
	case queue.EvTicketCalled:
		t.Status, t.Counter, t.CalledAt, t.StaffID, t.Recalls = string(queue.Called), e.Counter, e.At, e.StaffID, 0
		t.Calls++
		if t.WaitedS == nil {
			t.WaitedS = e.WaitedS
		}
		if t.FirstCalledAt.IsZero() {
			t.FirstCalledAt = e.At
			if !t.IssuedAt.IsZero() {
				w := micros(t.FirstCalledAt) - micros(t.IssuedAt)
				t.WaitUS = &w
			}
		}
		t.CallSeq = e.Seq
		ch := e.Channel
		if ch == "" {
			ch = t.Channel
		}
		nv := &VisitRow{Seq: e.Seq, TicketID: t.TicketID, Day: t.Day, Number: t.Number, Service: t.Service, Channel: ch,
			Counter: e.Counter, StaffID: e.StaffID, CalledAt: e.At, WaitedS: e.WaitedS, UpdatedSeq: e.Seq}
		if old := p.Visits[e.Seq]; old == nil || old.UpdatedSeq < e.Seq {
			p.Visits[e.Seq] = nv
			p.dirty[nv] = true
		}
	case queue.EvTicketRecalled:
		t.Recalls = e.Recalls
		if v != nil {
			v.Recalls = e.Recalls
		}
	case queue.EvTicketServing:
		t.Status, t.StartedAt = string(queue.Serving), e.At
		if v != nil {
			v.StartedAt = e.At
		}
	case queue.EvTicketFinished:
		t.Status, t.FinishedAt, t.EndedAt, t.ServedS = string(queue.Done), e.At, e.At, e.ServedS
		t.CaseKind, t.CaseNo, t.PromisedDate = e.CaseKind, e.CaseNo, e.PromisedDate
		if !t.FirstCalledAt.IsZero() {
			d := micros(e.At) - micros(t.FirstCalledAt)
			t.ServiceUS = &d
		}
		if v != nil {
			v.Outcome, v.EndedAt, v.ServedS = outcomeDone, e.At, e.ServedS
		}
	case queue.EvTicketNoShow:
		t.Status, t.EndedAt = string(queue.NoShow), e.At
		t.NoShows++
		if v != nil {
			v.Outcome, v.EndedAt = outcomeNoShow, e.At
		}
	case queue.EvTicketReinstated:
		t.Status, t.EndedAt = string(queue.Waiting), time.Time{}
	case queue.EvTicketTransferred:
		t.Status, t.Service, t.Recalls = string(queue.Waiting), e.Service, 0
		t.Transfers++
		if v != nil {
			v.Outcome, v.EndedAt, v.ToService, v.ToCounter = outcomeTransferred, e.At, e.ToService, e.ToCounter
		}
	case queue.EvTicketHeld:
		t.Status = string(queue.Held)
		if v != nil {
			v.Outcome = outcomeHeld
		}
	case queue.EvTicketResumed:
		t.Status = string(queue.Serving)
		if t.StartedAt.IsZero() {
			t.StartedAt = e.At
		}
		if v != nil {
			v.Outcome = ""
			if v.StartedAt.IsZero() {
				v.StartedAt = e.At
			}
		}
	case queue.EvTicketCancelled, queue.EvTicketExpired:
		status := queue.Cancelled
		if e.Kind == queue.EvTicketExpired {
			status = queue.Expired
		}
		t.Status, t.EndedAt, t.EndReason = string(status), e.At, e.Reason
		if v != nil && (v.Outcome == "" || v.Outcome == outcomeHeld) {
			v.Outcome, v.EndedAt = string(status), e.At
		}
	case queue.EvRatingSubmitted:
		t.Rating, t.RatedAt, t.RatingID, t.Unrated = e.Level, e.At, e.RatingID, false
		if v != nil {
			v.Rating = e.Level
		}
		p.Ratings = append(p.Ratings, RatingRow{Seq: e.Seq, TicketID: t.TicketID, Day: t.Day, Number: t.Number,
			Service: e.Service, Counter: e.Counter, StaffID: e.StaffID, Level: e.Level, Dims: e.Dims, At: e.At,
			RatingID: e.RatingID, Reasons: e.Reasons, Text: e.RatingText, CaseID: e.CaseID})
	case queue.EvRatingUnrated:
		if t.Rating == 0 {
			t.Unrated = true
		}
	}
}

// visitFor returns the ticket's current visit to change with e, or nil when
// e starts a visit, the visit was not loaded or already has e.
func (p *Projection) visitFor(t *TicketRow, e *queue.Event) *VisitRow {
	if e.Kind == queue.EvTicketCalled || e.Kind == queue.EvTicketIssued {
		return nil
	}
	v := p.Visits[t.CallSeq]
	if v == nil || v.UpdatedSeq >= e.Seq {
		return nil
	}
	v.UpdatedSeq = e.Seq
	p.dirty[v] = true
	return v
}

func (p *Projection) applySession(e *queue.Event) {
	if e.Kind == queue.EvCounterOpened {
		if old := p.Sessions[e.Seq]; old != nil && old.UpdatedSeq >= e.Seq {
			return
		}
		s := &SessionRow{OpenSeq: e.Seq, Counter: e.Counter, StaffID: e.StaffID, OpenedAt: e.At, UpdatedSeq: e.Seq}
		p.Sessions[e.Seq] = s
		p.open[e.Counter] = s
		p.dirty[s] = true
		return
	}
	s := p.open[e.Counter]
	if s == nil || s.UpdatedSeq >= e.Seq {
		return
	}
	s.UpdatedSeq = e.Seq
	p.dirty[s] = true
	switch e.Kind {
	case queue.EvCounterPaused:
		s.Pauses++
		s.PausedAt = e.At
	case queue.EvCounterResumed:
		s.endPause(e.At)
	case queue.EvCounterClosed:
		s.endPause(e.At)
		s.ClosedAt, s.CloseSeq, s.CloseReason = e.At, e.Seq, e.Reason
		open := int(e.At.Sub(s.OpenedAt).Seconds())
		s.OpenS = &open
		delete(p.open, e.Counter)
	}
}

// endPause adds a running pause to the paused time.
func (s *SessionRow) endPause(at time.Time) {
	if !s.PausedAt.IsZero() {
		s.PausedS += int(at.Sub(s.PausedAt).Seconds())
		s.PausedAt = time.Time{}
	}
}

// dayOf is a ticket's business day from its id (20261123-A024 -> 2026-11-23),
// or the UTC date of at for an id of another form.
func dayOf(ticketID string, at time.Time) string {
	if len(ticketID) > 9 && ticketID[8] == '-' {
		d := ticketID[:8]
		ok := true
		for i := 0; i < 8; i++ {
			ok = ok && d[i] >= '0' && d[i] <= '9'
		}
		if ok {
			return d[:4] + "-" + d[4:6] + "-" + d[6:8]
		}
	}
	return at.UTC().Format("2006-01-02")
}

// micros is t in microseconds since the epoch, cut as the stores keep it.
func micros(t time.Time) int64 { return t.Truncate(time.Microsecond).UnixMicro() }
