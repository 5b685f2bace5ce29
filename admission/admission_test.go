package admission

import (
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hallq/hallq/queue"
)

// TestLockStepNeverRefused: a caller that waits for each answer (one in
// flight at a time) is never refused, at any pace (CONTRACT §2 admission).
func TestLockStepNeverRefused(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var now atomic.Int64
		l := NewLimiter(1, 1, func() time.Time { return time.Unix(0, now.Load()) })
		for i := 0; i < rapid.IntRange(1, 500).Draw(rt, "n"); i++ {
			now.Add(rapid.Int64Range(0, int64(time.Millisecond)).Draw(rt, "gap"))
			release, err := l.Enter("kiosk-01")
			if err != nil {
				rt.Fatalf("request %d refused: %v", i, err)
			}
			release()
		}
	})
}

// TestInFlightCap: more than MaxInFlight in flight is rate_limited with
// retry_after_ms; answering one admits the next.
func TestInFlightCap(t *testing.T) {
	l := NewLimiter(1e9, 1<<30, nil)
	var releases []func()
	for i := 0; i < MaxInFlight; i++ {
		r, err := l.Enter("k")
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		releases = append(releases, r)
	}
	_, err := l.Enter("k")
	if err == nil || err.Code != queue.RateLimited || err.RetryAfterMS <= 0 {
		t.Fatalf("request %d: %v, want rate_limited with retry_after_ms", MaxInFlight+1, err)
	}
	if _, err := l.Enter("other"); err != nil {
		t.Errorf("another key refused: %v", err)
	}
	releases[0]()
	if _, err := l.Enter("k"); err != nil {
		t.Errorf("after one answer: %v", err)
	}
}

// TestSustainedRate: pipelined requests past the burst are refused until
// the bucket refills.
func TestSustainedRate(t *testing.T) {
	var now atomic.Int64
	l := NewLimiter(10, 5, func() time.Time { return time.Unix(0, now.Load()) })
	hold, _ := l.Enter("k") // one in flight: the rest are pipelined
	defer hold()
	for i := 0; i < 5; i++ {
		r, err := l.Enter("k")
		if err != nil {
			t.Fatalf("burst %d: %v", i, err)
		}
		r()
	}
	if _, err := l.Enter("k"); err == nil {
		t.Fatal("past the burst admitted")
	}
	now.Add(int64(100 * time.Millisecond))
	if r, err := l.Enter("k"); err != nil {
		t.Errorf("after a refill: %v", err)
	} else {
		r()
	}
}

// TestGreenCap: max green tickets per kiosk per minute, undo gives one
// back, and the minute ends the cap.
func TestGreenCap(t *testing.T) {
	var now atomic.Int64
	hits := 0
	g := NewGreenCap(2, func() time.Time { return time.Unix(0, now.Load()) }, func(string) { hits++ })
	if _, err := g.Take("k"); err != nil {
		t.Fatal(err)
	}
	undo, err := g.Take("k")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Take("k"); err == nil || err.RetryAfterMS <= 0 {
		t.Fatalf("third: %v", err)
	}
	undo()
	if _, err := g.Take("k"); err != nil {
		t.Errorf("after undo: %v", err)
	}
	now.Add(int64(time.Minute))
	if _, err := g.Take("k"); err != nil {
		t.Errorf("next minute: %v", err)
	}
	if hits != 1 {
		t.Errorf("hits %d, want 1", hits)
	}
}
