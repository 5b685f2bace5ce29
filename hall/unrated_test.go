package hall

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// TestUnratedOnTick: once a visit's rating window closes, the writer's tick
// journals rating.unrated (未评价) by itself, once.
func TestUnratedOnTick(t *testing.T) {
	sp := testSpec(t)
	sp.RatingWindow = 10 * time.Second
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	j := mustJournal(t, sp)
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	unrated := make(chan queue.Event, 4)
	h.Subscribe(func(b Batch) {
		for _, e := range b.Events {
			if e.Kind == queue.EvRatingUnrated {
				unrated <- e
			}
		}
	})
	for _, cmd := range []queue.Command{queue.OpenCounter{Counter: "1"}, queue.TakeTicket{Service: "social"},
		queue.CallNext{Counter: "1"}, queue.Finish{Counter: "1"}} {
		if rep := do(t, h, "t", "", cmd); !rep.OK {
			t.Fatalf("%T: %+v", cmd, rep.Error)
		}
	}
	offset.Store(int64(11 * time.Second)) // the window has closed
	select {
	case e := <-unrated:
		if e.Counter != "1" || e.Ticket != "A001" || e.Visit == "" {
			t.Fatalf("rating.unrated = %+v", e)
		}
	case <-time.After(10 * time.Second): // the writer ticks every second; a safety net
		t.Fatal("no rating.unrated after the window closed")
	}
	if rep := do(t, h, "t", "", queue.SubmitRating{Counter: "1", Level: 5}); rep.Error == nil || rep.Error.Code != queue.NothingToRate {
		t.Fatalf("rating after 未评价: %+v", rep)
	}
	do(t, h, "t", "", queue.TakeTicket{Service: "social"}) // another batch: no second rating.unrated
	select {
	case e := <-unrated:
		t.Fatalf("a second rating.unrated: %+v", e)
	default:
	}
}
