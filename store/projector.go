package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hallq/hallq/queue"
)

// Projector keeps the queryable projections (tickets, calls, ratings,
// counter_sessions) in the journal database a little behind the journal.
// Each Sync applies the events after its cursor and advances the cursor in
// the same transaction, so every event is projected exactly once.
type Projector struct {
	j     *Journal
	batch int
}

// NewProjector makes a projector over j.
func NewProjector(j *Journal) *Projector { return &Projector{j: j, batch: 500} }

// Cursor is the last projected seq.
func (p *Projector) Cursor() (int64, error) {
	var seq int64
	err := p.j.r.QueryRow("SELECT COALESCE((SELECT seq FROM cursors WHERE name = 'projections'), 0)").Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read projection cursor: %w", err)
	}
	return seq, nil
}

// Sync projects every event after the cursor, in batches, and returns how
// many it projected.
func (p *Projector) Sync(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		cur, err := p.Cursor()
		if err != nil {
			return total, err
		}
		evs, err := p.j.EventsAfter(cur, p.batch)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		if err := p.apply(ctx, evs); err != nil {
			return total, err
		}
		total += len(evs)
	}
	return total, ctx.Err()
}

func (p *Projector) apply(ctx context.Context, evs []queue.Event) error {
	tx, err := p.j.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	defer tx.Rollback()
	for i := range evs {
		if err := project(tx, &evs[i]); err != nil {
			return fmt.Errorf("project seq %d (%s): %w", evs[i].Seq, evs[i].Kind, err)
		}
	}
	last := evs[len(evs)-1].Seq
	if _, err := tx.Exec("INSERT INTO cursors(name, seq) VALUES ('projections', ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq", last); err != nil {
		return fmt.Errorf("advance projection cursor: %w", err)
	}
	return tx.Commit()
}

func ts(t time.Time) string { return t.Format(time.RFC3339Nano) }

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// dayOf is the business day in a ticket id (20261123-A001 -> 2026-11-23).
func dayOf(ticketID string) string {
	d, _, _ := strings.Cut(ticketID, "-")
	if len(d) != 8 {
		return d
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}

// project applies one event to the projection tables.
func project(tx *sql.Tx, e *queue.Event) error {
	upd := func(set string, args ...any) error {
		_, err := tx.Exec("UPDATE tickets SET "+set+", updated_seq = ? WHERE ticket_id = ?", append(args, e.Seq, e.TicketID)...)
		return err
	}
	call := func() error {
		_, err := tx.Exec(`INSERT OR IGNORE INTO calls(seq, ticket_id, number, service, counter, staff_id, kind, at, waited_s)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.TicketID, e.Ticket, e.Service, e.Counter, e.StaffID, string(e.Kind), ts(e.At), nullInt(e.WaitedS))
		return err
	}
	switch e.Kind {
	case queue.EvTicketIssued:
		_, err := tx.Exec(`INSERT OR IGNORE INTO tickets(ticket_id, day, number, service, channel, status, issued_at, updated_seq)
			VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)`, e.TicketID, dayOf(e.TicketID), e.Ticket, e.Service, e.Channel, ts(e.At), e.Seq)
		return err
	case queue.EvTicketCalled:
		if err := upd("status = 'called', called_at = COALESCE(called_at, ?), counter = ?, staff_id = ?, waited_s = COALESCE(waited_s, ?)",
			ts(e.At), e.Counter, e.StaffID, nullInt(e.WaitedS)); err != nil {
			return err
		}
		return call()
	case queue.EvTicketRecalled:
		if err := upd("recalls = recalls + 1"); err != nil {
			return err
		}
		return call()
	case queue.EvTicketServing:
		return upd("status = 'serving', started_at = ?", ts(e.At))
	case queue.EvTicketFinished:
		return upd("status = 'done', finished_at = ?, served_s = ?", ts(e.At), nullInt(e.ServedS))
	case queue.EvTicketNoShow:
		return upd("status = 'no_show'")
	case queue.EvTicketReinstated:
		return upd("status = 'waiting'")
	case queue.EvTicketTransferred:
		return upd("status = 'waiting', service = ?, transfers = transfers + 1", e.Service)
	case queue.EvTicketHeld:
		return upd("status = 'held'")
	case queue.EvTicketResumed:
		return upd("status = 'serving'")
	case queue.EvTicketCancelled:
		return upd("status = 'cancelled'")
	case queue.EvTicketExpired:
		return upd("status = 'expired'")
	case queue.EvRatingSubmitted:
		dims, _ := json.Marshal(e.Dims)
		if _, err := tx.Exec(`INSERT OR IGNORE INTO ratings(ticket_id, seq, number, service, counter, staff_id, level, dims, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.TicketID, e.Seq, e.Ticket, e.Service, e.Counter, e.StaffID, e.Level, string(dims), ts(e.At)); err != nil {
			return err
		}
		return upd("rating = ?", e.Level)
	case queue.EvCounterOpened:
		_, err := tx.Exec("INSERT OR IGNORE INTO counter_sessions(open_seq, counter, staff_id, opened_at) VALUES (?, ?, ?, ?)",
			e.Seq, e.Counter, e.StaffID, ts(e.At))
		return err
	case queue.EvCounterClosed:
		_, err := tx.Exec("UPDATE counter_sessions SET closed_at = ?, close_seq = ? WHERE counter = ? AND closed_at IS NULL",
			ts(e.At), e.Seq, e.Counter)
		return err
	}
	return nil
}
