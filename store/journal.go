// Package store keeps a hall's journal on local disk (SQLite in WAL mode):
// events with a per-hall sequence, idempotency records, snapshots and the
// queryable projections.
package store

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // the SQLite driver

	"github.com/hallq/hallq/queue"
)

// Journal is the durable, append-only log of one hall.
type Journal struct {
	path   string
	w      *sql.DB // one connection: the writer
	r      *sql.DB // readers
	log    zerolog.Logger
	seq    int64  // last appended seq
	crc    uint32 // chain value at seq
	batch  int64  // last batch number
	insEv  *sql.Stmt
	insReq *sql.Stmt
}

// Request is an idempotency record: the response a (source, req_id) got.
type Request struct {
	Source   string
	ReqID    string
	At       time.Time
	Seq      int64
	Response []byte
}

// ErrCorrupt marks a journal damaged before its last batch.
var ErrCorrupt = errors.New("journal corrupted")

// Open opens or creates the journal of hall in dir, migrates it and checks
// its tail: an incomplete or damaged last batch is dropped with a log line.
func Open(dir, hall string, log zerolog.Logger) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, "journal.db")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)" +
		fmt.Sprintf("&_pragma=journal_size_limit(%d)", WALSizeLimit)
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	j := &Journal{path: path, w: w, r: r, log: log}
	if err := j.init(hall); err != nil {
		j.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return j, nil
}

func (j *Journal) init(hall string) error {
	if err := j.w.Ping(); err != nil {
		return fmt.Errorf("%w (is the data dir damaged?)", err)
	}
	var mode string
	if err := j.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("not a readable journal (is the data dir damaged?): %w", err)
	}
	if err := migrate(j.w); err != nil {
		return err
	}
	var owner string
	err := j.w.QueryRow("SELECT value FROM meta WHERE key = 'hall'").Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := j.w.Exec("INSERT INTO meta(key, value) VALUES ('hall', ?)", hall); err != nil {
			return fmt.Errorf("record hall id: %w", err)
		}
	case err != nil:
		return fmt.Errorf("read hall id: %w", err)
	case owner != hall:
		return fmt.Errorf("this data dir belongs to hall %q, not %q", owner, hall)
	}
	if err := j.checkTail(); err != nil {
		return err
	}
	if j.insEv, err = j.w.Prepare("INSERT INTO events(seq, batch, last, kind, data, crc) VALUES (?, ?, ?, ?, ?, ?)"); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if j.insReq, err = j.w.Prepare("INSERT OR IGNORE INTO requests(source, req_id, at, seq, response) VALUES (?, ?, ?, ?, ?)"); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

// checkTail finds the last batch and drops it if it is incomplete or its
// rows do not match their checksums: it was never acknowledged.
func (j *Journal) checkTail() error {
	var top int64 // a batch is a run of consecutive seqs: the last one ends the events
	err := j.w.QueryRow("SELECT seq, batch FROM events ORDER BY seq DESC LIMIT 1").Scan(&top, &j.batch)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		j.batch = 0
		return nil
	case err != nil:
		return fmt.Errorf("read last batch: %w", err)
	}
	var before int64 // the last seq of an earlier batch
	err = j.w.QueryRow("SELECT COALESCE((SELECT seq FROM events WHERE seq <= ? AND batch <> ? ORDER BY seq DESC LIMIT 1), 0)", top, j.batch).Scan(&before)
	if err != nil {
		return fmt.Errorf("read last batch: %w", err)
	}
	first := before + 1
	prev := uint32(0)
	if first > 1 {
		if err := j.w.QueryRow("SELECT crc FROM events WHERE seq = ?", first-1).Scan(&prev); err != nil {
			return fmt.Errorf("%w: seq %d missing before batch %d", ErrCorrupt, first-1, j.batch)
		}
	}
	rows, err := j.w.Query("SELECT seq, last, data, crc FROM events WHERE seq >= ? ORDER BY seq", first)
	if err != nil {
		return fmt.Errorf("read last batch: %w", err)
	}
	crc, want, complete, bad := prev, first, false, ""
	for rows.Next() {
		var seq, last int64
		var data []byte
		var stored uint32
		if err := rows.Scan(&seq, &last, &data, &stored); err != nil {
			rows.Close()
			return fmt.Errorf("read last batch: %w", err)
		}
		switch {
		case seq != want:
			bad = fmt.Sprintf("seq %d missing", want)
		case chain(crc, seq, data) != stored:
			bad = fmt.Sprintf("checksum mismatch at seq %d", seq)
		}
		if bad != "" {
			break
		}
		crc, want, complete = stored, seq+1, last == 1
	}
	rows.Close()
	if bad == "" && !complete {
		bad = "no end-of-batch mark"
	}
	if bad == "" {
		j.seq, j.crc = want-1, crc
		return nil
	}
	j.log.Warn().Int64("batch", j.batch).Int64("from_seq", first).Str("problem", bad).
		Msg("journal: dropping the incomplete last batch; it was never acknowledged 丢弃未完成的最后一批")
	tx, err := j.w.Begin()
	if err != nil {
		return fmt.Errorf("drop batch: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("DELETE FROM events WHERE seq >= ?", first); err != nil {
		return fmt.Errorf("drop batch: %w", err)
	}
	if _, err := tx.Exec("DELETE FROM requests WHERE seq >= ?", first); err != nil {
		return fmt.Errorf("drop batch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("drop batch: %w", err)
	}
	return j.checkTail()
}

// chain extends the checksum chain by one row.
func chain(prev uint32, seq int64, data []byte) uint32 {
	var b [12]byte
	binary.LittleEndian.PutUint32(b[:4], prev)
	binary.LittleEndian.PutUint64(b[4:], uint64(seq))
	return crc32.Update(crc32.ChecksumIEEE(b[:]), crc32.IEEETable, data)
}

// LastSeq is the seq of the last durable event.
func (j *Journal) LastSeq() int64 { return j.seq }

// Append makes a batch of events and idempotency records durable in one
// commit (one fsync). Events must continue the sequence without a gap.
func (j *Journal) Append(evs []queue.Event, reqs []Request) error {
	if len(evs) == 0 && len(reqs) == 0 {
		return nil
	}
	tx, err := j.w.Begin()
	if err != nil {
		j.resetTx()
		return fmt.Errorf("journal append: %w", err)
	}
	defer tx.Rollback()
	seq, crc, batch := j.seq, j.crc, j.batch+1
	insEv, insReq := tx.Stmt(j.insEv), tx.Stmt(j.insReq)
	for i := range evs {
		e := &evs[i]
		if e.Seq != seq+1 {
			return fmt.Errorf("journal append: seq %d after %d", e.Seq, seq)
		}
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("journal append: encode seq %d: %w", e.Seq, err)
		}
		seq, crc = e.Seq, chain(crc, e.Seq, data)
		last := 0
		if i == len(evs)-1 {
			last = 1
		}
		if _, err := insEv.Exec(seq, batch, last, string(e.Kind), data, crc); err != nil {
			return fmt.Errorf("journal append seq %d: %w", seq, err)
		}
	}
	for _, r := range reqs {
		if _, err := insReq.Exec(r.Source, r.ReqID, r.At.Unix(), r.Seq, r.Response); err != nil {
			return fmt.Errorf("journal append request: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		j.resetTx()
		return fmt.Errorf("journal commit: %w", err)
	}
	if len(evs) > 0 {
		j.seq, j.crc, j.batch = seq, crc, batch
	}
	return nil
}

// Replay calls fn for every event after seq, in order, checking the chain.
func (j *Journal) Replay(after int64, fn func(e *queue.Event) error) error {
	prev := uint32(0)
	if after > 0 {
		if err := j.r.QueryRow("SELECT crc FROM events WHERE seq = ?", after).Scan(&prev); err != nil {
			return fmt.Errorf("%w: seq %d missing: %v", ErrCorrupt, after, err)
		}
	}
	rows, err := j.r.Query("SELECT seq, data, crc FROM events WHERE seq > ? ORDER BY seq", after)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer rows.Close()
	want := after + 1
	for rows.Next() {
		var seq int64
		var data []byte
		var stored uint32
		if err := rows.Scan(&seq, &data, &stored); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if seq != want {
			return fmt.Errorf("%w: seq %d missing", ErrCorrupt, want)
		}
		if chain(prev, seq, data) != stored {
			return fmt.Errorf("%w: checksum mismatch at seq %d; restore from MySQL (hallqd restore --from-mysql) or a backup", ErrCorrupt, seq)
		}
		var e queue.Event
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("%w: seq %d: %v", ErrCorrupt, seq, err)
		}
		e.Seq = seq
		if err := fn(&e); err != nil {
			return err
		}
		prev, want = stored, seq+1
	}
	return rows.Err()
}

// EventsAfter returns up to limit events after seq, for screens resuming and
// for replication.
func (j *Journal) EventsAfter(after int64, limit int) ([]queue.Event, error) {
	rows, err := j.r.Query("SELECT seq, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []queue.Event
	for rows.Next() {
		var e queue.Event
		var data []byte
		if err := rows.Scan(&e.Seq, &data); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RawEventsAfter returns up to limit events after seq as stored (JSON), for replication.
func (j *Journal) RawEventsAfter(after int64, limit int) ([]RawEvent, error) {
	rows, err := j.r.Query("SELECT seq, kind, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []RawEvent
	for rows.Next() {
		var e RawEvent
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Data); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RawEvent is a journalled event as stored.
type RawEvent struct {
	Seq  int64
	Kind string
	Data []byte
}

// Requests calls fn for every idempotency record answered at or after since.
func (j *Journal) Requests(since time.Time, fn func(Request)) error {
	rows, err := j.r.Query("SELECT source, req_id, at, seq, response FROM requests WHERE at >= ?", since.Unix())
	if err != nil {
		return fmt.Errorf("read requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Request
		var at int64
		if err := rows.Scan(&r.Source, &r.ReqID, &at, &r.Seq, &r.Response); err != nil {
			return fmt.Errorf("read requests: %w", err)
		}
		r.At = time.Unix(at, 0)
		fn(r)
	}
	return rows.Err()
}

// RequestKeys calls fn for the (source, req_id, at) of every idempotency
// record answered at or after since, without reading the responses.
func (j *Journal) RequestKeys(since time.Time, fn func(source, reqID string, at time.Time)) error {
	rows, err := j.r.Query("SELECT source, req_id, at FROM requests WHERE at >= ?", since.Unix())
	if err != nil {
		return fmt.Errorf("read request keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var source, reqID string
		var at int64
		if err := rows.Scan(&source, &reqID, &at); err != nil {
			return fmt.Errorf("read request keys: %w", err)
		}
		fn(source, reqID, time.Unix(at, 0))
	}
	return rows.Err()
}

// Response returns the recorded response of (source, reqID); ok is false
// when there is no record. It reads through the writer's connection, which
// the hall's writer waits for anyway, never behind a long report query.
func (j *Journal) Response(source, reqID string) (body []byte, ok bool, err error) {
	err = j.w.QueryRow("SELECT response FROM requests WHERE source = ? AND req_id = ?", source, reqID).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("read response of %s %q: %w", source, reqID, err)
	}
	return body, true, nil
}

// PruneRequests forgets idempotency records answered before t.
func (j *Journal) PruneRequests(before time.Time) (int64, error) {
	res, err := j.w.Exec("DELETE FROM requests WHERE at < ?", before.Unix())
	if err != nil {
		return 0, fmt.Errorf("prune requests: %w", err)
	}
	return res.RowsAffected()
}

// SaveSnapshot stores the encoded state after seq (which must be durable).
func (j *Journal) SaveSnapshot(seq int64, data []byte) error {
	var crc uint32
	if err := j.w.QueryRow("SELECT crc FROM events WHERE seq = ?", seq).Scan(&crc); err != nil {
		return fmt.Errorf("snapshot at %d: %w", seq, err)
	}
	if _, err := j.w.Exec("INSERT OR REPLACE INTO snapshots(seq, crc, data) VALUES (?, ?, ?)", seq, crc, data); err != nil {
		return fmt.Errorf("save snapshot at %d: %w", seq, err)
	}
	_, err := j.w.Exec("DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)")
	if err != nil {
		return fmt.Errorf("prune snapshots: %w", err)
	}
	return nil
}

// LatestSnapshot returns the newest snapshot, or seq 0 and nil data.
func (j *Journal) LatestSnapshot() (int64, []byte, error) {
	var seq int64
	var data []byte
	err := j.r.QueryRow("SELECT seq, data FROM snapshots ORDER BY seq DESC LIMIT 1").Scan(&seq, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read snapshot: %w", err)
	}
	return seq, data, nil
}

// DB is the reading handle, for projections and reports.
func (j *Journal) DB() *sql.DB { return j.r }

// WriteDB is the writing handle, for the projector.
func (j *Journal) WriteDB() *sql.DB { return j.w }

// Close closes the journal.
func (j *Journal) Close() error {
	var errs []error
	if j.r != nil {
		errs = append(errs, j.r.Close())
	}
	if j.w != nil {
		errs = append(errs, j.w.Close())
	}
	return errors.Join(errs...)
}
