package hall

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

func encode(s *queue.State) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestConcurrentTicketsAreDurableAndUnique(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	var seen []queue.Event
	var mu sync.Mutex
	h.Subscribe(func(b Batch) {
		mu.Lock()
		seen = append(seen, b.Events...)
		mu.Unlock()
	})
	const n = 400
	numbers := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rep := do(t, h, "dev:kiosk-01", fmt.Sprintf("r%d", i), queue.TakeTicket{Service: "social"})
			if !rep.OK {
				t.Errorf("take %d: %v", i, rep.Error)
				return
			}
			var r queue.TicketResult
			json.Unmarshal(rep.Result, &r)
			numbers <- r.Number
		}(i)
	}
	wg.Wait()
	close(numbers)
	uniq := map[string]bool{}
	for num := range numbers {
		if uniq[num] {
			t.Fatalf("number %s issued twice", num)
		}
		uniq[num] = true
	}
	if len(uniq) != n || !uniq["A001"] || !uniq[fmt.Sprintf("A%03d", n)] {
		t.Fatalf("got %d numbers, want A001..A%03d", len(uniq), n)
	}
	mu.Lock()
	for i, e := range seen {
		if e.Seq != int64(i+1) {
			t.Fatalf("subscriber saw seq %d at position %d", e.Seq, i)
		}
	}
	mu.Unlock()
	before := stateJSON(t, h)
	h.Close()
	j.Close()
	h2, _ := MustOpenHall(t, dir, sp)
	if after := stateJSON(t, h2); after != before {
		t.Fatal("state after replay differs from the state before")
	}
	rep := do(t, h2, "dev:kiosk-01", "next", queue.TakeTicket{Service: "social"})
	var r queue.TicketResult
	json.Unmarshal(rep.Result, &r)
	if got, want := r.Number, fmt.Sprintf("A%03d", n+1); got != want {
		t.Fatalf("after restart numbering gave %s, want %s", got, want)
	}
}

func TestIdempotencyAcrossRestart(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	first := do(t, h, "dev:caller-1", "c1", queue.CallNext{Counter: "1"})
	if first.OK || first.Error.Code != queue.CounterClosed {
		t.Fatalf("first = %+v, want counter_closed", first)
	}
	take := do(t, h, "dev:kiosk-01", "t1", queue.TakeTicket{Service: "social"})
	again := do(t, h, "dev:kiosk-01", "t1", queue.TakeTicket{Service: "housing"}) // different args, same req_id
	if string(again.Result) != string(take.Result) || !again.Repeat {
		t.Fatalf("repeat got %s, want %s", again.Result, take.Result)
	}
	do(t, h, "s", "", queue.OpenCounter{Counter: "1"})
	h.Close()
	j.Close()
	h2, _ := MustOpenHall(t, dir, sp)
	if rep := do(t, h2, "dev:caller-1", "c1", queue.CallNext{Counter: "1"}); rep.OK || rep.Error.Code != queue.CounterClosed {
		t.Fatalf("after restart the repeated request got %+v, want the first reply (counter_closed)", rep)
	}
	if rep := do(t, h2, "dev:kiosk-01", "t1", queue.TakeTicket{Service: "social"}); string(rep.Result) != string(take.Result) {
		t.Fatalf("after restart repeat got %s, want %s", rep.Result, take.Result)
	}
	if got := h2.View().Services[0].Issued; got != 1 {
		t.Fatalf("issued = %d, want 1 (repeats issue nothing)", got)
	}
}

func TestJournalFailureRefusesAndHallRecovers(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	do(t, h, "k", "", queue.TakeTicket{Service: "social"})
	j.WriteDB().Exec("PRAGMA query_only = 1") // the disk refuses writes
	rep := do(t, h, "k", "x", queue.TakeTicket{Service: "social"})
	if rep.OK || rep.Error.Code != queue.Unavailable {
		t.Fatalf("with a failing journal got %+v, want unavailable", rep)
	}
	if h.Healthy() {
		t.Fatal("hall reports healthy while its journal fails")
	}
	j.WriteDB().Exec("PRAGMA query_only = 0")
	rep = do(t, h, "k", "x", queue.TakeTicket{Service: "social"})
	var r queue.TicketResult
	json.Unmarshal(rep.Result, &r)
	if !rep.OK || r.Number != "A002" {
		t.Fatalf("after the disk recovered got %+v %s, want A002 (the refused one left no trace)", rep.Error, rep.Result)
	}
}

func TestCloseLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	do(t, h, "k", "", queue.TakeTicket{Service: "social"})
	h.Close()
	j.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after Close", before, after)
	}
}

func TestIdempotencyRecordsExpireAfterRetention(t *testing.T) {
	sp := testSpec(t)
	j := mustJournal(t, sp)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, sp.Location)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h, err := Open(Config{Spec: sp, Journal: j, Log: zerolog.Nop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	first := do(t, h, "dev:kiosk-01", "r1", queue.TakeTicket{Service: "social"})
	mu.Lock()
	now = now.Add(49 * time.Hour)
	mu.Unlock()
	h.Query(context.Background(), func(*queue.State) { h.prune() })
	again := do(t, h, "dev:kiosk-01", "r1", queue.TakeTicket{Service: "social"})
	if again.Repeat || string(again.Result) == string(first.Result) {
		t.Fatal("a req_id older than the retention was still answered from its record")
	}
	var n int
	j.Requests(now.Add(-100*time.Hour), func(store.Request) { n++ })
	if n != 1 {
		t.Fatalf("journal holds %d idempotency records, want 1 (the old one pruned)", n)
	}
}
