package mysql

import (
	"context"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// batch is what one MySQL transaction copies: journal events, raw and
// decoded, and idempotency records. err ends the reading.
type batch struct {
	raw  []store.RawEvent
	evs  []queue.Event
	reqs []store.Request
	err  error
}

// readAhead reads the journal after seq after (events up to at least
// target) and the idempotency records from reqPos on, skipping those in
// seen, into batches on its own goroutine, one batch ahead of the copy: the
// journal is read and decoded while MySQL works on the batch before. The
// channel closes at the end, after an error, or when ctx ends.
func (r *Replicator) readAhead(ctx context.Context, after, target int64, reqPos store.RequestKey, seen map[store.RequestKey]bool) <-chan batch {
	out := make(chan batch, 1)
	go func() {
		defer close(out)
		reqsDone := false
		for {
			var b batch
			if after < target {
				b.raw, b.err = r.j.RawEventsAfter(after, r.cfg.BatchSize)
				b.evs = make([]queue.Event, len(b.raw))
				for i := 0; i < len(b.raw) && b.err == nil; i++ {
					b.evs[i], b.err = decodeEvent(b.raw[i])
				}
			}
			if b.err == nil && !reqsDone {
				b.reqs, reqPos, reqsDone, b.err = nextRequests(r.j, reqPos, r.cfg.BatchSize, seen)
			}
			if b.err == nil && len(b.raw) == 0 && len(b.reqs) == 0 {
				return
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil {
				return
			}
			if len(b.raw) > 0 {
				after = b.raw[len(b.raw)-1].Seq
			}
		}
	}()
	return out
}

// nextRequests returns up to limit idempotency records from pos on that are
// not in seen, where to continue, and whether the journal has no more.
func nextRequests(j *store.Journal, pos store.RequestKey, limit int, seen map[store.RequestKey]bool) ([]store.Request, store.RequestKey, bool, error) {
	for {
		page, err := j.RequestsFrom(pos, limit)
		if err != nil {
			return nil, pos, false, err
		}
		var out []store.Request
		for _, q := range page {
			k := store.RequestKey{At: q.At.Unix(), Source: q.Source, ReqID: q.ReqID}
			pos = k.After()
			if !seen[k] {
				out = append(out, q)
			}
		}
		if len(page) < limit || len(out) > 0 {
			return out, pos, len(page) < limit, nil
		}
	}
}
