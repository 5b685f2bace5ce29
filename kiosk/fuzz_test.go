package kiosk

import (
	"strings"
	"testing"
	"time"
)

func FuzzRenderESCPOS(f *testing.F) {
	f.Add("南通市政务服务中心", "Nantong Government Service Centre", "A024", "不动产登记", "Real Estate Registration",
		"http://192.168.1.10:8080/t/20261123-A024", "walk_in", 12, int64(15*time.Minute))
	f.Add("", "", "", "", "", "", "green", 0, int64(0))
	f.Add("\x1b@", "\x1dVB\x00", "\x1c&\xff\xfe", "\u202e社保", "a / b / c", "\x00\x1b", "appointment", -5, int64(-1))
	f.Add(strings.Repeat("长", 200), strings.Repeat("word ", 100), strings.Repeat("9", 100),
		"😀𠀀\ufffd", "x\r\ny", strings.Repeat("q", 600), "green ", 1<<40, int64(1<<62))
	at := issuedAt(f)
	f.Fuzz(func(t *testing.T, hallZh, hallEn, number, svcZh, svcEn, qr, channel string, ahead int, wait int64) {
		tk := Ticket{
			HallName:     [2]string{hallZh, hallEn},
			Number:       number,
			ServiceName:  [2]string{svcZh, svcEn},
			WaitingAhead: ahead,
			EstWait:      time.Duration(wait),
			IssuedAt:     at,
			QRURL:        qr,
			Channel:      channel,
		}
		l := Layout(tk)
		out := RenderESCPOS(l)
		if err := checkStream(out); err != nil {
			t.Fatal(err)
		}
		text := RenderText(l)
		for _, r := range text {
			if r < 0x20 && r != '\n' || r == 0x7f {
				t.Fatalf("control character %#x in text preview", r)
			}
		}
	})
}
