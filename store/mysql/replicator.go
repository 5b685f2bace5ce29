package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/store"
)

// Config wires a Replicator.
type Config struct {
	DSN     string // go-sql-driver/mysql DSN
	Hall    string
	Journal *store.Journal
	Catalog Catalog

	BatchSize    int           // events per MySQL transaction; 0 = 500
	Interval     time.Duration // sync at least this often when idle; 0 = 1 s
	MinBackoff   time.Duration // first retry after a failure; 0 = 250 ms
	MaxBackoff   time.Duration // retry interval cap while MySQL is down; 0 = 10 s
	BatchTimeout time.Duration // bound on one transaction; 0 = 30 s
	MaxLagEvents int64         // readiness fails past this lag; 0 = 10,000
	MaxLag       time.Duration // readiness fails past this lag; 0 = 2 min

	Clock      func() time.Time // nil = time.Now
	Log        zerolog.Logger
	Registerer prometheus.Registerer // nil = no metrics
	// OnSync, if set, is called after each committed transaction with the
	// new cursor (tests and benchmarks). It must not block.
	OnSync func(cursor int64)
}

// Replicator copies one hall's journal to MySQL: events, their projections
// and idempotency records, in order, idempotently, one transaction per
// batch, catching up after any outage. The hall never waits for it.
type Replicator struct {
	cfg    Config
	db     *sql.DB
	j      *store.Journal
	log    zerolog.Logger
	m      *metrics
	notify chan struct{}

	mu       sync.Mutex // one Sync at a time; guards the fields below
	prepared bool       // schema migrated and catalog written
	cursor   int64      // last seq in MySQL; -1 = ask MySQL
	reqFrom  int64      // unix second: idempotency records before it are in MySQL
	reqSeen  map[store.RequestKey]bool

	synced  atomic.Int64 // last cursor known committed; -1 before the first read
	status  atomic.Pointer[syncStatus]
	lagSeen atomic.Pointer[lag] // the last lag computed, for when the journal is closed
}

// syncStatus is the outcome of the last Sync.
type syncStatus struct{ err error }

type lag struct {
	events int64
	age    time.Duration
}

// New returns a replicator; it does not connect: the first Sync does.
func New(cfg Config) (*Replicator, error) {
	if cfg.Hall == "" || cfg.Journal == nil {
		return nil, errors.New("mysql replicator: hall and journal are required")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = 30 * time.Second
	}
	if cfg.MaxLagEvents <= 0 {
		cfg.MaxLagEvents = 10000
	}
	if cfg.MaxLag <= 0 {
		cfg.MaxLag = 2 * time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	db, err := Open(cfg.DSN, cfg.Log)
	if err != nil {
		return nil, err
	}
	r := &Replicator{cfg: cfg, db: db, j: cfg.Journal, log: cfg.Log, notify: make(chan struct{}, 1), cursor: -1}
	r.synced.Store(-1)
	r.status.Store(&syncStatus{err: errors.New("not connected to mysql yet")})
	r.m = newMetrics(cfg.Registerer, r)
	return r, nil
}

// Notify tells the replicator that new events are durable. It never blocks,
// so it may be called from the hall's writer (hall.Subscribe).
func (r *Replicator) Notify() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Cursor is the last seq known to be committed in MySQL (-1 before the
// first contact).
func (r *Replicator) Cursor() int64 { return r.synced.Load() }

// Close releases the connection pool. Stop Run first.
func (r *Replicator) Close() error { return r.db.Close() }

// Sync copies everything the journal holds beyond the MySQL cursor, one
// transaction per batch, and returns when MySQL has caught up with the
// journal as it was when Sync started, or at the first error. After an error
// the cursor is read again from MySQL.
func (r *Replicator) Sync(ctx context.Context) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.record(err) }()
	if !r.prepared {
		if err := r.prepare(ctx); err != nil {
			return err
		}
	}
	if r.cursor < 0 {
		if err := r.readCursor(ctx); err != nil {
			r.prepared = false
			return err
		}
	}
	target, err := r.j.DurableSeq()
	if err != nil {
		return err
	}
	seen := make(map[store.RequestKey]bool, len(r.reqSeen))
	for k := range r.reqSeen {
		seen[k] = true
	}
	rctx, stop := context.WithCancel(ctx)
	batches := r.readAhead(rctx, r.cursor, target, store.RequestKey{At: r.reqFrom}, seen)
	defer func() {
		stop()
		for range batches { // let the reader finish
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := r.copyBatch(ctx, b); err != nil {
			r.cursor, r.prepared = -1, false
			return err
		}
	}
	return ctx.Err()
}

// prepare migrates the schema and writes the hall's catalog.
func (r *Replicator) prepare(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.BatchTimeout)
	defer cancel()
	if err := Migrate(ctx, r.db, r.log); err != nil {
		return err
	}
	if err := upsertCatalog(ctx, r.db, r.cfg.Hall, r.cfg.Catalog, r.cfg.Clock().UTC()); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	r.prepared = true
	return nil
}

// record keeps the outcome of a Sync for Ready and the metrics.
func (r *Replicator) record(err error) {
	r.status.Store(&syncStatus{err: err})
	if err != nil {
		r.m.errors.Inc()
		r.m.up.Set(0)
		return
	}
	r.m.up.Set(1)
}
