package devices

import "github.com/hallq/hallq/admission"

// Admission limits of the MQTT side; the rules are package admission's.
const (
	// MaxInFlight is how many requests of one device may be in flight.
	MaxInFlight = admission.MaxInFlight
	// DefaultRatePerSec and DefaultBurst are the sustained rate of pipelined requests.
	DefaultRatePerSec = admission.DefaultRatePerSec
	DefaultBurst      = admission.DefaultBurst
	// maxPendingRefusals is how many rate_limited answers of one device may
	// wait for their record before the embedded broker stops reading from
	// that device's connection until they are out.
	maxPendingRefusals = 8
	// recordedRefusalsPerSec and recordedRefusalsBurst bound how many
	// rate_limited answers of one device are recorded for idempotency; past
	// that (a sustained flood) they are answered without a record, so that a
	// flood cannot fill the hall's memory and journal for 48 hours.
	recordedRefusalsPerSec = 20
	recordedRefusalsBurst  = 2000
)
