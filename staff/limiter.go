package staff

import (
	"sync"
	"time"
)

// limiter allows max failures per key within window, then refuses until the
// window has passed since the first failure.
type limiter struct {
	max    int
	window time.Duration
	clock  func() time.Time

	mu   sync.Mutex
	seen map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newLimiter(max int, window time.Duration, clock func() time.Time) *limiter {
	return &limiter{max: max, window: window, clock: clock, seen: map[string]*failures{}}
}

func (l *limiter) allow(key string) bool {
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
	return f.n < l.max
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
