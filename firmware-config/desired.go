package firmwareconfig

import (
	"time"

	"github.com/hallq/hallq/queue"
)

// Desired is the hall's wanted device configuration: a version the operator
// raises on every change, and settings per kind over the schema's defaults.
type Desired struct {
	Version  int
	Settings map[string]map[string]any // kind -> setting -> value
}

// Body is the retained dev/{id}/config message of device d: {"version":N,
// "hall","device","kind","counter","rating_window_s", "settings":{…}}.
func (ds Desired) Body(d queue.DeviceSpec, sp *queue.Spec) map[string]any {
	settings := map[string]any{}
	for k, f := range Schema()[d.Kind] {
		settings[k] = f.Default
	}
	for k, v := range ds.Settings[d.Kind] {
		settings[k] = v
	}
	var counter any
	if d.Counter != "" {
		counter = d.Counter
	}
	version := ds.Version
	if version < 1 {
		version = 1
	}
	return map[string]any{"version": version, "hall": sp.HallID, "device": d.ID, "kind": d.Kind, "counter": counter,
		"rating_window_s": int(sp.RatingWindow / time.Second), "settings": settings}
}

// Drift is a device that reports another config version than the desired one.
type Drift struct {
	Device   string `json:"device"`
	Kind     string `json:"kind"`
	Desired  int    `json:"desired"`
	Reported int    `json:"reported"` // 0 = never reported one
	Online   bool   `json:"online"`
}

// Drifts lists the online devices of v whose reported config version is not
// the desired one; offline devices are not counted until they come back.
func (ds Desired) Drifts(v *queue.View) []Drift {
	want := max(ds.Version, 1)
	var out []Drift
	for _, d := range v.Devices {
		if d.Online && d.ConfigVersion != want {
			out = append(out, Drift{Device: d.ID, Kind: d.Kind, Desired: want, Reported: d.ConfigVersion, Online: true})
		}
	}
	return out
}
