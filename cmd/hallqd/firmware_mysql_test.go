package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// TestFirmwareRolloutReplicatesAndRestores: a rollout and a device's
// progress are journal events, so they reach MySQL and `hallqd restore
// --from-mysql` brings the rollout back where it was (CONTRACT §6).
func TestFirmwareRolloutReplicatesAndRestores(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	path, dsn := withMySQL(t, dir, "firmware_e2e", fmt.Sprintf(crashConfig, freePort(t), freePort(t), data))
	m := startMain(t, path)
	ctx := context.Background()
	do := func(cmd queue.Command) {
		t.Helper()
		if rep := m.Hall.Do(ctx, hall.Request{Source: "t", Cmd: cmd}); !rep.OK {
			t.Fatalf("%T: %v", cmd, rep.Error)
		}
	}
	do(queue.ReportPresence{Device: "kiosk-01", Online: true, FW: "1.0.0", FWState: "idle"})
	do(queue.StoreFirmwareImage{Kind: "kiosk", Version: "1.0.0", SHA256: strings.Repeat("a", 64), Size: 10})
	do(queue.StoreFirmwareImage{Kind: "kiosk", Version: "2.0.0", SHA256: strings.Repeat("b", 64), Size: 20})
	do(queue.StartRollout{Kind: "kiosk", Version: "2.0.0", CanaryPercent: 10, SoakS: 3600, MaxFailures: 0})
	do(queue.ReportPresence{Device: "kiosk-01", Online: true, FW: "2.0.0", FWState: "idle"})
	rollout := func(m *Main) string {
		var out []byte
		if err := m.Hall.Query(ctx, func(s *queue.State) {
			out, _ = json.Marshal(s.Firmware.RolloutByID("fw-1"))
		}); err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := rollout(m)
	if !strings.Contains(before, `"updated":true`) {
		t.Fatalf("kiosk-01 not updated: %s", before)
	}
	waitReplicated(t, m, dsn)
	m2 := wipeAndRestore(t, m, path, data)
	defer m2.Close()
	if after := rollout(m2); after != before {
		t.Fatalf("restored rollout differs:\nbefore %s\nafter  %s", before, after)
	}
	if o := m2.Hall.View().FirmwareOffers["kiosk-01"]; o == nil || o.Version != "2.0.0" {
		t.Fatalf("restored offer of kiosk-01 = %+v", o)
	}
}
