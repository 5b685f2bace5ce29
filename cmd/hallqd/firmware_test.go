package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/config"
)

// startFirmwareDemo starts the demo hall with a 4 KiB image limit.
func startFirmwareDemo(t *testing.T) *e2eDaemon {
	t.Helper()
	return startE2EWith(t, func(cfg *config.Config) { cfg.Firmware.MaxImageBytes = 4096 })
}

// deviceClient connects a demo device to the embedded broker and collects
// the messages of topic.
func deviceClient(t *testing.T, d *e2eDaemon, id, secret, topic string) (paho.Client, <-chan []byte) {
	t.Helper()
	got := make(chan []byte, 16)
	c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + d.m.Config.Listen.MQTT).
		SetClientID(id).SetUsername(id).SetPassword(secret).SetAutoReconnect(false))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", id, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	tok := c.Subscribe(topic, 1, func(_ paho.Client, m paho.Message) { got <- append([]byte(nil), m.Payload()...) })
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil || tok.(*paho.SubscribeToken).Result()[topic] >= 0x80 {
		t.Fatalf("%s may not subscribe %s (CONTRACT §2 security)", id, topic)
	}
	return c, got
}

func nextMsg(t *testing.T, ch <-chan []byte, what string) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 s", what)
		return nil
	}
}

// fetch GETs url with an Authorization header and an optional Range.
func fetch(t *testing.T, url, auth, rng string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func keysOf(m map[string]json.RawMessage) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// TestFirmwareImagesAndRollout checks CONTRACT §6 through a running hallqd:
// who may upload, the retained dev/{id}/firmware message, who may download
// (401/403), range requests, the rollout document, halt and rollback.
func TestFirmwareImagesAndRollout(t *testing.T) {
	d := startFirmwareDemo(t)
	admin, csrf := d.login(t, "admin", "demo-admin")
	staffC, staffCSRF := d.login(t, "s01", "demo-s01")
	img := make([]byte, 3000)
	rand.Read(img)
	sum := sha256.Sum256(img)
	path := demoHall + "/firmware/images/caller/1.1.0"

	wantStatus(t, "PUT without a session", d.call(t, nil, "PUT", path, nil, string(img)), 401, "unauthorized")
	wantStatus(t, "PUT without CSRF", d.call(t, admin, "PUT", path, nil, string(img)), 403, "forbidden")
	wantStatus(t, "PUT by staff", d.call(t, staffC, "PUT", path, staffCSRF, string(img)), 403, "forbidden")
	wantStatus(t, "PUT over max_image_bytes", d.call(t, admin, "PUT", path, csrf, strings.Repeat("x", 4097)), 400, "bad_request")
	wantStatus(t, "PUT of a bad version", d.call(t, admin, "PUT", demoHall+"/firmware/images/caller/v!1", csrf, "x"), 400, "bad_request")
	wantStatus(t, "PUT of a bad kind", d.call(t, admin, "PUT", demoHall+"/firmware/images/toaster/1.0", csrf, "x"), 400, "bad_request")
	r := d.call(t, admin, "PUT", path, csrf, string(img))
	var stored struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	json.Unmarshal(r.Result, &stored)
	if !r.OK || stored.SHA256 != hex.EncodeToString(sum[:]) || stored.Size != 3000 {
		t.Fatalf("PUT: %v", r)
	}
	wantStatus(t, "PUT of the same image again", d.call(t, admin, "PUT", path, csrf, string(img)), 200, "")
	wantStatus(t, "PUT of other bytes under the same version", d.call(t, admin, "PUT", path, csrf, "other"), 409, "invalid_state")
	old := bytes.Repeat([]byte("v1"), 500)
	wantStatus(t, "PUT 1.0.0", d.call(t, admin, "PUT", demoHall+"/firmware/images/caller/1.0.0", csrf, string(old)), 200, "")

	// caller-1 is the only caller online, so it is the canary.
	dev, fwMsgs := deviceClient(t, d, "caller-1", "demo-caller-1", "hallq/v1/demo/dev/caller-1/firmware")
	dev.Publish("hallq/v1/demo/dev/caller-1/status", 1, true, `{"online":true,"fw":"1.0.0","fw_state":"idle"}`).WaitTimeout(10 * time.Second)
	waitFor(t, "caller-1 online with 1.0.0", func() bool {
		for _, dv := range d.m.Hall.View().Devices {
			if dv.ID == "caller-1" {
				return dv.Online && dv.FW == "1.0.0"
			}
		}
		return false
	})
	wantStatus(t, "rollout by staff", d.call(t, staffC, "POST", demoHall+"/firmware/rollouts", staffCSRF, `{"kind":"caller","version":"1.1.0"}`), 403, "forbidden")
	wantStatus(t, "rollout of an unknown version", d.call(t, admin, "POST", demoHall+"/firmware/rollouts", csrf, `{"kind":"caller","version":"9"}`), 400, "bad_request")
	r = d.call(t, admin, "POST", demoHall+"/firmware/rollouts", csrf, `{"kind":"caller","version":"1.1.0","canary_percent":1,"soak_s":600,"max_failures":0}`)
	if !r.OK {
		t.Fatalf("rollout: %v", r)
	}
	var top map[string]json.RawMessage
	json.Unmarshal(r.Result, &top)
	if got, want := keysOf(top), "devices,id,kind,state,version"; got != want {
		t.Errorf("rollout keys %s, want %s (CONTRACT §6)", got, want)
	}
	var ro struct {
		ID      string                       `json:"id"`
		State   string                       `json:"state"`
		Devices []map[string]json.RawMessage `json:"devices"`
	}
	json.Unmarshal(r.Result, &ro)
	if ro.State != "canary" || len(ro.Devices) == 0 || keysOf(ro.Devices[0]) != "fw,fw_state,id,target" {
		t.Fatalf("rollout = %s", r.Result)
	}

	var offer map[string]any
	json.Unmarshal(nextMsg(t, fwMsgs, "firmware message"), &offer)
	url := d.base + path
	if offer["version"] != "1.1.0" || offer["url"] != url || offer["sha256"] != stored.SHA256 || offer["size"] != 3000.0 || offer["rollout"] != ro.ID || len(offer) != 5 {
		t.Fatalf("dev/caller-1/firmware = %v", offer)
	}

	for _, tc := range []struct {
		what, auth string
		status     int
	}{
		{"no credentials", "", 401},
		{"a wrong secret", "Bearer caller-1:nope", 401},
		{"not a bearer token", "Basic Y2FsbGVyLTE6ZGVtby1jYWxsZXItMQ==", 401},
		{"a device of another kind", "Bearer kiosk-01:demo-kiosk-01", 403},
		{"a caller not offered it", "Bearer caller-2:demo-caller-2", 403},
	} {
		if status, _ := fetch(t, url, tc.auth, ""); status != tc.status {
			t.Errorf("download with %s: HTTP %d, want %d", tc.what, status, tc.status)
		}
	}
	status, body := fetch(t, url, "Bearer caller-1:demo-caller-1", "")
	if status != 200 || !bytes.Equal(body, img) {
		t.Fatalf("download by caller-1: HTTP %d, %d bytes", status, len(body))
	}
	status, body = fetch(t, url, "Bearer caller-1:demo-caller-1", "bytes=1000-1999")
	if status != http.StatusPartialContent || !bytes.Equal(body, img[1000:2000]) {
		t.Fatalf("range download: HTTP %d, %d bytes", status, len(body))
	}

	dev.Publish("hallq/v1/demo/dev/caller-1/status", 1, true, `{"online":true,"fw":"1.0.0","fw_state":"failed","fw_error":"flash write error"}`).WaitTimeout(10 * time.Second)
	waitFor(t, "halted after a failure with max_failures 0", func() bool {
		g := d.call(t, admin, "GET", demoHall+"/firmware/rollouts/"+ro.ID, nil, "")
		json.Unmarshal(g.Result, &ro)
		return ro.State == "halted"
	})
	wantStatus(t, "halt of a halted rollout", d.call(t, admin, "POST", demoHall+"/firmware/rollouts/"+ro.ID+"/halt", csrf, ""), 409, "invalid_state")
	r = d.call(t, admin, "POST", demoHall+"/firmware/rollouts/"+ro.ID+"/rollback", csrf, "")
	if !r.OK || !strings.Contains(string(r.Result), `"rolled_back"`) {
		t.Fatalf("rollback: %v", r)
	}
	json.Unmarshal(nextMsg(t, fwMsgs, "firmware message after rollback"), &offer)
	if offer["version"] != "1.0.0" || offer["size"] != 1000.0 {
		t.Fatalf("after rollback dev/caller-1/firmware = %v", offer)
	}
	wantStatus(t, "GET of an unknown rollout", d.call(t, admin, "GET", demoHall+"/firmware/rollouts/fw-99", nil, ""), 400, "bad_request")
	fleet := d.call(t, admin, "GET", demoHall+"/firmware/devices", nil, "")
	if !fleet.OK || !strings.Contains(string(fleet.Result), `"fw_error":"flash write error"`) {
		t.Fatalf("fleet: %v", fleet)
	}
	wantStatus(t, "fleet for staff", d.call(t, staffC, "GET", demoHall+"/firmware/devices", nil, ""), 403, "forbidden")
}

// waitFor polls cond until it holds, for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

// TestFirmwareCLI runs hallqd firmware upload|rollout|status|halt|rollback
// against a running hallqd.
func TestFirmwareCLI(t *testing.T) {
	d := startFirmwareDemo(t)
	file := filepath.Join(t.TempDir(), "kiosk-2.0.0.bin")
	os.WriteFile(file, []byte("kiosk firmware 2.0.0"), 0o644)
	ctx := context.Background()
	cli := func(args ...string) (map[string]any, error) {
		var out bytes.Buffer
		err := firmwareCLI(ctx, append([]string{"--url", d.base, "--password", "demo-admin"}, args...), &out)
		var res map[string]any
		if err == nil {
			if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil {
				t.Fatalf("%v printed %q", args, out.String())
			}
		}
		return res, err
	}
	res, err := cli("upload", "kiosk", "2.0.0", file)
	if err != nil || res["size"] != 20.0 || res["sha256"] == nil {
		t.Fatalf("upload: %v %v", res, err)
	}
	res, err = cli("--canary-percent", "50", "--soak", "1h", "rollout", "kiosk", "2.0.0")
	if err != nil || res["state"] != "canary" || res["id"] != "fw-1" {
		t.Fatalf("rollout: %v %v", res, err)
	}
	if _, err := cli("rollout", "kiosk", "2.0.0"); !errAPI(err, "invalid_state") {
		t.Errorf("a second rollout: %v, want invalid_state", err)
	}
	if res, err = cli("status", "fw-1"); err != nil || res["kind"] != "kiosk" || len(res["devices"].([]any)) != 2 {
		t.Fatalf("status: %v %v", res, err)
	}
	if res, err = cli("status"); err != nil || len(res["rollouts"].([]any)) != 1 {
		t.Fatalf("status of all: %v %v", res, err)
	}
	if res, err = cli("halt", "fw-1"); err != nil || res["state"] != "halted" {
		t.Fatalf("halt: %v %v", res, err)
	}
	if res, err = cli("rollback", "fw-1"); err != nil || res["state"] != "rolled_back" {
		t.Fatalf("rollback: %v %v", res, err)
	}
	var out bytes.Buffer
	if err := firmwareCLI(ctx, []string{"--url", d.base, "--password", "wrong", "status"}, &out); !errAPI(err, "unauthorized") {
		t.Errorf("a wrong password: %v, want unauthorized", err)
	}
	var ue *usageError
	if err := firmwareCLI(ctx, []string{"rollout", "kiosk"}, &out); !errors.As(err, &ue) {
		t.Errorf("a missing argument: %v, want a usage error", err)
	}
	if code := exitCode(firmwareCLI(ctx, []string{"frobnicate"}, &out)); code != 2 {
		t.Errorf("unknown firmware command exits %d, want 2", code)
	}
}
