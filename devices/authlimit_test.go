package devices

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/devauth"
)

// lockedBuffer is a log sink tests can read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestConnectGuessingLimited: wrong MQTT CONNECTs are limited per address
// and per device id, and logged as a summary, not a line each (the probe
// made 300 wrong CONNECTs in 0.11 s, each logged). The real device still
// connects from its own address.
func TestConnectGuessingLimited(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, withConfig(func(c *Config) {
		c.Auth.Limit(devauth.NewLimiter(5, time.Minute, zerolog.New(&logs), nil, nil))
		c.Log = zerolog.New(&logs)
	}))
	from := func(ip, secret string) error {
		po := paho.NewClientOptions().AddBroker("tcp://" + e.addr).SetClientID("kiosk-01").SetUsername("kiosk-01").SetPassword(secret).
			SetAutoReconnect(false).SetConnectTimeout(wait).SetDialer(&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}})
		c := paho.NewClient(po)
		tok := c.Connect()
		if !tok.WaitTimeout(wait) {
			t.Fatal("CONNECT timed out")
		}
		if tok.Error() == nil {
			c.Disconnect(0)
		}
		return tok.Error()
	}
	const guesses = 300
	for i := 0; i < guesses; i++ {
		if from("127.0.0.1", "guess") == nil {
			t.Fatal("a wrong secret was accepted")
		}
	}
	t.Run("ErrRightSecretFromGuessingAddress", func(t *testing.T) {
		if from("127.0.0.1", e.secret("kiosk-01")) == nil {
			t.Error("the guessing address logged in within the minute")
		}
	})
	t.Run("OKRealDeviceElsewhere", func(t *testing.T) {
		if err := from("127.0.0.2", e.secret("kiosk-01")); err != nil {
			t.Errorf("the real device from a clean address: %v", err)
		}
	})
	t.Run("OKSummaryNotEachAttempt", func(t *testing.T) {
		if n := strings.Count(logs.String(), "\n"); n > 5 {
			t.Errorf("%d log lines for %d failed CONNECTs:\n%s", n, guesses, logs.String())
		}
		if !strings.Contains(logs.String(), "failed device logins") {
			t.Errorf("no summary line:\n%s", logs.String())
		}
	})
	if v := e.metric("hallq_device_mqtt_refused_total", "reason", "too many failed logins"); v < guesses-10 {
		t.Errorf("refused unchecked %v, want nearly all %d", v, guesses)
	}
}
