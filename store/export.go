package store

import (
	"fmt"
	"time"
)

// Read helpers for copying the journal elsewhere (store/mysql): they use the
// reading handle only, so any goroutine may call them while the hall appends.

// DurableSeq is the seq of the last committed event, read from disk; unlike
// LastSeq it is safe to call from any goroutine.
func (j *Journal) DurableSeq() (int64, error) {
	var seq int64
	if err := j.r.QueryRow("SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&seq); err != nil {
		return 0, fmt.Errorf("read last seq: %w", err)
	}
	return seq, nil
}

// RequestKey is a position in the idempotency records ordered by (at, source,
// req_id), for paging through them.
type RequestKey struct {
	At     int64 // unix seconds
	Source string
	ReqID  string
}

// After is the smallest key greater than k.
func (k RequestKey) After() RequestKey { return RequestKey{k.At, k.Source, k.ReqID + "\x00"} }

// RequestsFrom returns up to limit idempotency records at or after key in
// (at, source, req_id) order, for replication.
func (j *Journal) RequestsFrom(key RequestKey, limit int) ([]Request, error) {
	rows, err := j.r.Query(`SELECT source, req_id, at, seq, response FROM requests
		WHERE (at, source, req_id) >= (?, ?, ?) ORDER BY at, source, req_id LIMIT ?`,
		key.At, key.Source, key.ReqID, limit)
	if err != nil {
		return nil, fmt.Errorf("read requests from %d: %w", key.At, err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var at int64
		if err := rows.Scan(&r.Source, &r.ReqID, &at, &r.Seq, &r.Response); err != nil {
			return nil, fmt.Errorf("read requests: %w", err)
		}
		r.At = time.Unix(at, 0)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRequests is how many idempotency records the journal holds.
func (j *Journal) CountRequests() (int64, error) {
	var n int64
	if err := j.r.QueryRow("SELECT COUNT(*) FROM requests").Scan(&n); err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}
