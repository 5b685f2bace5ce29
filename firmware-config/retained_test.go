package firmwareconfig

import (
	"encoding/json"
	"testing"

	"github.com/hallq/hallq/queue"
)

func retainedSpec() *queue.Spec {
	return &queue.Spec{HallID: "nt-main", Devices: map[string]*queue.DeviceSpec{
		"caller-1": {ID: "caller-1", Kind: "caller", Counter: "1"}, "kiosk-01": {ID: "kiosk-01", Kind: "kiosk"}},
		DeviceOrder: []string{"caller-1", "kiosk-01"}}
}

// TestMessages: with all, every device's config and firmware (empty = none);
// otherwise only the firmware of devices a firmware.offered event names.
func TestMessages(t *testing.T) {
	sp := retainedSpec()
	rt := &Retained{Desired: Desired{Version: 3}, BaseURL: func() string { return "http://10.0.0.5:8080/" }}
	offer := &queue.FirmwareOffer{Version: "1.1.0", SHA256: "ab", Size: 7, Kind: "caller", Rollout: "fw-1"}
	v := &queue.View{FirmwareOffers: map[string]*queue.FirmwareOffer{"caller-1": offer}}
	got := map[string]string{}
	emit := func(device, leaf string, payload []byte) { got[device+"/"+leaf] = string(payload) }
	rt.Messages(sp, nil, v, true, emit)
	if len(got) != 4 || got["kiosk-01/firmware"] != "" {
		t.Fatalf("all = %v", got)
	}
	var fw map[string]any
	if err := json.Unmarshal([]byte(got["caller-1/firmware"]), &fw); err != nil {
		t.Fatal(err)
	}
	if fw["url"] != "http://10.0.0.5:8080/api/v1/halls/nt-main/firmware/images/caller/1.1.0" || fw["version"] != "1.1.0" ||
		fw["sha256"] != "ab" || fw["size"] != 7.0 || fw["rollout"] != "fw-1" || len(fw) != 5 {
		t.Fatalf("firmware = %v (CONTRACT §6: version, url, sha256, size, rollout)", fw)
	}
	var cfg map[string]any
	json.Unmarshal([]byte(got["caller-1/config"]), &cfg)
	if cfg["version"] != 3.0 || cfg["counter"] != "1" {
		t.Fatalf("config = %v", cfg)
	}
	got = map[string]string{}
	rt.Messages(sp, []queue.Event{{Kind: queue.EvTicketIssued}, {Kind: queue.EvFirmwareOffered, Device: "caller-1"},
		{Kind: queue.EvFirmwareOffered, Device: "caller-1"}, {Kind: queue.EvFirmwareOffered, Device: "ghost"}}, v, false, emit)
	if len(got) != 1 || got["caller-1/firmware"] == "" {
		t.Fatalf("after an offer = %v, want caller-1's firmware only", got)
	}
}
