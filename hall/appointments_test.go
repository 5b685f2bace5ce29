package hall

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// The writer's tick turns a booking whose slot ended without a check-in
// into one journalled appointment.missed, published like every event.
func TestTickMarksMissedAppointments(t *testing.T) {
	sp := testSpec(t)
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	j, err := store.Open(t.TempDir(), sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(); j.Close() })
	missed := make(chan queue.Event, 4)
	h.Subscribe(func(b Batch) {
		for _, e := range b.Events {
			if e.Kind == queue.EvAppointmentMissed {
				missed <- e
			}
		}
	})
	svc := sp.ServiceOrder[0]
	if rep := do(t, h, "t", "", queue.BookAppointment{Code: "GONE", Service: svc, Date: "2026-11-23", Start: "09:30", End: "10:00"}); !rep.OK {
		t.Fatal(rep.Error)
	}
	mu.Lock()
	now = now.Add(time.Hour) // 10:00: the slot has ended
	mu.Unlock()
	select {
	case e := <-missed:
		if e.Appointment != "GONE" || e.Seq == 0 {
			t.Fatalf("missed event %+v", e)
		}
	case <-time.After(10 * time.Second): // the tick is every second; a safety net
		t.Fatal("no appointment.missed after the slot ended")
	}
	var b queue.Booking
	h.Query(context.Background(), func(s *queue.State) { b = *s.Appointments["GONE"] })
	if b.Status() != "missed" {
		t.Fatalf("booking status %s, want missed", b.Status())
	}
	if evs, _ := j.EventsAfter(0, 100); evs[len(evs)-1].Kind != queue.EvAppointmentMissed {
		t.Fatalf("the journal's last event is %s", evs[len(evs)-1].Kind)
	}
}
