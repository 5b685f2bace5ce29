package kiosk

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai even where the system has no zoneinfo
)

// issuedAt is the fixed hall-local time used by the tests.
func issuedAt(t testing.TB) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 23, 9, 5, 17, 0, loc)
}

// a024 is the ticket behind the golden files.
func a024(t testing.TB) Ticket {
	return Ticket{
		HallName:     [2]string{"南通市政务服务中心", "Nantong Government Service Centre"},
		Number:       "A024",
		ServiceName:  [2]string{"不动产登记", "Real Estate Registration"},
		WaitingAhead: 12,
		EstWait:      14*time.Minute + 20*time.Second,
		IssuedAt:     issuedAt(t),
		QRURL:        "http://192.168.1.10:8080/t/20261123-A024",
		Channel:      "walk_in",
	}
}

// checkStream walks ESC/POS output command by command, failing if it holds
// a command RenderESCPOS does not send, a control byte outside a command,
// or anything after the final cut.
func checkStream(out []byte) error {
	if len(out) < 2 || string(out[:2]) != cmdInit {
		return fmt.Errorf("does not start with ESC @: % x", out[:min(len(out), 8)])
	}
	if len(out) < 4 || string(out[len(out)-4:]) != cmdCut {
		return fmt.Errorf("does not end with GS V 66 0: % x", out[max(0, len(out)-8):])
	}
	// Bytes of the command after its first byte, for fixed-length commands.
	fixed := map[string]int{
		"\x1b@": 1, "\x1ba": 2, "\x1bE": 2, "\x1bd": 2,
		"\x1d!": 2, "\x1dB": 2, "\x1dV": 3,
		"\x1c&": 1, "\x1c.": 1,
	}
	for i := 0; i < len(out); {
		c := out[i]
		switch {
		case c == '\n':
			i++
		case c == 0x1b || c == 0x1d || c == 0x1c:
			if i+1 >= len(out) {
				return fmt.Errorf("truncated command at %d", i)
			}
			key := string(out[i : i+2])
			if key == "\x1d(" { // GS ( k pL pH, then pL+pH*256 bytes
				if i+5 > len(out) || out[i+2] != 'k' {
					return fmt.Errorf("bad GS ( at %d", i)
				}
				i += 5 + int(out[i+3]) + int(out[i+4])<<8
				continue
			}
			n, ok := fixed[key]
			if !ok {
				return fmt.Errorf("unexpected command % x at %d", out[i:i+2], i)
			}
			if key == "\x1dV" && i+4 != len(out) {
				return fmt.Errorf("cut at %d is not the last command", i)
			}
			i += 1 + n
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("control byte %#x in text at %d", c, i)
		default:
			i++
		}
	}
	return nil
}
