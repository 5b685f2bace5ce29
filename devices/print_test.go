package devices

import (
	"encoding/json"
	"testing"

	"github.com/hallq/hallq/queue"
)

// TestPrinted: ok responses to kiosks get the print data, as sent and
// identically on every send; refusals and other devices' responses pass
// unchanged.
func TestPrinted(t *testing.T) {
	sp := &queue.Spec{Devices: map[string]*queue.DeviceSpec{
		"kiosk-01": {ID: "kiosk-01", Kind: "kiosk"}, "caller-1": {ID: "caller-1", Kind: "caller", Counter: "1"}}}
	var sent []string
	respond := printed(sp, func(r json.RawMessage) json.RawMessage {
		var m map[string]any
		json.Unmarshal(r, &m)
		m["print"] = "P"
		out, _ := json.Marshal(m)
		return out
	}, func(_ string, body []byte) error { sent = append(sent, string(body)); return nil })
	ok := `{"req_id":"k1","ok":true,"result":{"number":"A001"}}`
	for _, tc := range []struct{ name, device, body, want string }{
		{"OKKiosk", "kiosk-01", ok, `{"req_id":"k1","ok":true,"result":{"number":"A001","print":"P"}}`},
		{"OKKioskRepeat", "kiosk-01", ok, `{"req_id":"k1","ok":true,"result":{"number":"A001","print":"P"}}`},
		{"OKRefusal", "kiosk-01", `{"req_id":"k2","ok":false,"error":{"code":"bad_request","message":"x"}}`,
			`{"req_id":"k2","ok":false,"error":{"code":"bad_request","message":"x"}}`},
		{"OKOtherDevice", "caller-1", `{"req_id":"c1","ok":true,"result":{"number":"A001"}}`,
			`{"req_id":"c1","ok":true,"result":{"number":"A001"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent = nil
			if err := respond(tc.device, []byte(tc.body)); err != nil {
				t.Fatal(err)
			}
			if len(sent) != 1 || sent[0] != tc.want {
				t.Errorf("sent %q, want %q", sent, tc.want)
			}
		})
	}
}
