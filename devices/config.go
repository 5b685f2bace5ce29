package devices

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/devauth"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// Config wires the MQTT side of one hall.
type Config struct {
	Hall *hall.Hall
	Auth *devauth.Checker
	Log  zerolog.Logger

	// Listen is the embedded broker's TCP address (config listen.mqtt); ignored
	// when BrokerURL is set.
	Listen string
	// BrokerURL selects an external broker (config broker.url), e.g.
	// tcp://127.0.0.1:1884; Username and Password are hallqd's own credentials.
	BrokerURL string
	Username  string
	Password  string

	Registry prometheus.Registerer // nil = no metrics
	Clock    func() time.Time      // nil = time.Now; used for rating-window timers

	// RatePerSec and Burst are the sustained rate of a device's pipelined
	// requests (those sent while another is in flight; CONTRACT §2
	// admission); 0 = DefaultRatePerSec and DefaultBurst.
	RatePerSec float64
	Burst      int
	// GreenCap caps each kiosk's green-channel tickets a minute, shared with
	// the HTTP API; nil = no cap.
	GreenCap *admission.GreenCap
	// DoTimeout bounds how long a request waits for the hall; 0 = 10 s.
	DoTimeout time.Duration
	// Desired, when set, produces the desired retained messages of devices
	// (firmware-config is the one place that builds them): with all, every
	// one; otherwise those the events evs changed. emit takes a device, a
	// leaf ("config" or "firmware") and the payload; devices only publishes.
	Desired func(evs []queue.Event, v *queue.View, all bool, emit func(device, leaf string, payload []byte))
	// ServiceStateWindow conflates retained state/services/* updates to the
	// latest value within it; 0 = DefaultServiceStateWindow (50 ms).
	ServiceStateWindow time.Duration
	// Print, when set, adds the print data to the result of every ok
	// response to a kiosk (kiosk.Decorator.Ticket; docs/devices.md).
	Print func(result json.RawMessage) json.RawMessage
}

// Defaults of Config.
const (
	DefaultDoTimeout = 10 * time.Second
	// DefaultUsername is hallqd's own user name on an external broker when
	// broker.username is not set.
	DefaultUsername = "hallqd"
	// maxPendingCmds is how many unacknowledged commands a device keeps.
	maxPendingCmds = 32
	// maxPacket is the largest MQTT packet the embedded broker accepts; a
	// bigger one disconnects the device (CONTRACT §2: never carried out).
	maxPacket = 64 << 10
)

func (c *Config) defaults() error {
	if c.Hall == nil || c.Auth == nil {
		return errors.New("devices: Config.Hall and Config.Auth are required")
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.RatePerSec <= 0 {
		c.RatePerSec = DefaultRatePerSec
	}
	if c.Burst <= 0 {
		c.Burst = DefaultBurst
	}
	if c.DoTimeout <= 0 {
		c.DoTimeout = DefaultDoTimeout
	}
	if c.BrokerURL != "" && c.Username == "" {
		c.Username = DefaultUsername
	}
	return nil
}
