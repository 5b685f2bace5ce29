package devices

import (
	"encoding/json"

	"github.com/hallq/hallq/queue"
)

// printed wraps respond so that every ok response to a kiosk carries the
// ticket's print data (qr_url, print; docs/devices.md), added by decorate.
// It works on the response as sent, the first time and on every repeat of
// its req_id alike, so the recorded replies stay the plain results and a
// repeat, also after a restart, gets the same answer (CONTRACT §2
// idempotency). A kiosk's only op is ticket.take.
func printed(spec *queue.Spec, decorate func(json.RawMessage) json.RawMessage,
	respond func(device string, body []byte) error) func(string, []byte) error {
	if decorate == nil {
		return respond
	}
	return func(device string, body []byte) error {
		if d := spec.Devices[device]; d == nil || d.Kind != "kiosk" {
			return respond(device, body)
		}
		var r response
		if json.Unmarshal(body, &r) != nil || !r.OK || len(r.Result) == 0 {
			return respond(device, body)
		}
		r.Result = decorate(r.Result)
		out, err := json.Marshal(r)
		if err != nil {
			return respond(device, body)
		}
		return respond(device, out)
	}
}
