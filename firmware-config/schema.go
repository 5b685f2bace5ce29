// Package firmwareconfig is the desired configuration of each device kind:
// the settings a device may be given, their bounds and defaults, the body
// retained on dev/{id}/config (CONTRACT §2), and the drift between the
// version hallq wants and the version each device reports in its status.
package firmwareconfig

import (
	"fmt"
	"sort"
)

// Field is one setting of a device kind.
type Field struct {
	Type     string // "int" or "bool"
	Min, Max int    // bounds of an int
	Default  any
	Doc      string
}

// Schema lists the settings of every device kind.
func Schema() map[string]map[string]Field {
	return map[string]map[string]Field{
		"kiosk": {
			"idle_return_s": {Type: "int", Min: 5, Max: 120, Default: 15, Doc: "seconds the ticket stays on screen before the menu returns"},
			"print":         {Type: "bool", Default: true, Doc: "print the ticket on the thermal printer"},
			"green_channel": {Type: "bool", Default: true, Doc: "offer the green channel (绿色通道) button"},
		},
		"caller": {
			"beep":         {Type: "bool", Default: true, Doc: "beep when a call is answered"},
			"show_waiting": {Type: "bool", Default: true, Doc: "show the counter's waiting count"},
		},
		"counter_display": {
			"brightness":   {Type: "int", Min: 1, Max: 100, Default: 80, Doc: "LED brightness, percent"},
			"scroll_speed": {Type: "int", Min: 1, Max: 10, Default: 5, Doc: "scrolling text speed"},
			"show_staff":   {Type: "bool", Default: true, Doc: "show the staff member on duty"},
		},
		"rater": {
			"show_staff_photo": {Type: "bool", Default: true, Doc: "show photo, name and staff number (工号)"},
			"levels":           {Type: "int", Min: 3, Max: 5, Default: 5, Doc: "5 national levels, or the 3-level hall survey"},
		},
		"alarm": {
			"sound":    {Type: "bool", Default: true, Doc: "sound on a new red alert (besides the light)"},
			"red_only": {Type: "bool", Default: false, Doc: "signal red alerts only"},
		},
		"hall_screen": {
			"recent_calls": {Type: "int", Min: 1, Max: 20, Default: 10, Doc: "calls listed on the screen"},
			"voice":        {Type: "bool", Default: true, Doc: "speak each call"},
		},
	}
}

// Validate checks settings for kind against the schema; key names the
// config path for the error.
func Validate(kind string, settings map[string]any) error {
	fields, ok := Schema()[kind]
	if !ok {
		return fmt.Errorf("unknown device kind %q", kind)
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			return fmt.Errorf("%s: unknown setting for a %s (known: %s)", k, kind, known(fields))
		}
		switch f.Type {
		case "bool":
			if _, ok := settings[k].(bool); !ok {
				return fmt.Errorf("%s: want true or false", k)
			}
		case "int":
			n, ok := settings[k].(int)
			if !ok || n < f.Min || n > f.Max {
				return fmt.Errorf("%s: want a whole number %d-%d", k, f.Min, f.Max)
			}
		}
	}
	return nil
}

func known(fields map[string]Field) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
