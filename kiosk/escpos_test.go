package kiosk

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestESCPOSCarriesServiceNameInGB18030(t *testing.T) {
	tk := a024(t)
	out := RenderESCPOS(Layout(tk))
	want := append([]byte(cmdChineseOn), gbBytes(t, tk.ServiceName[0])...)
	want = append(want, cmdChineseOff...)
	if !bytes.Contains(out, want) {
		t.Errorf("output lacks FS & + GB18030(%q) + FS .", tk.ServiceName[0])
	}
	if !bytes.Contains(out, []byte(tk.ServiceName[1])) {
		t.Errorf("output lacks %q", tk.ServiceName[1])
	}
	if bytes.Contains(out, []byte(tk.ServiceName[0])) {
		t.Error("output holds the service name in UTF-8")
	}
}

func TestESCPOSStoresQRData(t *testing.T) {
	tk := a024(t)
	out := RenderESCPOS(Layout(tk))
	n := len(tk.QRURL) + 3
	store := append([]byte{0x1d, 0x28, 0x6b, byte(n), byte(n >> 8), 0x31, 0x50, 0x30}, tk.QRURL...)
	if !bytes.Contains(out, store) {
		t.Error("output lacks GS ( k store command with the QR URL")
	}
	for _, cmd := range []string{cmdQRModel2, cmdQRLevelM, cmdQRPrint} {
		if !bytes.Contains(out, []byte(cmd)) {
			t.Errorf("output lacks QR command % x", cmd)
		}
	}
	if i, j := bytes.Index(out, store), bytes.Index(out, []byte(cmdQRPrint)); j < i {
		t.Error("QR printed before it is stored")
	}
}

func TestESCPOSNumberLargeAndBold(t *testing.T) {
	out := RenderESCPOS(Layout(a024(t)))
	want := "\x1bE\x01\x1d!\x33A024\n"
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("number not printed bold at 4x: want % x", want)
	}
}

func TestESCPOSStream(t *testing.T) {
	if err := checkStream(RenderESCPOS(Layout(a024(t)))); err != nil {
		t.Fatal(err)
	}
	if err := checkStream(RenderESCPOS(PrintLayout{})); err != nil {
		t.Fatalf("empty layout: %v", err)
	}
}

func TestESCPOSNoQRWithoutURL(t *testing.T) {
	tk := a024(t)
	tk.QRURL = ""
	out := RenderESCPOS(Layout(tk))
	if bytes.Contains(out, []byte("\x1d(k")) {
		t.Error("QR commands printed for a ticket without QR URL")
	}
	if bytes.Contains(out, gbBytes(t, "扫码")) {
		t.Error("scan hint printed without a QR code")
	}
}

func TestESCPOSStripsInjectedCommands(t *testing.T) {
	tk := a024(t)
	tk.ServiceName = [2]string{"社保\x1b@\x1dVB\x00", "Pensions\x1d!\x77\x1c."}
	tk.Number = "A\x1b\x40025\r\n"
	tk.HallName[1] = "Hall\u202e\u200bX"
	out := RenderESCPOS(Layout(tk))
	if err := checkStream(out); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(out, []byte(cmdInit)) != 1 {
		t.Error("ESC @ injected through ticket text")
	}
	if !bytes.Contains(out, []byte("A@025\n")) {
		t.Error("number not cleaned to A@025")
	}
}

func TestESCPOSLongServiceNameWraps(t *testing.T) {
	tk := a024(t)
	tk.ServiceName[0] = strings.Repeat("企业开办", 20)
	l := Layout(tk)
	if got := cols(l.Service[0]); got > maxNameCols {
		t.Fatalf("service name %d columns, want at most %d", got, maxNameCols)
	}
	if err := checkStream(RenderESCPOS(l)); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(RenderText(l), "\n") {
		if cols(line) > paperCols {
			t.Errorf("preview line wider than paper: %q", line)
		}
	}
}
