package config

import (
	"errors"
	"strings"
	"testing"
)

const apptYAML = `
appointments: {capacity: 6, days_ahead: 14}
integrations:
  - {id: wechat, name: 微信小程序, token_hash: "%s", token_hashes: ["%s"], roles: [appointments]}
calendar:
  exceptions:
    - {date: "2026-10-03", closed: true}
    - {date: "2026-10-03", open: "09:00", close: "12:00", only: appointments}
    - {date: "2026-10-03", open: "09:00", close: "17:00", services: [housing]}
`

func apptConfig(extra string) string {
	return strings.Replace(good, "hall:\n", strings.TrimPrefix(extra, "\n")+"hall:\n", 1)
}

func TestAppointmentKeys(t *testing.T) {
	src := apptConfig(strings.Replace(strings.Replace(apptYAML, "%s", HashToken("new-token"), 1), "%s", HashToken("old-token"), 1))
	src = strings.Replace(src, "daily_quota: 300", "daily_quota: 300\n    appointment_capacity: 2", 1)
	c, err := Parse("hall.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sp := c.Spec()
	if got, want := sp.SlotCapacity("social"), 2; got != want {
		t.Fatalf("social capacity = %d, want %d", got, want)
	}
	if got, want := sp.SlotCapacity("housing"), 6; got != want {
		t.Fatalf("housing capacity = %d, want %d", got, want)
	}
	if got, want := len(c.Integrations[0].Hashes()), 2; got != want {
		t.Fatalf("integration hashes = %d, want %d (rotation)", got, want)
	}
	at := mustTime(t, "2026-10-03T10:00:00+08:00")
	if sp.OpenAt(at) {
		t.Fatal("2026-10-03 is closed for walk-ins")
	}
	if !sp.OpenFor(at, "social", "appointment") || sp.OpenFor(at, "social", "walk_in") || !sp.OpenFor(at, "housing", "walk_in") {
		t.Fatal("extra windows not applied")
	}
	if sp.OpenFor(mustTime(t, "2026-10-03T13:00:00+08:00"), "social", "appointment") {
		t.Fatal("appointment window open after its close")
	}
	bad := []struct{ name, from, to, key string }{
		{"ErrOnly", "only: appointments", "only: walk_ins", "calendar.exceptions[1].only"},
		{"ErrService", "services: [housing]", "services: [nosuch]", "calendar.exceptions[2].services[0]"},
		{"ErrClosedWindow", `open: "09:00", close: "17:00", services`, `closed: true, services`, "calendar.exceptions[2].closed"},
		{"ErrWindowClose", `close: "12:00"`, `close: "08:00"`, "calendar.exceptions[1].close"},
		{"ErrHash", HashToken("new-token"), "plain-token", "integrations[0].token_hash"},
		{"ErrRole", "roles: [appointments]", "roles: [admin]", "integrations[0].roles[0]"},
		{"ErrID", "id: wechat", "id: kiosk-01", "integrations[0].id"},
		{"ErrCapacity", "capacity: 6", "capacity: -1", "appointments.capacity"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			s2 := strings.Replace(src, tc.from, tc.to, 1)
			if s2 == src {
				t.Fatalf("replacement %q did not apply", tc.from)
			}
			_, err := Parse("hall.yaml", []byte(s2))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tc.key {
				t.Fatalf("key = %q, want %q (%v)", ce.Key, tc.key, err)
			}
		})
	}
}
