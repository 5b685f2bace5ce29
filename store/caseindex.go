package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hallq/hallq/queue"
)

// CaseIndex keeps, in the journal database, the cases recorded at
// serve.finish (CONTRACT §2 case) so that a citizen can look one up by its
// case_no or ticket id after the business day (触摸屏查询办理进展). Like the
// projections it trails the journal and can always be rebuilt from it: its
// table is created here, not by a migration, and its cursor is its own.
type CaseIndex struct {
	j     *Journal
	batch int
}

// CaseFile is one indexed case: nothing personal, only what the public
// lookup shows.
type CaseFile struct {
	CaseNo       string `json:"case_no"`
	TicketID     string `json:"ticket_id"`
	Ticket       string `json:"ticket"`
	Day          string `json:"day"`
	Service      string `json:"service"`
	Kind         string `json:"kind"`
	PromisedDate string `json:"promised_date,omitempty"`
	LeadCounter  string `json:"lead_counter,omitempty"`
	Counter      string `json:"counter"`
	FinishedAt   string `json:"finished_at"`
}

const caseIndexSchema = `
CREATE TABLE IF NOT EXISTS case_files (
	ticket_id     TEXT PRIMARY KEY,
	case_no       TEXT NOT NULL,
	number        TEXT NOT NULL,
	day           TEXT NOT NULL,
	service       TEXT NOT NULL,
	kind          TEXT NOT NULL,
	promised_date TEXT NOT NULL,
	lead_counter  TEXT NOT NULL,
	counter       TEXT NOT NULL,
	finished_at   TEXT NOT NULL,
	seq           INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS case_files_no ON case_files(case_no);
`

// NewCaseIndex makes the index over j, creating its table if needed.
func NewCaseIndex(j *Journal) (*CaseIndex, error) {
	if _, err := j.w.Exec(caseIndexSchema); err != nil {
		return nil, fmt.Errorf("create case index: %w", err)
	}
	return &CaseIndex{j: j, batch: 1000}, nil
}

func (x *CaseIndex) cursor() (int64, error) {
	var seq int64
	err := x.j.r.QueryRow("SELECT COALESCE((SELECT seq FROM cursors WHERE name = 'case_files'), 0)").Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read case index cursor: %w", err)
	}
	return seq, nil
}

// Sync indexes every event after its cursor and returns how many it read.
func (x *CaseIndex) Sync(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		cur, err := x.cursor()
		if err != nil {
			return total, err
		}
		evs, err := x.j.EventsAfter(cur, x.batch)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		if err := x.apply(ctx, evs); err != nil {
			return total, err
		}
		total += len(evs)
	}
	return total, ctx.Err()
}

func (x *CaseIndex) apply(ctx context.Context, evs []queue.Event) error {
	tx, err := x.j.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("case index: %w", err)
	}
	defer tx.Rollback()
	for _, e := range evs {
		if e.Kind != queue.EvTicketFinished || e.CaseKind == "" {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO case_files(ticket_id, case_no, number, day, service, kind, promised_date, lead_counter, counter, finished_at, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ticket_id) DO UPDATE SET case_no = excluded.case_no, kind = excluded.kind,
			promised_date = excluded.promised_date, lead_counter = excluded.lead_counter, counter = excluded.counter,
			finished_at = excluded.finished_at, seq = excluded.seq`,
			e.TicketID, e.CaseNo, e.Ticket, dayOf(e.TicketID), e.Service, e.CaseKind, e.PromisedDate, e.LeadCounter, e.Counter, ts(e.At), e.Seq); err != nil {
			return fmt.Errorf("index case of %s: %w", e.TicketID, err)
		}
	}
	last := evs[len(evs)-1].Seq
	if _, err := tx.Exec("INSERT INTO cursors(name, seq) VALUES ('case_files', ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq", last); err != nil {
		return fmt.Errorf("advance case index cursor: %w", err)
	}
	return tx.Commit()
}

// Lookup finds a case by its case_no (the latest visit with it) or, when
// caseNo is empty, by ticket id; nil when there is none.
func (x *CaseIndex) Lookup(ctx context.Context, caseNo, ticketID string) (*CaseFile, error) {
	q, arg := "SELECT case_no, ticket_id, number, day, service, kind, promised_date, lead_counter, counter, finished_at FROM case_files WHERE ticket_id = ?", ticketID
	if caseNo != "" {
		q, arg = "SELECT case_no, ticket_id, number, day, service, kind, promised_date, lead_counter, counter, finished_at FROM case_files WHERE case_no = ? ORDER BY seq DESC LIMIT 1", caseNo
	}
	var f CaseFile
	err := x.j.r.QueryRowContext(ctx, q, arg).Scan(&f.CaseNo, &f.TicketID, &f.Ticket, &f.Day, &f.Service, &f.Kind, &f.PromisedDate, &f.LeadCounter, &f.Counter, &f.FinishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up case: %w", err)
	}
	return &f, nil
}
