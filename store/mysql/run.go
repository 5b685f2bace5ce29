package mysql

import (
	"context"
	"math/rand/v2"
	"time"
)

// logEvery is how many failures in a row with the same error share one log
// line (about 5 minutes at the longest backoff).
const logEvery = 30

// Run syncs whenever Notify says new events are durable and at least every
// Interval, until ctx ends. While MySQL fails it retries with capped
// exponential backoff (notifications do not hasten a retry), then catches
// up. It never gives up and never holds the hall back.
func (r *Replicator) Run(ctx context.Context) {
	failures, lastErr := 0, ""
	var downSince time.Time
	timer := time.NewTimer(0) // first sync at once
	defer timer.Stop()
	for {
		notify := r.notify
		if failures > 0 {
			notify = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-notify:
		}
		err := r.Sync(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if failures == 0 {
				downSince = time.Now()
			}
			failures++
			wait := backoff(r.cfg.MinBackoff, r.cfg.MaxBackoff, failures)
			if msg := err.Error(); msg != lastErr || failures%logEvery == 1 {
				r.log.Warn().Err(err).Int("failures", failures).Dur("retry_in", wait).
					Msg("mysql replication failing; the hall goes on and mysql catches up later 复制到MySQL失败")
				lastErr = msg
			}
			timer.Reset(wait)
			continue
		}
		lastErr = ""
		if failures > 0 {
			n, _ := r.Lag()
			r.log.Info().Int("failures", failures).Dur("down_for", time.Since(downSince)).Int64("cursor", r.Cursor()).
				Int64("lag_events", n).Msg("mysql replication caught up 已恢复")
		}
		failures = 0
		timer.Reset(r.cfg.Interval)
	}
}

// backoff is the wait after the nth consecutive failure: min doubling up to
// max, with ±20% jitter so that halls sharing a database do not retry in step.
func backoff(min, max time.Duration, n int) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
