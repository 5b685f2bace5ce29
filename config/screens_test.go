package config

import (
	"errors"
	"testing"
)

func TestScreens(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := Demo()
		sc := c.Screens()
		if len(sc.Zones) != 2 || sc.Zones[0].ID != "east" || len(sc.Zones[0].Counters) != 4 || sc.Voice.Repeat != 2 {
			t.Fatalf("demo screens = %+v", sc)
		}
		lh, err := Load("../examples/large-hall.yaml")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, z := range lh.Zones {
			for _, ct := range z.Counters {
				if other, dup := seen[ct]; dup {
					t.Errorf("counter %s in zones %s and %s", ct, other, z.ID)
				}
				seen[ct] = z.ID
			}
		}
		if len(lh.Zones) != 8 || len(seen) != len(lh.Counters) {
			t.Errorf("large hall: %d zones cover %d of %d counters", len(lh.Zones), len(seen), len(lh.Counters))
		}
	})
	for name, tc := range map[string]struct {
		edit func(*Config)
		key  string
	}{
		"ErrUnknownCounter": {func(c *Config) { c.Zones[0].Counters = []string{"99"} }, "zones[0].counters[0]"},
		"ErrDuplicateZone":  {func(c *Config) { c.Zones[1].ID = c.Zones[0].ID }, "zones[1].id"},
		"ErrRepeat":         {func(c *Config) { c.Voice.Repeat = 9 }, "voice.repeat"},
	} {
		t.Run(name, func(t *testing.T) {
			c := Demo()
			tc.edit(c)
			var ce *Error
			if err := c.validate(); !errors.As(err, &ce) || ce.Key != tc.key {
				t.Fatalf("validate = %v, want a problem at %s", err, tc.key)
			}
		})
	}
}
