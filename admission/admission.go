// Package admission holds the request admission rules both transports apply
// to devices (CONTRACT §2 admission, 1.1; docs/devices.md "Admission"): a
// device with one request in flight is never refused; more than MaxInFlight
// in flight, or pipelining past the sustained rate, is answered
// rate_limited with retry_after_ms. It also caps green-channel tickets per
// kiosk.
package admission

import (
	"math"
	"time"
)

// Admission limits (CONTRACT §2 admission, 1.1; docs/devices.md "Admission").
const (
	// MaxInFlight is how many requests of one device may be in flight (sent,
	// not yet answered); one more is answered rate_limited.
	MaxInFlight = 8
	// DefaultRatePerSec and DefaultBurst are the documented sustained rate of
	// pipelined requests: requests that arrive while the same device still
	// has one in flight. A device that waits for each answer is never
	// charged and never refused, however fast it goes.
	DefaultRatePerSec = 50
	DefaultBurst      = 200
	// MinRetryAfter is the smallest retry_after_ms hallq suggests.
	MinRetryAfter = 50 * time.Millisecond
)

// Bucket is a token bucket: rate tokens a second, at most burst saved up.
// It is not safe for concurrent use; the dispatcher guards it.
type Bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewBucket is a full bucket.
func NewBucket(rate float64, burst int, now time.Time) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// Allow takes one token if there is one; otherwise it says how long until
// there is.
func (b *Bucket) Allow(now time.Time) (bool, time.Duration) { return b.allow(now) }

// allow takes one token if there is one; otherwise it says how long until
// there is.
func (b *Bucket) allow(now time.Time) (bool, time.Duration) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.burst, b.tokens+el*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false, time.Duration(math.Ceil((1 - b.tokens) / b.rate * float64(time.Second)))
	}
	b.tokens--
	return true, 0
}

// Admit decides whether one more request of a device with inflight requests
// in flight is carried out; if not, it returns how long the device should
// wait (CONTRACT §2 admission: one in flight is never refused; more than
// MaxInFlight, or pipelining past the sustained rate, is rate_limited).
func Admit(inflight int, b *Bucket, now time.Time) (bool, time.Duration) {
	if inflight == 0 {
		return true, 0 // lock-step: never charged
	}
	if inflight >= MaxInFlight {
		return false, max(MinRetryAfter, time.Duration(inflight-MaxInFlight+1)*MinRetryAfter)
	}
	ok, wait := b.allow(now)
	if !ok {
		return false, max(MinRetryAfter, wait)
	}
	return true, 0
}
