package config

import (
	"errors"
	"strings"
	"testing"
	"time"
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

func TestManagementKeys(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		src := good + `calendar:
  holidays: ["2026-10-01"]
  workdays: ["2026-10-10"]
  exceptions:
    - {date: "2026-11-23", closed: true}
    - {date: "2026-11-24", open: "07:30", close: "20:00"}
evaluation: {verify_days: 2, rectify_days: 10}
supervision: {red_factor: 3, idle_with_queue_s: 1.5}
staff:
  - {id: s01, name: 张敏, staff_no: "A0317", unit: 人社局, role: staff, password: x, counters: ["12"]}
`
		c, err := Parse("hall.yaml", []byte(strings.Replace(src, "daily_quota: 300", "daily_quota: 300\n    target_wait_min: 0.05\n    promise_days: 5\n    info: {items: {zh: 社保登记}, phone: \"0513-12345\"}", 1)))
		if err != nil {
			t.Fatal(err)
		}
		sp := c.Spec()
		if got, want := sp.Services["social"].TargetWait, 3*time.Second; got != want {
			t.Errorf("target wait = %v, want %v", got, want)
		}
		if sp.Services["social"].PromiseDays != 5 || sp.Services["social"].Info.Phone != "0513-12345" {
			t.Errorf("service management keys not in the spec: %+v", sp.Services["social"])
		}
		if got, _ := sp.Calendar.AddWorkdays("2026-09-30", 1); got != "2026-10-02" {
			t.Errorf("first working day after 09-30 = %s, want 2026-10-02 (only 10-01 is a holiday here)", got)
		}
		if !sp.Calendar.IsWorkday("2026-10-10") || sp.Calendar.IsWorkday("2026-10-11") {
			t.Error("make-up Saturday / plain Sunday wrong")
		}
		if sp.OpenAt(mustTime(t, "2026-11-23T09:00:00+08:00")) {
			t.Error("a closed exception day issues tickets")
		}
		if !sp.OpenAt(mustTime(t, "2026-11-24T19:00:00+08:00")) || sp.OpenAt(mustTime(t, "2026-11-24T20:00:00+08:00")) {
			t.Error("extended hours not applied")
		}
		if sp.VerifyDays != 2 || sp.RectifyDays != 10 || sp.Supervision.RedFactor != 3 ||
			sp.Supervision.IdleWithQueue != 1500*time.Millisecond || sp.Supervision.LongPause != 900*time.Second {
			t.Errorf("evaluation/supervision = %d %d %+v", sp.VerifyDays, sp.RectifyDays, sp.Supervision)
		}
		st := sp.Staff["s01"]
		if st == nil || st.StaffNo != "A0317" || st.Unit != "人社局" || !st.MaySignInAt("12") || st.MaySignInAt("13") {
			t.Errorf("staff card = %+v", st)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		c, err := Parse("hall.yaml", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		sp := c.Spec()
		if sp.VerifyDays != 1 || sp.RectifyDays != 15 || sp.Supervision.RedFactor != 2 || sp.Supervision.DeviceOffline != time.Minute {
			t.Errorf("defaults = %d %d %+v", sp.VerifyDays, sp.RectifyDays, sp.Supervision)
		}
		if sp.Calendar.IsWorkday("2026-11-28") || !sp.Calendar.IsWorkday("2026-11-27") {
			t.Error("default weekend is not sat, sun")
		}
	})
	for name, tc := range map[string]struct{ block, key string }{
		"ErrHolidayDate":       {"calendar: {holidays: [\"2026-10-01\", \"2026-13-01\"]}\n", "calendar.holidays[1]"},
		"ErrHolidayAndWorkday": {"calendar: {holidays: [\"2026-10-01\"], workdays: [\"2026-10-01\"]}\n", "calendar.workdays[0]"},
		"ErrWeekendDay":        {"calendar: {weekend: [sat, caturday]}\n", "calendar.weekend[1]"},
		"ErrExceptionClock":    {"calendar: {exceptions: [{date: \"2026-12-24\", open: \"8:30\", close: \"20:00\"}]}\n", "calendar.exceptions[0].open"},
		"ErrExceptionOrder":    {"calendar: {exceptions: [{date: \"2026-12-24\", open: \"20:00\", close: \"08:30\"}]}\n", "calendar.exceptions[0]"},
		"ErrVerifyDays":        {"evaluation: {verify_days: -1}\n", "evaluation.verify_days"},
		"ErrRedFactor":         {"supervision: {red_factor: 0.5}\n", "supervision.red_factor"},
		"ErrStaffCounter":      {"staff: [{id: s01, name: x, role: staff, password: x, counters: [\"99\"]}]\n", "staff[0].counters[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("hall.yaml", []byte(good+tc.block))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tc.key || ce.File != "hall.yaml" {
				t.Fatalf("file %q key %q, want hall.yaml %q (%v)", ce.File, ce.Key, tc.key, err)
			}
		})
	}
}
