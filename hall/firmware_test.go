package hall

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// TestFirmwareTickAdvancesRollouts: with no request at all, the writer's
// tick ends the soak and offers the rest (CONTRACT §6), as a durable batch.
func TestFirmwareTickAdvancesRollouts(t *testing.T) {
	sp := testSpec(t)
	for _, id := range []string{"caller-1", "caller-2"} {
		sp.Devices[id] = &queue.DeviceSpec{ID: id, Kind: "caller", Counter: "1"}
		sp.DeviceOrder = append(sp.DeviceOrder, id)
	}
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	j := mustJournal(t, sp)
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	rolling := make(chan Batch, 1)
	h.Subscribe(func(b Batch) {
		for _, e := range b.Events {
			if e.Kind == queue.EvRolloutState && e.RolloutState == queue.RolloutRolling {
				select { // never block the writer
				case rolling <- b:
				default:
				}
			}
		}
	})
	for _, cmd := range []queue.Command{
		queue.ReportPresence{Device: "caller-1", Online: true, FW: "1.0"},
		queue.StoreFirmwareImage{Kind: "caller", Version: "2.0", SHA256: strings.Repeat("c", 64), Size: 3},
		queue.StartRollout{Kind: "caller", Version: "2.0", CanaryPercent: 50, SoakS: 600},
		queue.ReportPresence{Device: "caller-1", Online: true, FW: "2.0"},
	} {
		if rep := do(t, h, "t", "", cmd); !rep.OK {
			t.Fatalf("%T: %v", cmd, rep.Error)
		}
	}
	if o := h.View().FirmwareOffers["caller-2"]; o != nil {
		t.Fatalf("caller-2 offered %+v during the canary stage", o)
	}
	offset.Store(int64(601 * time.Second)) // the soak is over; nobody sends anything
	select {
	case b := <-rolling:
		if o := b.View.FirmwareOffers["caller-2"]; o == nil || o.Version != "2.0" {
			t.Fatalf("after the soak caller-2 is offered %+v", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the tick did not move the rollout on within 10 s")
	}
}
