package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"time"

	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/queue"
)

// The id patterns of CONTRACT §1.
var (
	hallIDRe    = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
	serviceIDRe = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	counterIDRe = regexp.MustCompile(`^[A-Za-z0-9-]{1,16}$`)
	deviceIDRe  = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
	prefixRe    = regexp.MustCompile(`^[A-Z]{1,3}$`)
	staffIDRe   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// DeviceKinds are the device kinds of CONTRACT §1.
var deviceKinds = map[string]bool{"kiosk": true, "caller": true, "counter_display": true, "rater": true, "hall_screen": true,
	"alarm": true} // alarm: a hall's own alert light/sounder (docs/supervision.md)

// BoundKinds are the kinds that act for one counter.
func boundKind(kind string) bool {
	return kind == "caller" || kind == "counter_display" || kind == "rater"
}

func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return &Error{File: c.File, Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if err := c.Limits.validate(c.File); err != nil {
		return err
	}
	if !hallIDRe.MatchString(c.Hall.ID) {
		return bad("hall.id", "%q must match [a-z0-9-]{1,32}", c.Hall.ID)
	}
	if c.Hall.Name.Zh == "" {
		return bad("hall.name.zh", "is required")
	}
	if _, err := time.LoadLocation(c.Hall.Timezone); err != nil {
		return bad("hall.timezone", "unknown time zone %q", c.Hall.Timezone)
	}
	if *c.Hall.RecallLimit < 0 || *c.Hall.RecallLimit > 20 {
		return bad("hall.recall_limit", "must be 0-20")
	}
	if c.Hall.RatingWindowS < 1 || c.Hall.RatingWindowS > 3600 {
		return bad("hall.rating_window_s", "must be 1-3600 seconds")
	}
	for i, h := range c.Hall.Hours {
		key := fmt.Sprintf("hall.hours[%d]", i)
		if len(h.Days) == 0 {
			return bad(key+".days", "is required")
		}
		for j, d := range h.Days {
			if _, ok := queue.ParseWeekday(d); !ok {
				return bad(fmt.Sprintf("%s.days[%d]", key, j), "%q is not one of mon tue wed thu fri sat sun", d)
			}
		}
		open, err := queue.ParseClock(h.Open)
		if err != nil {
			return bad(key+".open", "%v", err)
		}
		closeAt, err := queue.ParseClock(h.Close)
		if err != nil {
			return bad(key+".close", "%v", err)
		}
		if closeAt <= open {
			return bad(key+".close", "%s is not after open %s", h.Close, h.Open)
		}
	}
	if len(c.Services) == 0 {
		return bad("services", "at least one service is required")
	}
	services, prefixes := map[string]bool{}, map[string]string{}
	for i, s := range c.Services {
		key := fmt.Sprintf("services[%d]", i)
		if !serviceIDRe.MatchString(s.ID) {
			return bad(key+".id", "%q must match [a-z0-9_-]{1,32}", s.ID)
		}
		if services[s.ID] {
			return bad(key+".id", "duplicate service id %q", s.ID)
		}
		services[s.ID] = true
		if !prefixRe.MatchString(s.Prefix) {
			return bad(key+".prefix", "%q must be 1-3 capital letters", s.Prefix)
		}
		if other, ok := prefixes[s.Prefix]; ok {
			return bad(key+".prefix", "duplicate prefix %q (also service %q)", s.Prefix, other)
		}
		prefixes[s.Prefix] = s.ID
		if s.Name.Zh == "" {
			return bad(key+".name.zh", "is required")
		}
		if s.DailyQuota < 0 || s.DailyQuota > 99999 {
			return bad(key+".daily_quota", "must be 0 (unlimited) to 99999")
		}
		if s.TargetWaitMin < 0 || s.TargetWaitMin > 24*60 || s.AvgServiceS < 0 {
			return bad(key, "target_wait_min must be 0-1440 minutes and avg_service_s must not be negative")
		}
	}
	counters := map[string]bool{}
	for i, k := range c.Counters {
		key := fmt.Sprintf("counters[%d]", i)
		if !counterIDRe.MatchString(k.ID) {
			return bad(key+".id", "%q must match [A-Za-z0-9-]{1,16}", k.ID)
		}
		if counters[k.ID] {
			return bad(key+".id", "duplicate counter id %q", k.ID)
		}
		counters[k.ID] = true
		if len(k.Services) == 0 {
			return bad(key+".services", "a counter must serve at least one service")
		}
		for j, s := range k.Services {
			if !services[s] {
				return bad(fmt.Sprintf("%s.services[%d]", key, j), "unknown service %q", s)
			}
		}
	}
	devices := map[string]bool{}
	for i, d := range c.Devices {
		key := fmt.Sprintf("devices[%d]", i)
		if !deviceIDRe.MatchString(d.ID) {
			return bad(key+".id", "%q must match [a-z0-9-]{1,64}", d.ID)
		}
		if devices[d.ID] {
			return bad(key+".id", "duplicate device id %q", d.ID)
		}
		devices[d.ID] = true
		if !deviceKinds[d.Kind] {
			return bad(key+".kind", "%q is not one of kiosk, caller, counter_display, rater, hall_screen, alarm", d.Kind)
		}
		if boundKind(d.Kind) {
			if d.Counter == "" {
				return bad(key+".counter", "a %s must be bound to a counter", d.Kind)
			}
			if !counters[d.Counter] {
				return bad(key+".counter", "unknown counter %q", d.Counter)
			}
		} else if d.Counter != "" {
			return bad(key+".counter", "a %s is not bound to a counter", d.Kind)
		}
	}
	if c.DeviceConfig.Version < 0 {
		return bad("device_config.version", "must not be negative")
	}
	for kind, settings := range c.DeviceConfig.Settings {
		if err := firmwareconfig.Validate(kind, settings); err != nil {
			return bad("device_config.settings."+kind, "%v", err)
		}
	}
	if err := c.Firmware.validate(bad); err != nil {
		return err
	}
	staff := map[string]bool{}
	for i, s := range c.Staff {
		key := fmt.Sprintf("staff[%d]", i)
		if !staffIDRe.MatchString(s.ID) {
			return bad(key+".id", "%q must match [A-Za-z0-9_.-]{1,64}", s.ID)
		}
		if staff[s.ID] {
			return bad(key+".id", "duplicate staff id %q", s.ID)
		}
		staff[s.ID] = true
		switch s.Role {
		case "staff", "supervisor", "admin":
		default:
			return bad(key+".role", "%q is not one of staff, supervisor, admin", s.Role)
		}
		if (s.PasswordHash == "") == (s.Password == "") {
			return bad(key, "give exactly one of password_hash or password")
		}
	}
	if err := c.validateManagement(bad); err != nil {
		return err
	}
	if err := c.validateAppointments(bad); err != nil {
		return err
	}
	if err := c.validateScreens(bad); err != nil {
		return err
	}
	for key, addr := range map[string]string{"listen.http": c.Listen.HTTP, "listen.mqtt": c.Listen.MQTT} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return bad(key, "%q is not host:port", addr)
		}
	}
	if c.Broker.URL != "" {
		u, err := url.Parse(c.Broker.URL)
		if err != nil || (u.Scheme != "tcp" && u.Scheme != "ssl" && u.Scheme != "tls" && u.Scheme != "mqtt" && u.Scheme != "ws") || u.Host == "" {
			return bad("broker.url", "%q must look like tcp://host:port", c.Broker.URL)
		}
	}
	return nil
}
