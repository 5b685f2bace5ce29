package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// deadlockRetries is how often a batch is tried again at once when InnoDB
// picked it as a deadlock victim or a lock wait timed out (several halls
// writing one database), before it counts as a failure.
const deadlockRetries = 3

// copyBatch writes a batch's events (with their projections) and
// idempotency records to MySQL in one transaction that also moves the
// cursor, then advances the in-memory cursor.
func (r *Replicator) copyBatch(ctx context.Context, b batch) error {
	evs, decoded, reqs := b.raw, b.evs, b.reqs
	start := time.Now()
	var err error
	for try := 0; ; try++ {
		err = r.tryBatch(ctx, evs, decoded, reqs)
		if err == nil || try >= deadlockRetries || !retryable(err) {
			break
		}
		r.log.Debug().Err(err).Int("try", try+1).Msg("mysql batch retried")
	}
	if err != nil {
		return err
	}
	r.m.batch.Observe(time.Since(start).Seconds())
	r.m.events.Add(float64(len(evs)))
	r.m.requests.Add(float64(len(reqs)))
	if len(evs) > 0 {
		r.cursor = evs[len(evs)-1].Seq
		r.synced.Store(r.cursor)
	}
	for _, q := range reqs {
		at := q.At.Unix()
		if at > r.reqFrom {
			r.reqFrom = at
			for k := range r.reqSeen {
				if k.At < at {
					delete(r.reqSeen, k)
				}
			}
		}
		r.reqSeen[store.RequestKey{At: at, Source: q.Source, ReqID: q.ReqID}] = true
	}
	if r.cfg.OnSync != nil {
		r.cfg.OnSync(r.cursor)
	}
	return nil
}

// tryBatch is one attempt at copyBatch's transaction.
func (r *Replicator) tryBatch(ctx context.Context, evs []store.RawEvent, decoded []queue.Event, reqs []store.Request) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.BatchTimeout)
	defer cancel()
	hall := r.cfg.Hall
	tx, err := r.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return fmt.Errorf("mysql begin: %w", err)
	}
	defer tx.Rollback()
	var cur int64
	if err := tx.QueryRowContext(ctx, "SELECT seq FROM replication_cursors WHERE hall = ? FOR UPDATE", hall).Scan(&cur); err != nil {
		return fmt.Errorf("lock mysql cursor: %w", err)
	}
	if cur != r.cursor {
		return fmt.Errorf("%w: expected seq %d, found %d", errCursorMoved, r.cursor, cur)
	}
	newCursor, eventAt := cur, sql.NullTime{}
	if len(evs) > 0 {
		if evs[0].Seq != cur+1 {
			return fmt.Errorf("journal gap: mysql ends at seq %d, the next journal event is %d", cur, evs[0].Seq)
		}
		w := newRows("events", []string{"hall", "seq", "kind", "at", "data"}, "kind = VALUES(kind)")
		for i := range evs {
			w.add(hall, evs[i].Seq, clip(evs[i].Kind, 40), dbTime(decoded[i].At), string(evs[i].Data)) // a string: MySQL refuses binary into JSON
		}
		if err := w.exec(ctx, tx); err != nil {
			return err
		}
		p, err := loadProjection(ctx, tx, hall, decoded)
		if err != nil {
			return err
		}
		for i := range decoded {
			p.Apply(&decoded[i])
		}
		if err := writeProjection(ctx, tx, hall, p); err != nil {
			return err
		}
		newCursor = evs[len(evs)-1].Seq
		eventAt = sql.NullTime{Time: dbTime(decoded[len(decoded)-1].At), Valid: true}
	}
	var reqAt int64
	if len(reqs) > 0 {
		w := newRows("requests", []string{"hall", "source", "req_id", "at", "seq", "response"},
			"at = IF(VALUES(seq) >= seq, VALUES(at), at), response = IF(VALUES(seq) >= seq, VALUES(response), response), seq = GREATEST(seq, VALUES(seq))")
		for _, q := range reqs {
			w.add(hall, clip(q.Source, 128), clip(q.ReqID, 128), dbTime(q.At), q.Seq, validJSON(q.Response))
			reqAt = max(reqAt, q.At.Unix())
		}
		if err := w.exec(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE replication_cursors SET seq = ?, event_at = COALESCE(?, event_at),
		req_at = GREATEST(req_at, ?), updated_at = ? WHERE hall = ?`,
		newCursor, eventAt, reqAt, r.cfg.Clock().UTC(), hall); err != nil {
		return fmt.Errorf("move mysql cursor: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mysql commit: %w", err)
	}
	return nil
}

// decodeEvent decodes a journalled event and sets its seq.
func decodeEvent(raw store.RawEvent) (queue.Event, error) {
	var e queue.Event
	if err := json.Unmarshal(raw.Data, &e); err != nil {
		return e, fmt.Errorf("decode journal event %d: %w", raw.Seq, err)
	}
	e.Seq = raw.Seq
	return e, nil
}

// validJSON returns b, or b wrapped as a JSON string when it is not JSON, so
// that the JSON column never refuses it.
func validJSON(b []byte) string {
	if json.Valid(b) {
		return string(b)
	}
	q, _ := json.Marshal(string(b))
	return string(q)
}

// retryable reports errors worth an immediate retry: deadlock (1213), lock
// wait timeout (1205), TiDB write conflict (9007).
func retryable(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205 || me.Number == 9007)
}
