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
	// demo draws from demoWeights, so every level shows up in a demo, and
	// gives a 差评 reasons and dimensions, so the cases page has cases.
	demo bool
}

// demoWeights are the demo's level weights (index = level): more 差评 than
// a real hall, so a short demo has cases to follow up.
func demoWeights() [6]float64 { return [6]float64{0, 0.06, 0.09, 0.15, 0.25, 0.45} }

// demoReasons are the 差评 reasons a demo citizen picks from.
var demoReasons = [...]string{"服务态度差", "等候时间长", "办事效率低", "业务不熟练", "一次性告知不清"}

// ratingArgs are the arguments of a rating.submit for level.
func (r *rater) ratingArgs(level int, ticketID string) map[string]any {
	args := map[string]any{"level": level}
	if ticketID != "" {
		args["ticket_id"] = ticketID
	}
	if r.demo && level <= 2 {
		args["reasons"] = []string{demoReasons[r.rng.IntN(len(demoReasons))]}
		args["dims"] = map[string]int{"attitude": 1 + r.rng.IntN(2), "efficiency": 1 + r.rng.IntN(3)}
	}
	return args
}

func (r *rater) drawLevel() int {
	if !r.demo {
		return drawLevel(r.rng)
	}
	w := demoWeights()
	u := r.rng.Float64()
	for level := 5; level >= 1; level-- {
		if u < w[level] {
			return level
		}
		u -= w[level]
	}
	return 5
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
			level := r.drawLevel()
			args := r.ratingArgs(level, cur.TicketID)
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
