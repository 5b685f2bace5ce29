package mysql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hallq/hallq/store"
)

// The MySQL cursor: how far a hall has been copied, read at start and after
// every error, and checked against the journal before anything is written.

// ErrDiverged means MySQL holds a different history for this hall than the
// local journal: replication stops rather than mix them.
var ErrDiverged = errors.New("mysql holds a different history for this hall than the local journal")

// errCursorMoved means another writer changed this hall's cursor.
var errCursorMoved = errors.New("the mysql cursor moved under this replicator (is a second hallqd replicating this hall?)")

// readCursor asks MySQL how far this hall has been copied and checks that
// MySQL's last event is the journal's event at that seq.
func (r *Replicator) readCursor(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.BatchTimeout)
	defer cancel()
	if _, err := r.db.ExecContext(ctx, "INSERT IGNORE INTO replication_cursors (hall, seq, req_at, updated_at) VALUES (?, 0, 0, ?)",
		r.cfg.Hall, r.cfg.Clock().UTC()); err != nil {
		return fmt.Errorf("create mysql cursor: %w", err)
	}
	var cur, reqAt int64
	if err := r.db.QueryRowContext(ctx, "SELECT seq, req_at FROM replication_cursors WHERE hall = ?", r.cfg.Hall).Scan(&cur, &reqAt); err != nil {
		return fmt.Errorf("read mysql cursor: %w", err)
	}
	if err := r.checkSameHistory(ctx, cur); err != nil {
		return err
	}
	r.cursor, r.reqFrom, r.reqSeen = cur, reqAt, map[store.RequestKey]bool{}
	r.synced.Store(cur)
	return nil
}

// checkSameHistory compares MySQL's event at seq with the journal's.
func (r *Replicator) checkSameHistory(ctx context.Context, seq int64) error {
	if seq == 0 {
		return nil
	}
	local, err := r.j.RawEventsAfter(seq-1, 1)
	if err != nil {
		return err
	}
	if len(local) == 0 || local[0].Seq != seq {
		last, _ := r.j.DurableSeq()
		return fmt.Errorf("%w: mysql has hall %s up to seq %d, the local journal only up to %d "+
			"(to continue from mysql's copy: hallqd restore --from-mysql --force)", ErrDiverged, r.cfg.Hall, seq, last)
	}
	var kind string
	var at time.Time
	if err := r.db.QueryRowContext(ctx, "SELECT kind, at FROM events WHERE hall = ? AND seq = ?", r.cfg.Hall, seq).Scan(&kind, &at); err != nil {
		return fmt.Errorf("read mysql event %d: %w", seq, err)
	}
	e, err := decodeEvent(local[0])
	if err != nil {
		return err
	}
	if kind != local[0].Kind || !at.Equal(dbTime(e.At)) {
		return fmt.Errorf("%w: at seq %d mysql has %s at %s, the journal %s at %s", ErrDiverged, seq,
			kind, at.Format(time.RFC3339Nano), local[0].Kind, e.At.UTC().Format(time.RFC3339Nano))
	}
	return nil
}
