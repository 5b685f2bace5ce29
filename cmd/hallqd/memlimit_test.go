package main

import "testing"

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"112MiB", 112 << 20}, {"1GiB", 1 << 30}, {"512KiB", 512 << 10}, {"1000", 1000}, {"64B", 64}, {"off", -1}, {" OFF ", -1}} {
		if got, err := parseSize(tc.in); err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "MiB", "-5MiB", "0", "1.5GiB", "12MB", "99999999999999GiB"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}
