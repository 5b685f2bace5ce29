package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hallq/hallq/calendar"
	"github.com/hallq/hallq/queue"
)

// Appointments are the booking rules (CONTRACT §5, docs/appointments.md).
type Appointments struct {
	Capacity  int `yaml:"capacity"`   // bookings per service and slot; default 4
	DaysAhead int `yaml:"days_ahead"` // how far ahead a slot may be booked; default 30
}

// Integration is an outside system that books appointments for citizens (a
// city booking website, a WeChat mini program). It authenticates with
// "Authorization: Bearer {id}:{token}"; hallq stores only the token's
// SHA-256. List two hashes to rotate a token without downtime.
type Integration struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	TokenHash   string   `yaml:"token_hash"`   // "sha256:<64 hex>"
	TokenHashes []string `yaml:"token_hashes"` // more accepted tokens, for rotation
	Roles       []string `yaml:"roles"`        // "appointments" (book, cancel, list)
}

// IntegrationRoles are the roles an integration may hold.
var integrationRoles = map[string]bool{"appointments": true}

var integrationIDRe = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// HashToken is the config form of an integration token's hash.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Hashes lists the accepted token hashes, decoded.
func (in Integration) Hashes() [][32]byte {
	var out [][32]byte
	for _, h := range append([]string{in.TokenHash}, in.TokenHashes...) {
		if b, ok := decodeHash(h); ok {
			out = append(out, b)
		}
	}
	return out
}

func decodeHash(h string) ([32]byte, bool) {
	var out [32]byte
	hexs, ok := strings.CutPrefix(h, "sha256:")
	if !ok {
		return out, false
	}
	b, err := hex.DecodeString(hexs)
	if err != nil || len(b) != 32 {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

// validateAppointments checks appointments, integrations, and the extra
// opening windows of hall.hours and calendar.exceptions.
func (c *Config) validateAppointments(bad func(key, format string, args ...any) error) error {
	if a := c.Appointments; a.Capacity < 0 || a.Capacity > 10000 {
		return bad("appointments.capacity", "must be 0 (default 4) to 10000")
	}
	if a := c.Appointments; a.DaysAhead < 0 || a.DaysAhead > 366 {
		return bad("appointments.days_ahead", "must be 0 (default 30) to 366")
	}
	services := map[string]bool{}
	for i, s := range c.Services {
		services[s.ID] = true
		if s.AppointmentCapacity < 0 || s.AppointmentCapacity > 10000 {
			return bad(fmt.Sprintf("services[%d].appointment_capacity", i), "must be 0 (the default) to 10000")
		}
	}
	restricted := func(key, only string, svcs []string) error {
		if only != "" && only != "appointments" {
			return bad(key+".only", "%q is not \"appointments\" (the only restriction there is)", only)
		}
		for j, s := range svcs {
			if !services[s] {
				return bad(fmt.Sprintf("%s.services[%d]", key, j), "unknown service %q", s)
			}
		}
		return nil
	}
	for i, h := range c.Hall.Hours {
		if err := restricted(fmt.Sprintf("hall.hours[%d]", i), h.Only, h.Services); err != nil {
			return err
		}
	}
	for i, e := range c.Calendar.Exceptions {
		key := fmt.Sprintf("calendar.exceptions[%d]", i)
		if e.Only == "" && len(e.Services) == 0 {
			continue // the day's hours: checked by BuildCalendar
		}
		if err := restricted(key, e.Only, e.Services); err != nil {
			return err
		}
		if _, err := calendar.ParseDate(e.Date); err != nil {
			return bad(key+".date", "%v", err)
		}
		if e.Closed {
			return bad(key+".closed", "an extra window (only/services) opens the day for some tickets; it cannot be closed")
		}
		open, err := queue.ParseClock(e.Open)
		if err != nil {
			return bad(key+".open", "%v", err)
		}
		cl, err := queue.ParseClock(e.Close)
		if err != nil {
			return bad(key+".close", "%v", err)
		}
		if cl <= open {
			return bad(key+".close", "%s is not after open %s", e.Close, e.Open)
		}
	}
	ids := map[string]bool{}
	for _, d := range c.Devices {
		ids[d.ID] = true
	}
	for i, in := range c.Integrations {
		key := fmt.Sprintf("integrations[%d]", i)
		if !integrationIDRe.MatchString(in.ID) {
			return bad(key+".id", "%q must match [a-z0-9-]{1,64}", in.ID)
		}
		if ids[in.ID] {
			return bad(key+".id", "%q is already a device or integration id", in.ID)
		}
		ids[in.ID] = true
		all := append([]string{in.TokenHash}, in.TokenHashes...)
		if in.TokenHash == "" {
			all = in.TokenHashes
		}
		if len(all) == 0 {
			return bad(key+".token_hash", "is required (hallqd integration-token prints a token and its hash)")
		}
		for _, h := range all {
			if _, ok := decodeHash(h); !ok {
				return bad(key+".token_hash", "must be sha256: and 64 hex digits (hallqd integration-token prints one)")
			}
		}
		if len(in.Roles) == 0 {
			return bad(key+".roles", "is required, e.g. [appointments]")
		}
		for j, r := range in.Roles {
			if !integrationRoles[r] {
				return bad(fmt.Sprintf("%s.roles[%d]", key, j), "%q is not a role an integration may hold (appointments)", r)
			}
		}
	}
	return nil
}

// specAppointments fills the appointment rules and extra windows of the spec.
func (c *Config) specAppointments(sp *queue.Spec) {
	sp.Appointments = queue.AppointmentSpec{Capacity: c.Appointments.Capacity, DaysAhead: c.Appointments.DaysAhead}
	for _, s := range c.Services {
		sp.Services[s.ID].AppointmentCapacity = s.AppointmentCapacity
	}
	clock := func(s string) time.Duration { d, _ := queue.ParseClock(s); return d }
	for _, h := range c.Hall.Hours {
		if h.Only == "" && len(h.Services) == 0 {
			continue
		}
		x := queue.ExtraHours{Open: clock(h.Open), Close: clock(h.Close), AppointmentsOnly: h.Only == "appointments", Services: h.Services}
		for _, d := range h.Days {
			wd, _ := queue.ParseWeekday(d)
			x.Days = append(x.Days, wd)
		}
		sp.ExtraHours = append(sp.ExtraHours, x)
	}
	for _, e := range c.Calendar.Exceptions {
		if e.Only == "" && len(e.Services) == 0 {
			continue
		}
		sp.ExtraHours = append(sp.ExtraHours, queue.ExtraHours{Date: e.Date, Open: clock(e.Open), Close: clock(e.Close),
			AppointmentsOnly: e.Only == "appointments", Services: e.Services})
	}
}
