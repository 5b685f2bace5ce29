package config

import (
	"errors"
	"strings"
	"testing"
)

func TestDemoIsValid(t *testing.T) {
	c := Demo()
	if got, want := c.Hall.ID, "demo"; got != want {
		t.Fatalf("hall id = %q, want %q", got, want)
	}
	sp := c.Spec()
	if len(sp.Counters) != 8 || len(sp.Services) != 6 {
		t.Fatalf("demo has %d counters and %d services", len(sp.Counters), len(sp.Services))
	}
}

const good = `
hall:
  id: nt-main
  name: {zh: 南通市政务服务中心, en: Nantong Government Service Centre}
  timezone: Asia/Shanghai
  hours:
    - days: [mon, tue, wed, thu, fri, sat, sun]
      open: "08:30"
      close: "17:30"
services:
  - id: social
    prefix: A
    name: {zh: 社保业务, en: Social security}
    daily_quota: 300
  - id: housing
    prefix: B
    name: {zh: 公积金, en: Housing fund}
counters:
  - id: "12"
    name: {zh: 12号窗口, en: Window 12}
    services: [social, housing]
devices:
  - id: kiosk-01
    kind: kiosk
    secret: "s3cret-kiosk-01"
  - id: caller-12
    kind: caller
    counter: "12"
    secret: x
listen:
  http: "127.0.0.1:8080"
  mqtt: "127.0.0.1:1883"
broker:
  url: ""
storage:
  dir: ./data
  mysql_dsn: ""
`

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := Parse("hall.yaml", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := *c.Hall.RecallLimit, 3; got != want {
			t.Fatalf("recall limit = %d, want %d", got, want)
		}
		if !c.Spec().OpenAt(mustTime(t, "2026-11-23T09:00:00+08:00")) || c.Spec().OpenAt(mustTime(t, "2026-11-23T18:00:00+08:00")) {
			t.Fatal("opening hours not applied")
		}
	})
	cases := []struct {
		name, from, to, key string
	}{
		{"ErrUnknownService", "services: [social, housing]", "services: [social, tax]", "counters[0].services[1]"},
		{"ErrDuplicatePrefix", "prefix: B", "prefix: A", "services[1].prefix"},
		{"ErrDuplicateID", "id: housing", "id: social", "services[1].id"},
		{"ErrBadHallID", "id: nt-main", "id: NT_Main", "hall.id"},
		{"ErrBadDeviceKind", "kind: kiosk", "kind: toaster", "devices[0].kind"},
		{"ErrUnboundCaller", "    counter: \"12\"\n", "", "devices[1].counter"},
		{"ErrBadHours", `close: "17:30"`, `close: "07:30"`, "hall.hours[0].close"},
		{"ErrBadCounterID", `id: "12"`, `id: "12/a"`, "counters[0].id"},
		{"ErrBadTimezone", "Asia/Shanghai", "Mars/Base", "hall.timezone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.from, tc.to, 1)
			if src == good {
				t.Fatalf("replacement %q did not apply", tc.from)
			}
			_, err := Parse("hall.yaml", []byte(src))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if got, want := ce.Key, tc.key; got != want {
				t.Fatalf("key = %q, want %q (%v)", got, want, err)
			}
			if !strings.Contains(err.Error(), "hall.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
		})
	}
	t.Run("ErrUnparsable", func(t *testing.T) {
		_, err := Parse("hall.yaml", []byte("hall: [unclosed"))
		var ce *Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Problem, "YAML") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		_, err := Parse("hall.yaml", []byte(strings.Replace(good, "daily_quota: 300", "daily_qouta: 300", 1)))
		if err == nil || !strings.Contains(err.Error(), "daily_qouta") {
			t.Fatalf("err = %v, want it to name the unknown key", err)
		}
	})
}

// TestDeviceWithoutSecret: the contract's own example lists a caller without
// a secret; it loads, and the device is refused at CONNECT (devauth).
func TestDeviceWithoutSecret(t *testing.T) {
	src := strings.Replace(good, "    counter: \"12\"\n    secret: x\n", "    counter: \"12\"\n", 1)
	if src == good {
		t.Fatal("replacement did not apply")
	}
	c, err := Parse("hall.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Devices[1].Secret != "" {
		t.Fatal("secret appeared from nowhere")
	}
}

func TestLargeHallExample(t *testing.T) {
	c, err := Load("../examples/large-hall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Devices), 400; got != want {
		t.Fatalf("devices = %d, want %d", got, want)
	}
}

func TestDeviceConfig(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		src := good + "device_config:\n  version: 3\n  settings:\n    kiosk: {idle_return_s: 20, print: false}\n"
		c, err := Parse("hall.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if c.DeviceConfig.Version != 3 || c.DeviceConfig.Settings["kiosk"]["idle_return_s"] != 20 {
			t.Fatalf("device_config = %+v", c.DeviceConfig)
		}
	})
	for name, block := range map[string]string{
		"ErrUnknownSetting": "    kiosk: {idle_return: 20}\n",
		"ErrOutOfRange":     "    counter_display: {brightness: 300}\n",
		"ErrWrongType":      "    caller: {beep: \"yes\"}\n",
		"ErrUnknownKind":    "    toaster: {x: 1}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("hall.yaml", []byte(good+"device_config:\n  version: 2\n  settings:\n"+block))
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(ce.Key, "device_config.settings.") {
				t.Fatalf("err = %v, want a config error under device_config.settings", err)
			}
		})
	}
}
