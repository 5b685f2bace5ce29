package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/internal/testenv"
)

// TestDesiredDeviceConfigAndDrift checks that a kiosk finds its retained
// desired config with the hall's device_config settings, and that the drift
// gauge counts it until it reports that version.
func TestDesiredDeviceConfigAndDrift(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	path := filepath.Join(dir, "hall.yaml")
	cfg := fmt.Sprintf(crashConfig, hp, mp, filepath.Join(dir, "data")) +
		"device_config:\n  version: 2\n  settings:\n    kiosk: {idle_return_s: 30}\n"
	os.WriteFile(path, []byte(cfg), 0o644)
	m := startMain(t, path)
	defer m.Close()

	got := make(chan []byte, 1)
	opts := paho.NewClientOptions().AddBroker(fmt.Sprintf("tcp://127.0.0.1:%d", mp)).
		SetClientID("kiosk-01").SetUsername("kiosk-01").SetPassword("k1").SetAutoReconnect(false)
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	c.Subscribe("hallq/v1/crash/dev/kiosk-01/config", 1, func(_ paho.Client, msg paho.Message) {
		select {
		case got <- msg.Payload():
		default:
		}
	}).WaitTimeout(10 * time.Second)
	var body struct {
		Version  int            `json:"version"`
		Settings map[string]any `json:"settings"`
	}
	select {
	case raw := <-got:
		json.Unmarshal(raw, &body)
	case <-time.After(10 * time.Second):
		t.Fatal("no retained config for kiosk-01")
	}
	if body.Version != 2 || body.Settings["idle_return_s"] != float64(30) || body.Settings["print"] != true {
		t.Fatalf("config = %+v", body)
	}
	drift := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", hp))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "hallq_devices_config_drift ") {
				return strings.TrimPrefix(l, "hallq_devices_config_drift ")
			}
		}
		return ""
	}
	c.Publish("hallq/v1/crash/dev/kiosk-01/status", 1, true, `{"online":true,"fw":"1.0.0","config_version":1}`).WaitTimeout(5 * time.Second)
	testenv.Eventually(t, 10*time.Second, func() bool { return drift() == "1" }, "a kiosk on config 1 is not counted as drift")
	c.Publish("hallq/v1/crash/dev/kiosk-01/status", 1, true, `{"online":true,"fw":"1.0.0","config_version":2}`).WaitTimeout(5 * time.Second)
	testenv.Eventually(t, 10*time.Second, func() bool { return drift() == "0" }, "drift stays after the kiosk reported config 2")
}
