package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       time.Duration
	}{
		{"OK", "1234 (hallqd) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 9 0 100 0 0", 3250 * time.Millisecond},
		{"OKSpacesInName", "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0", 30 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("parseStat = %v, want %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 x y 0 0"} {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q) took it", bad)
		}
	}
}

// TestProcCPU reads this process's own CPU time, which burning CPU raises.
func TestProcCPU(t *testing.T) {
	m, err := startCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	deadline := time.Now().Add(5 * time.Second)
	for {
		for i := 0; i < 1e6; i++ {
			x += i
		}
		u, err := m.stop(1)
		if err != nil {
			t.Fatal(err)
		}
		if u.CPU > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no CPU time counted after burning CPU (x=%d)", x)
		}
	}
}

// FuzzParseStat: any line is parsed or refused, never a panic or a negative time.
func FuzzParseStat(f *testing.F) {
	f.Add("1234 (hallqd) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 9 0 100 0 0")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseStat(s); err == nil && d < 0 {
			t.Fatalf("parseStat(%q) = %v", s, d)
		}
	})
}
