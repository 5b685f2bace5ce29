package mysql

import "github.com/hallq/hallq/report/fold"

// The report rows come from the one fold of the journal (report/fold), the
// same rows the local SQLite store keeps; this package loads and writes them.

// Row types of the fold, under the names this package has always used.
type (
	// TicketRow is one row of tickets.
	TicketRow = fold.TicketRow
	// VisitRow is one row of calls.
	VisitRow = fold.VisitRow
	// SessionRow is one row of counter_sessions.
	SessionRow = fold.SessionRow
	// RatingRow is one row of ratings.
	RatingRow = fold.RatingRow
	// CaseRow is one row of cases.
	CaseRow = fold.CaseRow
	// Projection is the report rows a run of events produces.
	Projection = fold.Projection
)

// NewProjection returns an empty projection.
func NewProjection() *Projection { return fold.NewProjection() }
