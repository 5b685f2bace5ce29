package firmwareconfig

import (
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

func TestBody(t *testing.T) {
	sp := &queue.Spec{HallID: "nt-main", RatingWindow: 120 * time.Second}
	ds := Desired{Version: 4, Settings: map[string]map[string]any{"counter_display": {"brightness": 40}}}
	b := ds.Body(queue.DeviceSpec{ID: "led-12", Kind: "counter_display", Counter: "12"}, sp)
	settings := b["settings"].(map[string]any)
	if b["version"] != 4 || b["counter"] != "12" || settings["brightness"] != 40 || settings["scroll_speed"] != 5 {
		t.Fatalf("body = %v", b)
	}
	if k := ds.Body(queue.DeviceSpec{ID: "kiosk-01", Kind: "kiosk"}, sp); k["counter"] != nil || k["version"] != 4 {
		t.Fatalf("kiosk body = %v", k)
	}
	if v := (Desired{}).Body(queue.DeviceSpec{ID: "x", Kind: "rater", Counter: "1"}, sp)["version"]; v != 1 {
		t.Fatalf("default version = %v, want 1", v)
	}
}

func TestDrifts(t *testing.T) {
	v := &queue.View{Devices: []queue.DeviceView{
		{ID: "kiosk-01", Kind: "kiosk", Online: true, ConfigVersion: 2},
		{ID: "kiosk-02", Kind: "kiosk", Online: true, ConfigVersion: 1},
		{ID: "led-1", Kind: "counter_display", Online: false, ConfigVersion: 1},
		{ID: "rater-1", Kind: "rater", Online: true},
	}}
	got := Desired{Version: 2}.Drifts(v)
	if len(got) != 2 || got[0].Device != "kiosk-02" || got[1].Device != "rater-1" || got[1].Reported != 0 {
		t.Fatalf("drifts = %+v, want kiosk-02 (reports 1) and rater-1 (reports none)", got)
	}
}

func TestValidate(t *testing.T) {
	if err := Validate("kiosk", map[string]any{"idle_return_s": 30, "print": false}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind string
		s    map[string]any
	}{
		{"kiosk", map[string]any{"idle_return_s": 1}},
		{"kiosk", map[string]any{"nope": true}},
		{"caller", map[string]any{"beep": 1}},
		{"toaster", nil},
	} {
		if err := Validate(tc.kind, tc.s); err == nil {
			t.Fatalf("Validate(%s, %v) accepted", tc.kind, tc.s)
		}
	}
	for kind, fields := range Schema() {
		defaults := map[string]any{}
		for k, f := range fields {
			defaults[k] = f.Default
		}
		if err := Validate(kind, defaults); err != nil {
			t.Fatalf("the defaults of %s do not validate: %v", kind, err)
		}
	}
}
