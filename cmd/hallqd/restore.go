package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/store"
	"github.com/hallq/hallq/store/mysql"
)

func init() { subcommands["restore"] = runRestore }

// journalFiles are the SQLite files of a journal in storage.dir.
func journalFiles() []string { return []string{"journal.db", "journal.db-wal", "journal.db-shm"} }

// runRestore rebuilds the hall's journal in storage.dir from its copy in
// MySQL (storage.mysql_dsn); a normal start then replays it. Stop hallqd
// first: the journal must not be in use.
func runRestore(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("hallqd restore", flag.ContinueOnError)
	fromMySQL := fset.Bool("from-mysql", false, "restore from the MySQL copy at storage.mysql_dsn")
	cfgPath := fset.String("config", "", "hall config file (YAML)")
	force := fset.Bool("force", false, "move a journal with history aside (journal.db.before-restore-TIME) instead of refusing")
	every := fset.Int64("progress", 10000, "print a progress line every N events")
	window := fset.Duration("idempotency-window", 48*time.Hour, "restore the idempotency records answered this long before now")
	if err := fset.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if !*fromMySQL || *cfgPath == "" || fset.NArg() > 0 {
		return &usageError{"usage: hallqd restore --from-mysql --config FILE [--force] [--progress N] [--idempotency-window 48h]"}
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Storage.MySQLDSN == "" {
		return &config.Error{File: cfg.File, Key: "storage.mysql_dsn", Problem: "is empty: there is no MySQL copy to restore from"}
	}
	if c, err := net.DialTimeout("tcp", cfg.Listen.HTTP, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("something answers on listen.http %s: stop hallqd before restoring its journal", cfg.Listen.HTTP)
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05"}).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	dir := cfg.Storage.Dir
	if err := clearJournal(dir, cfg.Hall.ID, *force, log); err != nil {
		return err
	}
	db, err := mysql.Open(cfg.Storage.MySQLDSN, log)
	if err != nil {
		return &config.Error{File: cfg.File, Key: "storage.mysql_dsn", Problem: err.Error()}
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = db.PingContext(pctx)
	cancel()
	if err != nil {
		return fmt.Errorf("mysql %s: %w", mysql.Describe(cfg.Storage.MySQLDSN), err)
	}

	// Restore into a directory of its own and move the journal in only when
	// it is complete: an interrupted restore leaves storage.dir as it was.
	tmp, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return fmt.Errorf("storage.dir %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	j, err := store.Open(tmp, cfg.Hall.ID, log)
	if err != nil {
		return err
	}
	start := time.Now()
	stats, err := mysql.Restore(ctx, db, j, mysql.RestoreOptions{Hall: cfg.Hall.ID, ProgressEvery: *every,
		RequestsSince: time.Now().Add(-*window), Progress: func(done, total int64) {
			fmt.Fprintf(os.Stderr, "restore: %d/%d events (%d%%)\n", done, total, done*100/max(total, 1))
		}})
	if cerr := j.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close restored journal: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("restore hall %s from mysql: %w", cfg.Hall.ID, err)
	}
	for _, name := range journalFiles() {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("move restored journal into %s: %w", dir, err)
		}
	}
	fmt.Fprintf(os.Stderr, "restored hall %s: %d events (last seq %d) and %d idempotency records into %s in %v\n"+
		"start it with: hallqd --config %s\n", cfg.Hall.ID, stats.Events, stats.LastSeq, stats.Requests, dir,
		time.Since(start).Round(time.Millisecond), *cfgPath)
	return nil
}

// clearJournal makes way for the restored journal: no journal, or one with
// no history, is removed; one with history is refused, or with force moved
// aside under a dated name.
func clearJournal(dir, hallID string, force bool, log zerolog.Logger) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("storage.dir %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.db")); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	j, err := store.Open(dir, hallID, log)
	if err != nil {
		if !force {
			return fmt.Errorf("storage.dir %s: %w (use --force to move it aside)", dir, err)
		}
	} else {
		seq, serr := j.DurableSeq()
		reqs, rerr := j.CountRequests()
		j.Close()
		if err := errors.Join(serr, rerr); err != nil {
			return fmt.Errorf("storage.dir %s: %w", dir, err)
		}
		if seq > 0 || reqs > 0 {
			if !force {
				return fmt.Errorf("storage.dir %s already holds a journal (%d events, %d idempotency records): "+
					"refusing to overwrite it; stop hallqd and add --force to move it aside", dir, seq, reqs)
			}
		} else {
			force = false // nothing worth keeping
		}
	}
	suffix := ".before-restore-" + time.Now().Format("20060102T150405")
	for _, name := range journalFiles() {
		from := filepath.Join(dir, name)
		var err error
		if force {
			err = os.Rename(from, from+suffix)
		} else {
			err = os.Remove(from)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make way for the restored journal: %w", err)
		}
	}
	if force {
		fmt.Fprintf(os.Stderr, "moved the old journal aside: %s\n", filepath.Join(dir, "journal.db"+suffix))
	}
	return nil
}
