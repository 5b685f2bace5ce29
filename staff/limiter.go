package staff

import (
	"sync"
	"time"
)

// Failed logins allowed per window (CONTRACT §5 login): per user name and
// client address, per address, and per user name from anywhere.
const (
	perUserAt  = 5
	perAddress = 30
	perUser    = 20
)

// limiter allows a number of failures per key within window, then refuses
// until the window has passed since the first failure.
type limiter struct {
	window time.Duration
	clock  func() time.Time

	mu   sync.Mutex
	seen map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newLimiter(window time.Duration, clock func() time.Time) *limiter {
	return &limiter{window: window, clock: clock, seen: map[string]*failures{}}
}

func (l *limiter) allow(key string, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.seen[key]
	if f == nil {
		return true
	}
	if l.clock().Sub(f.first) > l.window {
		delete(l.seen, key)
		return true
	}
	return f.n < max
}

func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 100000 { // bound memory under a spray of user names
		l.seen = map[string]*failures{}
	}
	f := l.seen[key]
	if f == nil || l.clock().Sub(f.first) > l.window {
		f = &failures{first: l.clock()}
		l.seen[key] = f
	}
	f.n++
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.seen, key)
	l.mu.Unlock()
}
