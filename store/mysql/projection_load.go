package mysql

import (
	"context"
	"database/sql"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// The report rows are loaded and written by report/rowsql, the same code
// the local SQLite store uses; these wrappers keep this package's names.

// queryer is a *sql.Tx or *sql.DB.
type queryer = rowsql.Queryer

func ticketCols() []string  { return rowsql.TicketCols() }
func visitCols() []string   { return rowsql.VisitCols() }
func sessionCols() []string { return rowsql.SessionCols() }

func scanTicket(rows *sql.Rows) (*TicketRow, error)   { return rowsql.ScanTicket(rows) }
func scanVisit(rows *sql.Rows) (*VisitRow, error)     { return rowsql.ScanVisit(rows) }
func scanSession(rows *sql.Rows) (*SessionRow, error) { return rowsql.ScanSession(rows) }

// loadProjection reads the rows evs touch.
func loadProjection(ctx context.Context, q queryer, hall string, evs []queue.Event) (*Projection, error) {
	return rowsql.Load(ctx, q, hall, evs)
}

// writeProjection upserts the rows Apply changed.
func writeProjection(ctx context.Context, x execer, hall string, p *Projection) error {
	return rowsql.Write(ctx, x, rowsql.MySQL, hall, p)
}
