package devices

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver
)

// refusals is the record of requests refused before they reached the hall
// (bad_request, forbidden), kept beside the journal in {storage.dir}/devices.db.
// The hall records every request it carries out; with this record a repeated
// req_id gets the first response also when the first was a refusal and
// hallqd restarted in between (CONTRACT §2 idempotency). A refusal changes
// nothing, so it is written without an fsync of its own (WAL, synchronous
// NORMAL): it survives kill -9, and a power cut loses at most the last
// refusals, which a retry with the same payload gets again anyway.
type refusals struct {
	db  *sql.DB
	ins *sql.Stmt
}

const refusalsSchema = `CREATE TABLE IF NOT EXISTS refusals (
	device TEXT NOT NULL,
	req_id TEXT NOT NULL,
	at     INTEGER NOT NULL, -- unix seconds
	body   BLOB NOT NULL,    -- the response as published
	PRIMARY KEY (device, req_id)
)`

func openRefusals(dir string) (*refusals, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "devices.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(refusalsSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create refusals table in %s: %w", path, err)
	}
	ins, err := db.Prepare("INSERT OR IGNORE INTO refusals (device, req_id, at, body) VALUES (?, ?, ?, ?)")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare refusals insert: %w", err)
	}
	return &refusals{db: db, ins: ins}, nil
}

// add makes one refusal durable.
func (r *refusals) add(device, reqID string, at time.Time, body []byte) error {
	if _, err := r.ins.Exec(device, reqID, at.Unix(), body); err != nil {
		return fmt.Errorf("record refusal: %w", err)
	}
	return nil
}

// load drops refusals older than since and lists the others.
func (r *refusals) load(since time.Time, fn func(device, reqID string, at time.Time, body []byte)) error {
	if _, err := r.db.Exec("DELETE FROM refusals WHERE at < ?", since.Unix()); err != nil {
		return fmt.Errorf("prune refusals: %w", err)
	}
	rows, err := r.db.Query("SELECT device, req_id, at, body FROM refusals ORDER BY at")
	if err != nil {
		return fmt.Errorf("read refusals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var device, reqID string
		var at int64
		var body []byte
		if err := rows.Scan(&device, &reqID, &at, &body); err != nil {
			return fmt.Errorf("read refusals: %w", err)
		}
		fn(device, reqID, time.Unix(at, 0), body)
	}
	return rows.Err()
}

func (r *refusals) close() error {
	r.ins.Close()
	return r.db.Close()
}
