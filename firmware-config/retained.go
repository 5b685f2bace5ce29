package firmwareconfig

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/hallq/hallq/queue"
)

// Leaves of the retained messages produced here (CONTRACT §2, §6).
const (
	LeafConfig   = "config"
	LeafFirmware = "firmware"
)

// Retained is the one place that produces every device's desired retained
// messages, dev/{id}/config and dev/{id}/firmware, from the hall's state;
// the devices package only publishes them.
type Retained struct {
	Desired Desired
	// BaseURL is hall.public_url (or http://{listen.http}); image urls are
	// absolute and based on it (CONTRACT §6).
	BaseURL func() string
}

// Firmware is the retained dev/{id}/firmware message (CONTRACT §6).
type Firmware struct {
	Version string `json:"version"`
	URL     string `json:"url"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Rollout string `json:"rollout"`
}

// ImagePath is where hallq serves an image to devices, below the base URL.
func ImagePath(hall, kind, version string) string {
	return "/api/v1/halls/" + url.PathEscape(hall) + "/firmware/images/" + url.PathEscape(kind) + "/" + url.PathEscape(version)
}

// FirmwarePayload is the retained firmware message of one device: the JSON
// of its offer, or empty (none) when it has no offer.
func (rt *Retained) FirmwarePayload(sp *queue.Spec, o *queue.FirmwareOffer) []byte {
	if o == nil {
		return []byte{}
	}
	base := ""
	if rt.BaseURL != nil {
		base = strings.TrimRight(rt.BaseURL(), "/")
	}
	body, _ := json.Marshal(Firmware{Version: o.Version, URL: base + ImagePath(sp.HallID, o.Kind, o.Version),
		SHA256: o.SHA256, Size: o.Size, Rollout: o.Rollout})
	return body
}

// Messages calls emit for the retained messages to publish after events
// evs led to view v: with all, every device's config and firmware (as after
// a start or a broker reconnect); otherwise the firmware of each device an
// event offered firmware to.
func (rt *Retained) Messages(sp *queue.Spec, evs []queue.Event, v *queue.View, all bool, emit func(device, leaf string, payload []byte)) {
	if all {
		for _, id := range sp.DeviceOrder {
			body, _ := json.Marshal(rt.Desired.Body(*sp.Devices[id], sp))
			emit(id, LeafConfig, body)
			emit(id, LeafFirmware, rt.FirmwarePayload(sp, v.FirmwareOffers[id]))
		}
		return
	}
	seen := map[string]bool{}
	for i := range evs {
		e := &evs[i]
		if e.Kind != queue.EvFirmwareOffered || seen[e.Device] || sp.Devices[e.Device] == nil {
			continue
		}
		seen[e.Device] = true
		emit(e.Device, LeafFirmware, rt.FirmwarePayload(sp, v.FirmwareOffers[e.Device]))
	}
}
