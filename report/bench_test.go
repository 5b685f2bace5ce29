package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// benchEvents is n tickets over November 2026 for testSpec's hall.
func benchEvents(sp *queue.Spec, n int) []queue.Event {
	r := rand.New(rand.NewPCG(1, 2))
	var evs []queue.Event
	for i := 0; i < n; i++ {
		day := time.Date(2026, 11, 1+i%30, 8, 30, 0, 0, sp.Location)
		at := day.Add(time.Duration(r.IntN(8*3600)) * time.Second)
		id := fmt.Sprintf("%s-A%06d", day.Format("20060102"), i)
		svc := []string{"a", "b", "c"}[r.IntN(3)]
		ctr := fmt.Sprint(1 + r.IntN(100))
		called := at.Add(time.Duration(r.IntN(2400000)) * time.Millisecond)
		evs = append(evs, queue.Event{Kind: queue.EvTicketIssued, At: at, TicketID: id, Service: svc},
			queue.Event{Kind: queue.EvTicketCalled, At: called, TicketID: id, Counter: ctr, StaffID: "s" + ctr},
			queue.Event{Kind: queue.EvTicketFinished, At: called.Add(5 * time.Minute), TicketID: id, Counter: ctr},
			queue.Event{Kind: queue.EvRatingSubmitted, At: called.Add(6 * time.Minute), TicketID: id, Counter: ctr, Level: 1 + r.IntN(5)})
	}
	for i := range evs {
		evs[i].Seq = int64(i + 1)
	}
	return evs
}

// BenchmarkVisitsPaths compares the database's aggregation with the Go fold
// of every row on the local SQLite store.
func BenchmarkVisitsPaths(b *testing.B) {
	sp := testSpec()
	src := mustSource(b, sp, benchEvents(sp, 60000))
	ctx := context.Background()
	for _, by := range []string{"service", "counter"} {
		b.Run("SQL/"+by, func(b *testing.B) {
			for b.Loop() {
				src.visitsSQL(ctx, "2026-11-01", "2026-11-30", keyCols[by])
			}
		})
		b.Run("Go/"+by, func(b *testing.B) {
			for b.Loop() {
				src.visitsGo(ctx, "2026-11-01", "2026-11-30", by)
			}
		})
	}
}
