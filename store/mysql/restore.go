package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// RestoreOptions say what Restore copies back.
type RestoreOptions struct {
	Hall string
	// EventsPerAppend is how many events share one journal commit; 0 = 1,000.
	EventsPerAppend int
	// RequestsSince drops idempotency records answered before it (the hall
	// only keeps 48 hours of them); zero = all.
	RequestsSince time.Time
	// Progress, if set, is called every ProgressEvery events and at the end.
	Progress      func(done, total int64)
	ProgressEvery int64 // 0 = 10,000
}

// RestoreStats is what Restore copied.
type RestoreStats struct {
	Events   int64
	LastSeq  int64
	Requests int64
}

// ErrJournalNotEmpty refuses to restore over a journal that has history.
var ErrJournalNotEmpty = errors.New("the local journal is not empty")

// Restore rebuilds a hall's journal from MySQL: every event in seq order,
// then the idempotency records the events cover. j must be freshly created
// and empty; replaying it (hall.Open) gives the state the hall had at
// MySQL's last event. MySQL is only read.
func Restore(ctx context.Context, db *sql.DB, j *store.Journal, opt RestoreOptions) (RestoreStats, error) {
	var st RestoreStats
	if opt.EventsPerAppend <= 0 {
		opt.EventsPerAppend = 1000
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 10000
	}
	last, err := j.DurableSeq()
	if err != nil {
		return st, err
	}
	nreq, err := j.CountRequests()
	if err != nil {
		return st, err
	}
	if last > 0 || nreq > 0 {
		return st, fmt.Errorf("%w: it holds %d events and %d idempotency records", ErrJournalNotEmpty, last, nreq)
	}
	var count, maxSeq int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events WHERE hall = ?", opt.Hall).Scan(&count, &maxSeq); err != nil {
		return st, fmt.Errorf("count mysql events of hall %s: %w", opt.Hall, err)
	}
	if count == 0 {
		return st, fmt.Errorf("mysql holds no events of hall %q", opt.Hall)
	}
	if count != maxSeq {
		return st, fmt.Errorf("mysql's copy of hall %s has gaps: %d events up to seq %d", opt.Hall, count, maxSeq)
	}
	if err := restoreEvents(ctx, db, j, opt, maxSeq, &st); err != nil {
		return st, err
	}
	if err := restoreRequests(ctx, db, j, opt, &st); err != nil {
		return st, err
	}
	return st, nil
}

// restoreEvents appends MySQL's events 1..total to j.
func restoreEvents(ctx context.Context, db *sql.DB, j *store.Journal, opt RestoreOptions, total int64, st *RestoreStats) error {
	const page = 5000
	var pending []queue.Event
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := j.Append(pending, nil); err != nil {
			return fmt.Errorf("append to journal: %w", err)
		}
		pending = pending[:0]
		return nil
	}
	for st.LastSeq < total {
		rows, err := db.QueryContext(ctx, "SELECT seq, data FROM events WHERE hall = ? AND seq > ? ORDER BY seq LIMIT ?",
			opt.Hall, st.LastSeq, page)
		if err != nil {
			return fmt.Errorf("read mysql events after %d: %w", st.LastSeq, err)
		}
		n := 0
		for rows.Next() {
			var seq int64
			var data []byte
			if err := rows.Scan(&seq, &data); err != nil {
				rows.Close()
				return fmt.Errorf("read mysql events: %w", err)
			}
			if seq != st.LastSeq+1 {
				rows.Close()
				return fmt.Errorf("mysql's copy of hall %s lacks seq %d", opt.Hall, st.LastSeq+1)
			}
			var e queue.Event
			if err := json.Unmarshal(data, &e); err != nil {
				rows.Close()
				return fmt.Errorf("decode mysql event %d: %w", seq, err)
			}
			e.Seq = seq
			pending = append(pending, e)
			st.LastSeq, st.Events = seq, st.Events+1
			n++
			if len(pending) >= opt.EventsPerAppend {
				if err := flush(); err != nil {
					rows.Close()
					return err
				}
			}
			if opt.Progress != nil && st.Events%opt.ProgressEvery == 0 {
				opt.Progress(st.Events, total)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read mysql events: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("mysql's copy of hall %s ends at seq %d, expected %d", opt.Hall, st.LastSeq, total)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if opt.Progress != nil && st.Events%opt.ProgressEvery != 0 {
		opt.Progress(st.Events, total)
	}
	return nil
}

// restoreRequests appends the idempotency records answered by the restored
// events: a record past the last event would answer a retry with a ticket
// the restored hall never issued.
func restoreRequests(ctx context.Context, db *sql.DB, j *store.Journal, opt RestoreOptions, st *RestoreStats) error {
	since := opt.RequestsSince
	if since.Before(time.Unix(0, 0)) {
		since = time.Unix(0, 0)
	}
	rows, err := db.QueryContext(ctx, "SELECT source, req_id, at, seq, response FROM requests WHERE hall = ? AND at >= ? AND seq <= ? ORDER BY at",
		opt.Hall, since.UTC(), st.LastSeq)
	if err != nil {
		return fmt.Errorf("read mysql idempotency records: %w", err)
	}
	defer rows.Close()
	var batch []store.Request
	for rows.Next() {
		var q store.Request
		var resp string
		if err := rows.Scan(&q.Source, &q.ReqID, &q.At, &q.Seq, &resp); err != nil {
			return fmt.Errorf("read mysql idempotency records: %w", err)
		}
		q.Response = []byte(resp)
		batch = append(batch, q)
		if len(batch) == opt.EventsPerAppend {
			if err := j.Append(nil, batch); err != nil {
				return fmt.Errorf("append idempotency records: %w", err)
			}
			st.Requests += int64(len(batch))
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read mysql idempotency records: %w", err)
	}
	if len(batch) > 0 {
		if err := j.Append(nil, batch); err != nil {
			return fmt.Errorf("append idempotency records: %w", err)
		}
		st.Requests += int64(len(batch))
	}
	return nil
}
