package kiosk

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLayoutA024(t *testing.T) {
	l := Layout(a024(t))
	want := PrintLayout{
		Header:  []string{"南通市政务服务中心", "Nantong Government Service Centre"},
		Number:  "A024",
		Service: []string{"不动产登记", "Real Estate Registration"},
		Lines: []string{
			"您前面还有 12 人等候 / 12 waiting ahead",
			"预计等候约 15 分钟 / about 15 min",
			"取号时间 / Issued: 2026-11-23 09:05",
			"扫码查看排队进度 / Scan to follow the queue",
		},
		QR:     "http://192.168.1.10:8080/t/20261123-A024",
		Footer: []string{"请留意叫号，过号请到服务台", "Please listen for your number", "If missed, please go to the service desk"},
	}
	got, _ := json.Marshal(l)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("layout\n got %s\nwant %s", got, exp)
	}
}

func TestLayoutJSONKeys(t *testing.T) {
	b, err := json.Marshal(Layout(a024(t)))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"footer", "header", "lines", "number", "qr", "service"}; !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
}

func TestGreenChannelShowsMark(t *testing.T) {
	tk := a024(t)
	tk.Channel = "green"
	l := Layout(tk)
	if !strings.Contains(l.Mark, "绿色通道") {
		t.Fatalf("mark %q lacks 绿色通道", l.Mark)
	}
	if !strings.Contains(RenderText(l), "绿色通道") {
		t.Error("preview lacks 绿色通道")
	}
	out := RenderESCPOS(l)
	if !strings.Contains(string(out), string(gbBytes(t, "绿色通道"))) {
		t.Error("ESC/POS lacks GB18030 绿色通道")
	}
	if !strings.Contains(string(out), cmdReverse+"\x01") {
		t.Error("mark not printed reversed")
	}
	if err := checkStream(out); err != nil {
		t.Fatal(err)
	}
	if Layout(a024(t)).Mark != "" {
		t.Error("walk-in ticket has a mark")
	}
}

func TestLayoutWaitLines(t *testing.T) {
	tk := a024(t)
	tk.WaitingAhead = 0
	tk.EstWait = 0
	tk.IssuedAt = time.Time{}
	l := Layout(tk)
	if l.Lines[0] != textAheadNone {
		t.Errorf("first line %q, want %q", l.Lines[0], textAheadNone)
	}
	for _, s := range l.Lines {
		if strings.Contains(s, "分钟") || strings.Contains(s, "取号时间") {
			t.Errorf("unexpected line %q", s)
		}
	}
	for d, want := range map[time.Duration]int64{
		time.Second: 1, time.Minute: 1, 61 * time.Second: 2, 15 * time.Minute: 15,
		time.Duration(1<<63 - 1): int64(time.Duration(1<<63-1)/time.Minute) + 1,
	} {
		if got := ceilMinutes(d); got != want {
			t.Errorf("ceilMinutes(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestLayoutDropsOversizedQR(t *testing.T) {
	tk := a024(t)
	tk.QRURL = "http://x/" + strings.Repeat("a", MaxQRBytes)
	if l := Layout(tk); l.QR != "" {
		t.Error("QR longer than MaxQRBytes kept")
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"短", 48, []string{"短"}},
		{"请留意叫号，过号请到服务台 / Please listen for your number", 48,
			[]string{"请留意叫号，过号请到服务台", "Please listen for your number"}},
		{"one two three", 8, []string{"one two", "three"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"一二三，四", 6, []string{"一二", "三，四"}}, // "，" may not start a line
	} {
		if got := wrap(c.in, c.width); !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"  A\t024 \n": "A 024",
		"a\x1bb\x00c": "abc",
		"x\xffy":      "x?y",
		"社保\u200b医保":  "社保医保",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrapManyParts(t *testing.T) {
	got := wrap("甲 / alpha / 乙乙乙乙乙乙 / beta", 12)
	want := []string{"甲 / alpha", "乙乙乙乙乙乙", "beta"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
