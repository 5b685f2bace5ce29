package store

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// WALSizeLimit is the size SQLite truncates the journal's write-ahead log
// to after a checkpoint (PRAGMA journal_size_limit), so that the WAL cannot
// keep the disk space of a busy moment for good (docs/robustness.md).
const WALSizeLimit = 64 << 20

// Checkpoint copies the write-ahead log into the database and truncates it
// (PRAGMA wal_checkpoint(TRUNCATE)); the hall runs it from its writer, so no
// append waits behind it.
func (j *Journal) Checkpoint() error {
	var busy, logPages, done int
	if err := j.w.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("journal checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("journal checkpoint: readers kept %d of %d pages", logPages-done, logPages)
	}
	return nil
}

// WALBytes is the size of the write-ahead log file now.
func (j *Journal) WALBytes() int64 {
	fi, err := os.Stat(j.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Probe makes one small durable write (a row in meta) to learn whether the
// journal can take appends again, e.g. after the disk was full.
func (j *Journal) Probe() error {
	tx, err := j.w.Begin()
	if err != nil {
		j.resetTx()
		return fmt.Errorf("journal probe: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('probe', ?)", time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("journal probe: %w", err)
	}
	if err := tx.Commit(); err != nil {
		j.resetTx()
		return fmt.Errorf("journal probe commit: %w", err)
	}
	return nil
}

// resetTx ends a transaction SQLite may have kept open after a failed
// COMMIT (e.g. SQLITE_FULL): database/sql forgets the transaction once
// Commit returns, and the next BEGIN on the one writer connection would fail
// for good ("cannot start a transaction within a transaction").
func (j *Journal) resetTx() {
	_, _ = j.w.Exec("ROLLBACK") // "no transaction is active" is the usual answer
}

// FreeBytes is the space left for an unprivileged writer on dir's file system.
func FreeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
