package devauth

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestLimiter: after max failures from an address, that address is refused
// unchecked for the rest of the window, even with the right secret; a
// device id with max failures is refused from addresses that failed, but
// not from a clean one (the real device); the window ends it.
func TestLimiter(t *testing.T) {
	var now atomic.Int64
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	var blocked []string
	c := New([]Cred{{ID: "kiosk-01", Kind: "kiosk", Secret: "right"}})
	c.Limit(NewLimiter(3, time.Minute, zerolog.Nop(), clock, func(k string) { blocked = append(blocked, k) }))
	for i := 0; i < 3; i++ {
		if _, err := c.CheckFrom("kiosk-01", "wrong", "10.0.0.9"); err != ErrBadCredentials {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	t.Run("ErrAddressBlocked", func(t *testing.T) {
		if _, err := c.CheckFrom("kiosk-01", "right", "10.0.0.9"); err != ErrLimited {
			t.Errorf("right secret from the blocked address: %v, want ErrLimited", err)
		}
	})
	t.Run("OKCleanAddress", func(t *testing.T) {
		if _, err := c.CheckFrom("kiosk-01", "right", "10.0.0.5"); err != nil {
			t.Errorf("the real device from a clean address: %v", err)
		}
	})
	t.Run("ErrDeviceBlocked", func(t *testing.T) {
		c.CheckFrom("kiosk-01", "wrong", "10.0.0.7") // this address has failed once now
		if _, err := c.CheckFrom("kiosk-01", "right", "10.0.0.7"); err != ErrLimited {
			t.Errorf("a guessing address with a blocked device id: %v, want ErrLimited", err)
		}
	})
	t.Run("OKWindowOver", func(t *testing.T) {
		now.Add(int64(time.Minute))
		if _, err := c.CheckFrom("kiosk-01", "right", "10.0.0.9"); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
	if len(blocked) != 2 || blocked[0] != "address" || blocked[1] != "device" {
		t.Errorf("blocked = %v", blocked)
	}
}
