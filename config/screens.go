package config

import (
	"fmt"

	"github.com/hallq/hallq/queue"
)

// Zone is a speaker zone: the counters a group of hall screens shows and
// announces (a hall screen opened with ?zone=ID), so that a large hall's calls
// are spoken where the counters are and none waits behind another zone's.
type Zone struct {
	ID       string     `yaml:"id" json:"id"`
	Name     queue.Name `yaml:"name" json:"name"`
	Counters []string   `yaml:"counters" json:"counters"`
}

// Voice is how hall screens speak calls.
type Voice struct {
	Repeat     int `yaml:"repeat" json:"repeat"`           // times each call is said; default 2
	ShortAfter int `yaml:"short_after" json:"short_after"` // calls pending on a screen beyond which each is said once, shorter; default 2
	LateS      int `yaml:"late_s" json:"late_s"`           // a call not begun within this many seconds counts as late; default 30
}

// ScreenSettings is what GET /api/v1/hall tells the pages about zones and voice.
type ScreenSettings struct {
	Zones []Zone `json:"zones"`
	Voice Voice  `json:"voice"`
}

// Screens returns the zones and voice settings for the pages.
func (c *Config) Screens() ScreenSettings {
	zs := make([]Zone, 0, len(c.Zones))
	for _, z := range c.Zones {
		zs = append(zs, Zone{ID: z.ID, Name: z.Name, Counters: append([]string(nil), z.Counters...)})
	}
	return ScreenSettings{Zones: zs, Voice: c.Voice}
}

func (c *Config) screenDefaults() {
	if c.Voice.Repeat == 0 {
		c.Voice.Repeat = 2
	}
	if c.Voice.ShortAfter == 0 {
		c.Voice.ShortAfter = 2
	}
	if c.Voice.LateS == 0 {
		c.Voice.LateS = 30
	}
}

// validateScreens checks zones (known counters, unique ids) and voice.
func (c *Config) validateScreens(bad func(key, format string, args ...any) error) error {
	counters := map[string]bool{}
	for _, ct := range c.Counters {
		counters[ct.ID] = true
	}
	seen := map[string]bool{}
	for i, z := range c.Zones {
		key := fmt.Sprintf("zones[%d]", i)
		if !serviceIDRe.MatchString(z.ID) {
			return bad(key+".id", "%q must match [a-z0-9_-]{1,32}", z.ID)
		}
		if seen[z.ID] {
			return bad(key+".id", "duplicate zone %q", z.ID)
		}
		seen[z.ID] = true
		if len(z.Counters) == 0 {
			return bad(key+".counters", "is required")
		}
		for j, ct := range z.Counters {
			if !counters[ct] {
				return bad(fmt.Sprintf("%s.counters[%d]", key, j), "unknown counter %q", ct)
			}
		}
	}
	if c.Voice.Repeat < 1 || c.Voice.Repeat > 5 {
		return bad("voice.repeat", "must be 1-5")
	}
	if c.Voice.ShortAfter < 1 || c.Voice.ShortAfter > 50 {
		return bad("voice.short_after", "must be 1-50")
	}
	if c.Voice.LateS < 5 || c.Voice.LateS > 3600 {
		return bad("voice.late_s", "must be 5-3600 seconds")
	}
	return nil
}
