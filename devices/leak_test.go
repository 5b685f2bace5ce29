package devices

import (
	"runtime"
	"testing"
	"time"

	"github.com/hallq/hallq/internal/testenv"
)

// TestNoGoroutineLeak: closing the server (and the hall) leaves no
// goroutine of ours behind.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("Run", func(t *testing.T) {
		e := newEnv(t)
		k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
		c.ok("counter.open", nil)
		serveOne(t, k, c)
		nextCmd(t, r)
	})
	testenv.Eventually(t, 10*time.Second, func() bool { return runtime.NumGoroutine() <= before+2 }, "goroutines left after Close")
}
