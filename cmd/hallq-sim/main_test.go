package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hallq/hallq/config"
)

func TestRunUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("hall: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"NoMode", nil, 2},
		{"BothModes", []string{"--demo", "--load"}, 2},
		{"UnknownFlag", []string{"--demo", "--bogus"}, 2},
		{"BadRate", []string{"--load", "--take-rate", "-1"}, 2},
		{"BadProfile", []string{"--load", "--profile", "weekly"}, 2},
		{"ExtraArgument", []string{"--demo", "now"}, 2},
		{"BadFWFailShare", []string{"--demo", "--fw-fail-share", "1.5"}, 2},
		{"BadConfig", []string{"--demo", "--config", bad}, 2},
		{"MissingConfig", []string{"--demo", "--config", filepath.Join(t.TempDir(), "none.yaml")}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := run(context.Background(), c.args, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("run succeeded")
			}
			if got := exitCode(err); got != c.code {
				t.Errorf("exit code %d for %v, want %d", got, err, c.code)
			}
		})
	}
}

func TestPickDevices(t *testing.T) {
	cfg := config.Demo()
	conns, logical := pickDevices(cfg, 5)
	if len(conns) != 5 || len(logical) != 5 {
		t.Fatalf("picked %d connections, %d devices; want 5, 5", len(conns), len(logical))
	}
	// Kiosks first, then whole counters: a prefix is a working hall.
	want := []string{"kiosk-01", "kiosk-02", "caller-1", "led-1", "rater-1"}
	for i, d := range conns {
		if d.ID != want[i] {
			t.Errorf("device %d is %s, want %s", i, d.ID, want[i])
		}
	}
	all := len(cfg.Devices)
	conns, logical = pickDevices(cfg, all+3)
	if len(conns) != all || len(logical) != all+3 {
		t.Fatalf("asking for %d: %d connections, %d devices", all+3, len(conns), len(logical))
	}
	if got, want := logical[all].ID, "kiosk-01"; got != want {
		t.Errorf("the first extra device reuses %s, want %s", got, want)
	}
	if conns, _ := pickDevices(cfg, 0); len(conns) != all {
		t.Errorf("--devices 0 picked %d, want all %d", len(conns), all)
	}
}

func TestServiceWeights(t *testing.T) {
	h := newHall(config.Demo())
	ids, w := h.serviceWeights()
	got := map[string]float64{}
	for i, id := range ids {
		got[id] = w[i]
	}
	// Demo: general at 1, 2 (half) and 8 (half): 2; social at 2, 3, 4: 2;
	// medical at 4 (half) and 5: 1.5; housing-fund, real-estate 1; tax 0.5.
	for id, want := range map[string]float64{"general": 2, "social": 2, "medical": 1.5, "housing-fund": 1, "real-estate": 1, "tax": 0.5} {
		if got[id] != want {
			t.Errorf("weight of %s = %v, want %v", id, got[id], want)
		}
	}
}
