package store

import (
	"context"
	"fmt"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/report/rowsql"
)

// Projector keeps the report rows (report/fold: tickets, calls, ratings,
// cases, counter sessions, staff sign-ins) in the journal database a little
// behind the journal: the same rows the replicator writes to MySQL. Each Sync
// loads the rows a batch touches, folds the batch onto them and writes back
// what changed, advancing the cursor in the same transaction, so every event
// is projected exactly once.
type Projector struct {
	j     *Journal
	hall  string
	batch int
}

// NewProjector makes a projector of hall's journal j.
func NewProjector(j *Journal, hall string) *Projector {
	return &Projector{j: j, hall: hall, batch: 2000}
}

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
	rows, err := rowsql.Load(ctx, tx, p.hall, evs)
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	for i := range evs {
		rows.Apply(&evs[i])
	}
	if err := rowsql.Write(ctx, tx, rowsql.SQLite, p.hall, rows); err != nil {
		return fmt.Errorf("project seq %d-%d: %w", evs[0].Seq, evs[len(evs)-1].Seq, err)
	}
	last := evs[len(evs)-1].Seq
	if _, err := tx.Exec("INSERT INTO cursors(name, seq) VALUES ('projections', ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq", last); err != nil {
		return fmt.Errorf("advance projection cursor: %w", err)
	}
	return tx.Commit()
}
