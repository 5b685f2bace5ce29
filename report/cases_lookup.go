package report

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hallq/hallq/report/rowsql"
)

// CaseFile is a case recorded at serve.finish (CONTRACT §2 case), as the
// public lookup shows it: kind, service and promised date, nothing personal
// (触摸屏查询办理进展). It is read from the ticket rows of the one fold.
type CaseFile struct {
	CaseNo       string
	TicketID     string
	Ticket       string
	Day          string
	Service      string
	Kind         string
	PromisedDate string // YYYY-MM-DD, or "" when not a promised case
	Counter      string
	FinishedAt   string // RFC 3339, hall-local
}

// FindCase returns the latest finished case with caseNo, or of ticketID
// (give one of them); nil when there is none.
func (s *Source) FindCase(ctx context.Context, caseNo, ticketID string) (*CaseFile, error) {
	where, arg := "case_no = ?", caseNo
	if caseNo == "" {
		where, arg = "ticket_id = ?", ticketID
	}
	row := s.DB.QueryRowContext(ctx, `SELECT ticket_id, number, day, service, case_kind, case_no, promised_date,
		COALESCE(counter, ''), finished_at FROM tickets
		WHERE hall = ? AND `+where+` AND case_kind IS NOT NULL AND case_kind <> ''
		ORDER BY finished_at DESC LIMIT 1`, s.Hall, arg)
	var f CaseFile
	var day, promised, finished rowsql.NullTime
	err := row.Scan(&f.TicketID, &f.Ticket, &day, &f.Service, &f.Kind, &f.CaseNo, &promised, &f.Counter, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("case lookup", err)
	}
	f.Day, f.PromisedDate = day.Day(), promised.Day()
	if !finished.T.IsZero() {
		f.FinishedAt = finished.T.In(s.Loc).Format("2006-01-02T15:04:05Z07:00")
	}
	return &f, nil
}
