package kiosk

import "strings"

// RenderText renders a layout as a plain-text preview of the printed ticket.
func RenderText(l PrintLayout) string {
	var b strings.Builder
	put := func(s string) {
		if s = clean(s); s == "" {
			return
		}
		for _, line := range wrap(s, paperCols) {
			b.WriteString(center(line))
			b.WriteByte('\n')
		}
	}

	for _, s := range l.Header {
		put(s)
	}
	put(rule)
	put(l.Number)
	if m := clean(l.Mark); m != "" {
		put("[ " + m + " ]")
	}
	for _, s := range l.Service {
		put(s)
	}
	b.WriteByte('\n')
	for _, s := range l.Lines {
		put(s)
	}
	if l.QR != "" && len(l.QR) <= MaxQRBytes {
		put("[QR] " + l.QR)
	}
	put(rule)
	for _, s := range l.Footer {
		put(s)
	}
	return b.String()
}
