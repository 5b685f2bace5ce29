package devices

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hallq/hallq/queue"
)

// statusProbe is a presence whose reports are kept, not sent to a hall.
func statusProbe(t testing.TB) (*presence, func() presenceState) {
	sp := &queue.Spec{Devices: map[string]*queue.DeviceSpec{"caller-1": {ID: "caller-1", Kind: "caller"}}, DeviceOrder: []string{"caller-1"}}
	p := newPresence(context.Background(), sp, nil, func(context.Context, string, presenceState) error { return nil },
		func(string, float64) {})
	t.Cleanup(p.close)
	return p, func() presenceState {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.devs["caller-1"].want
	}
}

// TestStatusFirmwareFields: fw_state and fw_error of a status (CONTRACT §6)
// are read, bounded and validated; bad values keep the previous ones.
func TestStatusFirmwareFields(t *testing.T) {
	p, want := statusProbe(t)
	p.status("caller-1", []byte(`{"online":true,"fw":"1.0.3","fw_state":"downloading"}`))
	if got := want(); got.FWState != "downloading" || got.FW != "1.0.3" {
		t.Fatalf("state = %+v", got)
	}
	p.status("caller-1", []byte(`{"online":true,"fw_state":"failed","fw_error":"sha256 不符\n`+strings.Repeat("x", 400)+`"}`))
	got := want()
	if got.FWState != "failed" || len(got.FWError) > maxFWError || strings.ContainsRune(got.FWError, '\n') || !strings.HasPrefix(got.FWError, "sha256 不符") {
		t.Fatalf("failed status = %+v", got)
	}
	p.status("caller-1", []byte(`{"online":true,"fw_state":"exploded","fw":7}`))
	if got := want(); got.FWState != "failed" || got.FW != "1.0.3" {
		t.Fatalf("an unknown fw_state or a mistyped fw changed the record: %+v", got)
	}
	p.status("caller-1", []byte(`{"online":true,"fw":"1.1.0","fw_state":"idle"}`))
	if got := want(); got.FWState != "idle" || got.FWError != "" || got.FW != "1.1.0" {
		t.Fatalf("idle after failed = %+v, want the error cleared", got)
	}
}

// FuzzStatus feeds any payload to the status parser: it never panics, and
// what it records is within the contract's bounds.
func FuzzStatus(f *testing.F) {
	f.Add([]byte(`{"online":true,"fw":"1.0.3","config_version":4,"fw_state":"failed","fw_error":"boom"}`))
	f.Add([]byte(`{"online":false}`))
	f.Add([]byte(`{"fw_error":"\u0000\u00ff` + strings.Repeat("长", 100) + `"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		p, want := statusProbe(t)
		p.status("caller-1", payload)
		got := want()
		if got.FWState != "" && !queue.ValidFWState(got.FWState) {
			t.Fatalf("fw_state %q recorded", got.FWState)
		}
		if len(got.FWError) > maxFWError || !utf8.ValidString(got.FWError) || strings.ContainsAny(got.FWError, "\x00\n\r\x7f") {
			t.Fatalf("fw_error %q recorded", got.FWError)
		}
		if len(got.FW) > 64 {
			t.Fatalf("fw of %d bytes recorded", len(got.FW))
		}
	})
}
