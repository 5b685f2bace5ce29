package main

import (
	"bytes"
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

	"github.com/hallq/hallq/kiosk"
)

// TestKioskPrintOverMQTTAndESCPOS checks, against a real hallqd, that an
// MQTT kiosk's ticket.take result carries the same print data as an HTTP
// kiosk's (qr_url and print), that a repeated req_id gets it back
// unchanged, and that GET …/tickets/{id}/escpos renders that layout as
// ESC/POS for a kiosk and refuses other devices (docs/devices.md, docs/http-api.md).
func TestKioskPrintOverMQTTAndESCPOS(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	path := filepath.Join(dir, "hall.yaml")
	cfg := strings.Replace(fmt.Sprintf(crashConfig, hp, mp, filepath.Join(dir, "data")),
		"  - {id: kiosk-01, kind: kiosk, secret: k1}\n",
		"  - {id: kiosk-01, kind: kiosk, secret: k1}\n  - {id: caller-1, kind: caller, counter: \"1\", secret: c1}\n", 1)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	m := startMain(t, path)
	defer func() { m.Close() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", hp)

	res := make(chan []byte, 4)
	connect := func() paho.Client {
		t.Helper()
		opts := paho.NewClientOptions().AddBroker(fmt.Sprintf("tcp://127.0.0.1:%d", mp)).
			SetClientID("kiosk-01").SetUsername("kiosk-01").SetPassword("k1").SetAutoReconnect(false)
		c := paho.NewClient(opts)
		if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("connect: %v", tok.Error())
		}
		if tok := c.Subscribe("hallq/v1/crash/dev/kiosk-01/res", 1, func(_ paho.Client, msg paho.Message) {
			res <- append([]byte(nil), msg.Payload()...)
		}); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
		return c
	}
	c := connect()
	take := func() json.RawMessage {
		t.Helper()
		c.Publish("hallq/v1/crash/dev/kiosk-01/req", 1, false, `{"req_id":"print-1","op":"ticket.take","service":"social"}`)
		select {
		case raw := <-res:
			var r struct {
				OK     bool            `json:"ok"`
				Result json.RawMessage `json:"result"`
			}
			if err := json.Unmarshal(raw, &r); err != nil || !r.OK {
				t.Fatalf("ticket.take answered %s", raw)
			}
			return r.Result
		case <-time.After(10 * time.Second):
			t.Fatal("no answer to ticket.take")
		}
		return nil
	}
	first := take()
	var got struct {
		TicketID string             `json:"ticket_id"`
		Number   string             `json:"number"`
		QRURL    string             `json:"qr_url"`
		Print    *kiosk.PrintLayout `json:"print"`
	}
	if err := json.Unmarshal(first, &got); err != nil {
		t.Fatal(err)
	}
	if got.Print == nil || got.Print.Number != got.Number || got.Print.Header[0] != "崩溃测试" {
		t.Fatalf("MQTT ticket.take result without the print layout: %s", first)
	}
	if want := base + "/t/" + got.TicketID; got.QRURL != want || got.Print.QR != want {
		t.Errorf("qr_url %q, print.qr %q, want %q", got.QRURL, got.Print.QR, want)
	}
	if again := take(); !bytes.Equal(again, first) {
		t.Errorf("a repeated req_id got another result:\n%s\n%s", first, again)
	}

	get := func(auth, ticket string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/api/v1/halls/crash/tickets/"+ticket+"/escpos", nil)
		req.Header.Set("Authorization", auth)
		resp, err := httpClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	t.Run("OK", func(t *testing.T) {
		resp, body := get("Bearer kiosk-01:k1", got.TicketID)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		// Nobody else waits, so the figures now are those at issue: the same bytes.
		if want := kiosk.RenderESCPOS(*got.Print); !bytes.Equal(body, want) {
			t.Errorf("ESC/POS differs from the print layout rendered (%d bytes, want %d)", len(body), len(want))
		}
	})
	t.Run("ErrCallerDevice", func(t *testing.T) {
		if resp, body := get("Bearer caller-1:c1", got.TicketID); resp.StatusCode != 403 {
			t.Errorf("a caller got status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrUnknownTicket", func(t *testing.T) {
		if resp, body := get("Bearer kiosk-01:k1", "20200101-Z999"); resp.StatusCode != 404 {
			t.Errorf("unknown ticket: status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrNoAuth", func(t *testing.T) {
		if resp, body := get("", got.TicketID); resp.StatusCode != 401 {
			t.Errorf("no credentials: status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("OKRepeatAfterRestart", func(t *testing.T) {
		c.Disconnect(100)
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		m = startMain(t, path)
		c = connect()
		defer c.Disconnect(100)
		if again := take(); !bytes.Equal(again, first) {
			t.Errorf("after a restart a repeated req_id got another result:\n%s\n%s", first, again)
		}
	})
}
