package admission

import (
	"strconv"
	"sync"
	"time"

	"github.com/hallq/hallq/queue"
)

// Limiter applies the admission rules to callers that have no queue of
// their own (the HTTP API's device and kiosk page requests), keyed by
// device id.
type Limiter struct {
	rate  float64
	burst int
	clock func() time.Time

	mu   sync.Mutex
	keys map[string]*keyState
}

type keyState struct {
	inflight int
	bucket   *Bucket
}

// NewLimiter uses rate and burst as the sustained rate of pipelined
// requests (0 = the defaults).
func NewLimiter(rate float64, burst int, clock func() time.Time) *Limiter {
	if rate <= 0 {
		rate = DefaultRatePerSec
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{rate: rate, burst: burst, clock: clock, keys: map[string]*keyState{}}
}

// Enter admits one request of key; release must be called once it is
// answered. A nil Limiter admits everything. A refused request gets a rate_limited error with retry_after_ms.
func (l *Limiter) Enter(key string) (release func(), err *queue.Error) {
	if l == nil {
		return func() {}, nil
	}
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys[key]
	if k == nil {
		k = &keyState{bucket: NewBucket(l.rate, l.burst, now)}
		l.keys[key] = k
	}
	ok, retry := Admit(k.inflight, k.bucket, now)
	if !ok {
		return nil, RateLimited(retry)
	}
	k.inflight++
	return func() {
		l.mu.Lock()
		k.inflight--
		l.mu.Unlock()
	}, nil
}

// RateLimited is the refusal of a request over the admission limits, with
// the wait the device should keep (CONTRACT §2 admission).
func RateLimited(retry time.Duration) *queue.Error {
	ms := int(retry / time.Millisecond)
	return &queue.Error{Code: queue.RateLimited, RetryAfterMS: ms,
		Message: "请求过多，请稍后再试 too many requests in flight or over the sustained rate; retry after " + strconv.Itoa(ms) + " ms"}
}
