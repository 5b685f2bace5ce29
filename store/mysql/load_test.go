package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// day drives a real hall through a busy day: two kiosks issue tickets (some
// by the green channel, a few cancelled) while every counter calls, recalls,
// serves, finishes, marks no-shows and calls them back, transfers, holds,
// pauses and collects ratings with dimensions. Requests carry req_ids, so the
// journal holds idempotency records too. Each ticket moves the fake clock on.
type day struct {
	th         *testHall
	tickets    int64
	issued     atomic.Int64
	refused    atomic.Int64 // unavailable replies: the hall failed to make a change durable
	stopped    chan struct{}
	stopOnce   sync.Once
	kiosks     sync.WaitGroup
	counters   sync.WaitGroup
	kiosksDone chan struct{}
	wake       []chan struct{} // per counter: something changed
}

// startDay starts the day's load; it stops by itself after tickets tickets
// once the queues are empty, or at stop.
func startDay(tb testing.TB, th *testHall, tickets int64, seed uint64) *day {
	tb.Helper()
	d := &day{th: th, tickets: tickets, stopped: make(chan struct{}), kiosksDone: make(chan struct{})}
	ctx := context.Background()
	for i, id := range th.Spec.CounterOrder {
		if rep := th.Do(ctx, hall.Request{Source: "staff:s0" + fmt.Sprint(i+1), Cmd: queue.OpenCounter{Counter: id, StaffID: fmt.Sprintf("s%02d", i+1)}}); !rep.OK {
			tb.Fatalf("open counter %s: %v", id, rep.Error)
		}
		ch := make(chan struct{}, 1)
		d.wake = append(d.wake, ch)
	}
	th.Subscribe(func(hall.Batch) {
		for _, ch := range d.wake {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})
	for k := 0; k < 2; k++ {
		d.kiosks.Add(1)
		go d.kiosk(k, rand.New(rand.NewPCG(seed, uint64(k))))
	}
	go func() {
		d.kiosks.Wait()
		close(d.kiosksDone)
	}()
	for i, id := range th.Spec.CounterOrder {
		d.counters.Add(1)
		go d.counter(id, d.wake[i], rand.New(rand.NewPCG(seed, uint64(100+i))))
	}
	return d
}

// stop ends the load early.
func (d *day) stop() { d.stopOnce.Do(func() { close(d.stopped) }) }

// wait waits for the load to end, then closes every counter.
func (d *day) wait(tb testing.TB) {
	tb.Helper()
	d.kiosks.Wait()
	d.counters.Wait()
	for _, id := range d.th.Spec.CounterOrder {
		d.do("staff:close", "", queue.CloseCounter{Counter: id})
	}
	if n := d.refused.Load(); n > 0 {
		tb.Errorf("the hall refused %d requests as unavailable", n)
	}
}

func (d *day) halted() bool {
	select {
	case <-d.stopped:
		return true
	default:
		return false
	}
}

// do sends one command and counts unavailable replies.
func (d *day) do(source, reqID string, cmd queue.Command) hall.Reply {
	rep := d.th.Do(context.Background(), hall.Request{Source: source, ReqID: reqID, Cmd: cmd})
	if rep.Error != nil && rep.Error.Code == queue.Unavailable {
		d.refused.Add(1)
	}
	return rep
}

func (d *day) kiosk(k int, rnd *rand.Rand) {
	defer d.kiosks.Done()
	src := fmt.Sprintf("dev:kiosk-%02d", k+1)
	svcs := d.th.Spec.ServiceOrder
	var mine []string
	for n := 0; !d.halted(); n++ {
		if d.issued.Add(1) > d.tickets {
			return
		}
		d.th.Clock.Advance(time.Duration(1000+rnd.IntN(2000)) * time.Millisecond)
		cmd := queue.TakeTicket{Service: svcs[rnd.IntN(len(svcs))]}
		if rnd.IntN(10) == 0 {
			cmd.Channel = queue.Green
		}
		reqID := fmt.Sprintf("take-%d", n)
		rep := d.do(src, reqID, cmd)
		if rnd.IntN(40) == 0 { // a retry after a lost response gets the same answer
			d.do(src, reqID, cmd)
		}
		if rep.OK {
			var t struct {
				ID string `json:"ticket_id"`
			}
			if json.Unmarshal(rep.Result, &t) == nil {
				mine = append(mine, t.ID)
			}
		}
		if len(mine) > 3 && rnd.IntN(100) == 0 {
			d.do(src, fmt.Sprintf("cancel-%d", n), queue.Cancel{TicketID: mine[len(mine)-3], Reason: "citizen left"})
		}
	}
}

func (d *day) counter(id string, wake chan struct{}, rnd *rand.Rand) {
	defer d.counters.Done()
	rater := "dev:rater-" + id
	var noShows []string
	for n := 0; !d.halted(); n++ {
		cv := d.view(id)
		switch cv.Status {
		case queue.CounterClosedStatus:
			return
		case queue.CounterPausedStatus:
			d.do("dev:caller-"+id, "", queue.ResumeCounter{Counter: id})
		case queue.CounterCalledStatus:
			switch r := rnd.IntN(100); {
			case r < 5:
				d.do("dev:caller-"+id, "", queue.Recall{Counter: id})
			case r < 10:
				d.do("dev:caller-"+id, "", queue.MarkNoShow{Counter: id})
				noShows = append(noShows, *cv.Ticket)
			case r < 13:
				d.do("dev:caller-"+id, "", d.transfer(id, rnd))
			default:
				d.do("dev:caller-"+id, "", queue.StartServing{Counter: id})
			}
		case queue.CounterServingStatus:
			switch r := rnd.IntN(100); {
			case r < 3 && cv.Held == nil:
				d.do("dev:caller-"+id, "", queue.Hold{Counter: id, Reason: "缺少材料 missing papers"})
			case r < 6:
				d.do("dev:caller-"+id, "", d.transfer(id, rnd))
			default:
				if rep := d.do("dev:caller-"+id, "", queue.Finish{Counter: id, Case: caseFor(n)}); rep.OK && rnd.IntN(4) != 0 {
					d.do(rater, fmt.Sprintf("rate-%d", n), d.rating(id, rnd))
				}
			}
		default: // open and idle
			switch r := rnd.IntN(200); {
			case cv.Held != nil && r < 100:
				d.do("dev:caller-"+id, "", queue.ResumeHeld{Counter: id})
				continue
			case r == 0:
				d.do("dev:caller-"+id, "", queue.PauseCounter{Counter: id, Reason: "break"})
				continue
			case len(noShows) > 0 && r < 20: // the late citizen is back
				d.do("dev:caller-"+id, "", queue.CallNumber{Counter: id, Number: noShows[0]})
				noShows = noShows[1:]
				continue
			}
			rep := d.do("dev:caller-"+id, "", queue.CallNext{Counter: id})
			if rep.Error == nil || rep.Error.Code != queue.QueueEmpty {
				continue
			}
			select {
			case <-d.kiosksDone:
				if cv.Held == nil {
					return
				}
			case <-wake:
			case <-d.stopped:
				return
			}
		}
	}
}

func (d *day) view(id string) queue.CounterView {
	for _, cv := range d.th.View().Counters {
		if cv.ID == id {
			return cv
		}
	}
	return queue.CounterView{}
}

func (d *day) transfer(from string, rnd *rand.Rand) queue.Command {
	if rnd.IntN(5) == 0 {
		order := d.th.Spec.CounterOrder
		return queue.Transfer{Counter: from, ToCounter: order[rnd.IntN(len(order))]}
	}
	svcs := d.th.Spec.ServiceOrder
	return queue.Transfer{Counter: from, ToService: svcs[rnd.IntN(len(svcs))]}
}

func (d *day) rating(counter string, rnd *rand.Rand) queue.SubmitRating {
	level := 5
	switch r := rnd.IntN(100); {
	case r < 3:
		level = 1
	case r < 7:
		level = 2
	case r < 15:
		level = 3
	case r < 40:
		level = 4
	}
	sr := queue.SubmitRating{Counter: counter, Level: level}
	if rnd.IntN(3) == 0 {
		sr.Dims = map[string]int{"attitude": level, "efficiency": 1 + rnd.IntN(5)}
	}
	return sr
}

// caseFor is the case recorded at the n-th finish of a counter: none, or
// each kind in turn (the reports count them, issue 13).
func caseFor(n int) *queue.CaseInfo {
	kinds := []string{"", queue.CaseInstant, queue.CasePromised, queue.CaseJoint, queue.CaseReferred}
	if k := kinds[n%len(kinds)]; k != "" {
		return &queue.CaseInfo{Kind: k, No: fmt.Sprintf("B%04d", n)}
	}
	return nil
}
