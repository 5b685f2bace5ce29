package evalpush

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// Source is where the pusher reads the journal.
type Source interface {
	EventsAfter(seq int64, limit int) ([]queue.Event, error)
}

// Config wires a pusher.
type Config struct {
	URL        string // the platform's endpoint; records are POSTed one at a time
	Token      string // sent as "Authorization: Bearer TOKEN" when set
	Target     string // the level code table (queue.TargetProvincial by default)
	Spec       *queue.Spec
	Journal    Source
	LastSeq    func() int64 // the journal's last durable seq
	CursorPath string       // the cursor file, in the storage dir
	Client     *http.Client // nil = 10 s timeout
	Log        zerolog.Logger
	Registerer prometheus.Registerer // nil = no metrics
	MinBackoff time.Duration         // 0 = 1 s
	MaxBackoff time.Duration         // 0 = 5 min
	Clock      func() time.Time      // nil = time.Now
}

// Pusher delivers records in journal order, at least once.
type Pusher struct {
	cfg    Config
	cursor cursorFile
	notify chan struct{}
	m      *metrics

	mu        sync.Mutex
	seq       int64     // last event delivered or skipped
	saved     int64     // last seq written to the cursor file
	pending   time.Time // when the oldest undelivered record was made (zero = none)
	lastErr   error
	lastOK    time.Time
	failures  int
	delivered int64
}

// New loads the cursor and returns a pusher; Run starts it.
func New(cfg Config) (*Pusher, error) {
	if cfg.Target == "" {
		cfg.Target = queue.TargetProvincial
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	p := &Pusher{cfg: cfg, cursor: cursorFile{cfg.CursorPath}, notify: make(chan struct{}, 1), m: newMetrics(cfg.Registerer)}
	st, err := p.cursor.load()
	if err != nil {
		return nil, err
	}
	p.seq, p.saved = st.Seq, st.Seq
	return p, nil
}

// Notify tells the pusher the journal grew; it never blocks.
func (p *Pusher) Notify() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Run pushes until ctx ends: after each notify or every few seconds, and
// after a failure again with exponential backoff.
func (p *Pusher) Run(ctx context.Context) {
	backoff := time.Duration(0)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		err := p.Sync(ctx)
		var wait <-chan time.Time
		if err != nil {
			if backoff == 0 {
				backoff = p.cfg.MinBackoff
			} else if backoff *= 2; backoff > p.cfg.MaxBackoff {
				backoff = p.cfg.MaxBackoff
			}
			p.cfg.Log.Warn().Err(err).Dur("retry_in", backoff).Msg("好差评 push failed; retrying")
			t := time.NewTimer(backoff)
			wait = t.C
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-wait:
			}
			continue
		}
		backoff = 0
		select {
		case <-ctx.Done():
			return
		case <-p.notify:
		case <-tick.C:
		}
	}
}

// Sync delivers every record after the cursor, in order, and stops at the
// first failure (the record is sent again next time).
func (p *Pusher) Sync(ctx context.Context) error {
	for {
		p.mu.Lock()
		after := p.seq
		p.mu.Unlock()
		evs, err := p.cfg.Journal.EventsAfter(after, 256)
		if err != nil {
			return p.failed(fmt.Errorf("read journal: %w", err))
		}
		if len(evs) == 0 {
			p.observe()
			return p.save(false)
		}
		for i := range evs {
			e := &evs[i]
			rec, ok := RecordOf(p.cfg.Spec, p.cfg.Target, e)
			if ok {
				p.mu.Lock()
				if p.pending.IsZero() {
					p.pending = e.At
				}
				p.mu.Unlock()
				if err := p.post(ctx, rec); err != nil {
					p.save(false)
					return p.failed(fmt.Errorf("push %s %s (seq %d): %w", rec.Type, rec.RatingID, e.Seq, err))
				}
			}
			p.mu.Lock()
			p.seq = e.Seq
			if ok {
				p.delivered++
				p.pending, p.lastOK, p.lastErr, p.failures = time.Time{}, p.cfg.Clock(), nil, 0
			}
			p.mu.Unlock()
			if ok {
				if err := p.save(true); err != nil {
					return p.failed(err)
				}
				if p.m != nil {
					p.m.sent.WithLabelValues(rec.Type).Inc()
				}
			}
		}
	}
}

// save writes the cursor: always after a delivery, and after skipped events
// only when it moved (a crash then re-reads a few events, sending nothing twice
// that was not sent before).
func (p *Pusher) save(delivered bool) error {
	p.mu.Lock()
	seq, saved := p.seq, p.saved
	p.mu.Unlock()
	if seq == saved || (!delivered && seq-saved < 1024) {
		return nil
	}
	if err := p.cursor.save(cursorState{Seq: seq, URL: p.cfg.URL}); err != nil {
		return err
	}
	p.mu.Lock()
	p.saved = seq
	p.mu.Unlock()
	return nil
}

func (p *Pusher) post(ctx context.Context, rec Record) error {
	body, _ := json.Marshal(rec)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", rec.Type+":"+rec.RatingID)
	if p.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("endpoint answered HTTP %d", resp.StatusCode)
	}
	return nil
}

func (p *Pusher) failed(err error) error {
	p.mu.Lock()
	p.lastErr = err
	p.failures++
	p.mu.Unlock()
	if p.m != nil {
		p.m.failures.Inc()
	}
	p.observe()
	return err
}

// Status is the pusher's progress, for /readyz detail.
type Status struct {
	URL           string     `json:"url"`
	Cursor        int64      `json:"cursor_seq"`
	LagEvents     int64      `json:"lag_events"`      // journal events not yet looked at
	OldestUnsentS *float64   `json:"oldest_unsent_s"` // age of the oldest undelivered record
	Delivered     int64      `json:"delivered"`       // since start
	Failures      int        `json:"consecutive_failures"`
	LastOK        *time.Time `json:"last_ok,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// Status reports the pusher's progress.
func (p *Pusher) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := Status{URL: p.cfg.URL, Cursor: p.seq, Delivered: p.delivered, Failures: p.failures}
	if p.cfg.LastSeq != nil {
		st.LagEvents = max(p.cfg.LastSeq()-p.seq, 0)
	}
	if !p.pending.IsZero() {
		s := p.cfg.Clock().Sub(p.pending).Seconds()
		st.OldestUnsentS = &s
	}
	if !p.lastOK.IsZero() {
		t := p.lastOK
		st.LastOK = &t
	}
	if p.lastErr != nil {
		st.LastError = p.lastErr.Error()
	}
	return st
}

func (p *Pusher) observe() {
	if p.m == nil {
		return
	}
	st := p.Status()
	p.m.lag.Set(float64(st.LagEvents))
	p.m.cursor.Set(float64(st.Cursor))
	if st.OldestUnsentS != nil {
		p.m.oldest.Set(*st.OldestUnsentS)
	} else {
		p.m.oldest.Set(0)
	}
}
