package devices

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

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

	// Dir is where devices.db, the record of refused requests, is kept
	// (config storage.dir); "" keeps it in memory only.
	Dir string

	Registry prometheus.Registerer // nil = no metrics
	Clock    func() time.Time      // nil = time.Now; used for rating-window timers

	// RatePerSec and Burst bound each device's requests (token bucket);
	// 0 = 20 per second with bursts of 40.
	RatePerSec float64
	Burst      int
	// DoTimeout bounds how long a request waits for the hall; 0 = 10 s.
	DoTimeout time.Duration
	// Replies, when set, lists the replies the hall stored since a time, so
	// that requests refused before they reach the hall still answer like the
	// first time for a req_id carried out before a restart.
	Replies func(since time.Time, fn func(source, reqID string, at time.Time, response []byte)) error
	// DesiredConfig, when set, returns the body of a device's retained
	// dev/{id}/config message; nil = the minimal config (see desiredConfig).
	DesiredConfig func(d queue.DeviceSpec, sp *queue.Spec) any
	// ServiceStateWindow conflates retained state/services/* updates to the
	// latest value within it; 0 = DefaultServiceStateWindow (50 ms).
	ServiceStateWindow time.Duration
	// Print, when set, adds the print data to the result of every ok
	// response to a kiosk (kiosk.Decorator.Ticket; docs/devices.md).
	Print func(result json.RawMessage) json.RawMessage
}

// Defaults of Config.
const (
	DefaultRatePerSec = 20
	DefaultBurst      = 40
	DefaultDoTimeout  = 10 * time.Second
	// DefaultUsername is hallqd's own user name on an external broker when
	// broker.username is not set.
	DefaultUsername = "hallqd"
	// replyRetention is how long replies are remembered for req_id
	// deduplication (CONTRACT §2: req_id unique per device for 24 h).
	replyRetention = 48 * time.Hour
	// maxQueued is how many requests of one device may wait; more are dropped.
	maxQueued = 64
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
	if c.DesiredConfig == nil {
		c.DesiredConfig = desiredConfig
	}
	return nil
}

// DeviceConfig is the minimal desired configuration of a device, retained
// on dev/{id}/config (CONTRACT §2); firmware-config may supply a richer one.
type DeviceConfig struct {
	Version       int     `json:"version"`
	Hall          string  `json:"hall"`
	Device        string  `json:"device"`
	Kind          string  `json:"kind"`
	Counter       *string `json:"counter"` // null for kiosks and hall screens
	RatingWindowS int     `json:"rating_window_s"`
}

func desiredConfig(d queue.DeviceSpec, sp *queue.Spec) any {
	c := DeviceConfig{Version: 1, Hall: sp.HallID, Device: d.ID, Kind: d.Kind, RatingWindowS: int(sp.RatingWindow / time.Second)}
	if d.Counter != "" {
		c.Counter = &d.Counter
	}
	return c
}
