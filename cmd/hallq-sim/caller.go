package main

import (
	"context"
	"math/rand/v2"
	"time"
)

// demoCaller is the staff at one counter working through the queue with the
// counter's caller (呼叫器): call, wait for the citizen (recall, 过号), start,
// serve for a lognormal time around the service's average, finish; now and
// then a transfer or a hold (挂起) that is resumed once the document comes.
type demoCaller struct {
	d       *demo
	dev     *Device
	counter string
	staff   string
	rng     *rand.Rand

	held      string    // the held ticket's number, if any
	heldUntil time.Time // when its missing document arrives
}

// req sends op and reports success, printing failures; v gets the result.
func (c *demoCaller) req(ctx context.Context, op string, args map[string]any, v any) bool {
	r, start, err := c.dev.Request(ctx, op, args)
	if ctx.Err() != nil {
		return false
	}
	if op == "call.next" && err == nil && r.code() == "queue_empty" {
		return false // the counter waits; not an error
	}
	if !c.d.ok(c.dev.ID(), op, r, err, v) {
		return false
	}
	if op == "call.next" || op == "call.number" {
		if t, ok := v.(*ticketMsg); ok {
			c.d.ledT.called(c.counter, t.Number, start)
		}
	}
	return true
}

// run opens the counter and works until ctx is done.
func (c *demoCaller) run(ctx context.Context) {
	d := c.d
	where := d.h.counterName(c.counter)
	for !c.req(ctx, "counter.open", map[string]any{"staff_id": c.staff}, nil) {
		if !sleep(ctx, 5*time.Second) { // e.g. hallqd not ready yet; try again
			return
		}
	}
	d.p.line("开窗", "open", "%s · 工号 %s", where, c.staff)
	for ctx.Err() == nil {
		if c.held != "" && time.Now().After(c.heldUntil) {
			var t ticketMsg
			if c.req(ctx, "ticket.resume", nil, &t) {
				d.n.resumes.Add(1)
				d.p.line("恢复", "resume", "%s @ %s (材料已补齐)", t.Number, where)
				c.held = ""
				c.serve(ctx, t, false)
				continue
			}
			c.held = "" // printed; call the queue instead
		}
		var t ticketMsg
		if !c.req(ctx, "call.next", nil, &t) {
			sleep(ctx, scaled(d.b.Idle.Draw(c.rng), d.o.Speed))
			continue
		}
		d.n.calls.Add(1)
		waited := ""
		if t.WaitedS != nil {
			waited = " (等了 " + fmtWait(*t.WaitedS) + ")"
		}
		d.p.line("叫号", "call", "%s → %s%s", t.Number, where, waited)
		if chance(c.rng, d.b.Absent) {
			if !sleep(ctx, scaled(d.b.RecallAfter.Draw(c.rng), d.o.Speed)) {
				return
			}
			if c.req(ctx, "call.recall", nil, nil) {
				d.n.recalls.Add(1)
				d.p.line("重呼", "recall", "%s → %s", t.Number, where)
			}
			if !chance(c.rng, d.b.LateArrives) {
				if !sleep(ctx, scaled(d.b.RecallAfter.Draw(c.rng), d.o.Speed)) {
					return
				}
				if c.req(ctx, "call.no_show", nil, nil) {
					d.n.noShows.Add(1)
					d.p.line("过号", "no-show", "%s @ %s", t.Number, where)
				}
				continue
			}
		}
		if !sleep(ctx, scaled(d.b.WalkUp.Draw(c.rng), d.o.Speed)) {
			return
		}
		if !c.req(ctx, "serve.start", nil, nil) {
			continue
		}
		d.n.started.Add(1)
		d.p.line("办理", "serve", "%s @ %s · 工号 %s", t.Number, where, c.staff)
		c.serve(ctx, t, c.held == "")
	}
}

// serve serves ticket t for its service time, then finishes it, unless it
// is transferred or (when mayHold) held partway.
func (c *demoCaller) serve(ctx context.Context, t ticketMsg, mayHold bool) {
	d := c.d
	where := d.h.counterName(c.counter)
	avg := time.Duration(d.h.services[t.Service].AvgServiceS) * time.Second
	if avg <= 0 {
		avg = 5 * time.Minute
	}
	took := NewLogNormal(avg, serviceCV).Draw(c.rng)
	switch {
	case chance(c.rng, d.b.Transfer):
		to := c.otherService(t.Service)
		if to == "" || !sleep(ctx, scaled(took/3, d.o.Speed)) {
			break
		}
		if c.req(ctx, "ticket.transfer", map[string]any{"to_service": to}, nil) {
			d.n.transfers.Add(1)
			d.p.line("转办", "transfer", "%s @ %s → %s", t.Number, where, d.h.serviceName(to))
			return
		}
	case mayHold && chance(c.rng, d.b.Hold):
		if !sleep(ctx, scaled(took/3, d.o.Speed)) {
			return
		}
		if c.req(ctx, "ticket.hold", map[string]any{"reason": "缺少材料 missing document"}, nil) {
			d.n.holds.Add(1)
			c.held, c.heldUntil = t.Number, time.Now().Add(scaled(d.b.HoldFor.Draw(c.rng), d.o.Speed))
			d.p.line("挂起", "hold", "%s @ %s (缺少材料)", t.Number, where)
			return
		}
	}
	if !sleep(ctx, scaled(took, d.o.Speed)) {
		return
	}
	if c.req(ctx, "serve.finish", nil, nil) {
		d.n.done.Add(1)
		d.p.line("办结", "finish", "%s @ %s (办理 %s)", t.Number, where, took.Round(time.Second))
	}
}

// otherService picks a service to transfer to: another one a counter serves.
func (c *demoCaller) otherService(from string) string {
	ids := c.d.services.ids
	if len(ids) < 2 {
		return ""
	}
	for {
		if to := c.d.services.pick(c.rng); to != from {
			return to
		}
	}
}

// closeCounter ends the shift: finish whatever is at the counter, close it.
func (c *demoCaller) closeCounter(ctx context.Context) {
	c.dev.Request(ctx, "serve.finish", nil) // invalid_state when nothing is there: fine
	r, _, err := c.dev.Request(ctx, "counter.close", nil)
	if c.d.ok(c.dev.ID(), "counter.close", r, err, nil) {
		c.d.p.line("关窗", "close", "%s", c.d.h.counterName(c.counter))
	}
}
