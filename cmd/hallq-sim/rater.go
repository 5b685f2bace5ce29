package main

import (
	"context"
	"math/rand/v2"
	"time"
)

// rater is an evaluation keypad (评价器) at one counter: it acks each
// rate.prompt once the prompt is on its screen, and after the citizen's
// think time submits the level they press, unless they walk away (未评价).
type rater struct {
	dev     *Device
	cmds    chan command // fed by the device's OnCmd
	rng     *rand.Rand
	think   LogNormal
	speed   float64 // time compression: think times are divided by it
	unrated float64
	// rated is told each outcome: err for a request that got no response,
	// else the response (which may be an error such as already_rated).
	rated func(c command, level int, r response, start time.Time, err error)
	// skipped is told each prompt the citizen leaves unrated (may be nil).
	skipped func(c command)
}

func newRater(dev *Device, cmds chan command, rng *rand.Rand, b Behaviour, speed float64) *rater {
	return &rater{dev: dev, cmds: cmds, rng: rng, think: b.Think, speed: speed, unrated: b.Unrated}
}

// onCmd is the device's OnCmd: it hands the command to run without
// blocking. A keypad that is still busy drops the prompt, unacked.
func onCmdInto(ch chan command) func(command) {
	return func(c command) {
		select {
		case ch <- c:
		default:
		}
	}
}

// run handles prompts until ctx is done (a rating being sent is finished first). A newer prompt replaces one the
// citizen has not answered yet, as on a real keypad.
func (r *rater) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var (
		cur     command
		waiting bool
	)
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-r.cmds:
			r.dev.Ack(c.CmdID) // CONTRACT §2 ack: the prompt is shown
			if c.Op == "rate.cancel" && waiting && c.TicketID == cur.TicketID {
				waiting = false // hallq withdrew the prompt (window closed, or a newer visit)
				continue
			}
			if c.Op != "rate.prompt" {
				continue // an op this keypad does not know: acked, ignored
			}
			if chance(r.rng, r.unrated) {
				if r.skipped != nil {
					r.skipped(c)
				}
				continue
			}
			cur, waiting = c, true
			timer.Reset(scaled(r.think.Draw(r.rng), r.speed))
		case <-timer.C:
			if !waiting {
				continue
			}
			waiting = false
			level := drawLevel(r.rng)
			args := map[string]any{"level": level}
			if cur.TicketID != "" {
				args["ticket_id"] = cur.TicketID
			}
			// A press already made is sent even if the run is ending: its
			// answer then finds its request (the device timeout bounds it).
			resp, start, err := r.dev.Request(context.WithoutCancel(ctx), "rating.submit", args)
			if r.rated != nil {
				r.rated(cur, level, resp, start, err)
			}
		}
	}
}

// scaled compresses d by speed (speed 20: 20 times faster than real time).
func scaled(d time.Duration, speed float64) time.Duration {
	if speed <= 0 {
		return d
	}
	return time.Duration(float64(d) / speed)
}
