package kiosk

import (
	"fmt"
	"strings"
	"time"
)

// MaxQRBytes is the longest QR payload a ticket or QRPNG accepts.
const MaxQRBytes = 512

// Field bounds, in printer columns, so that odd input cannot print metres of paper.
const (
	maxNameCols   = 2 * paperCols // hall and service names: two full lines each
	maxNumberCols = 24            // still fits at double size
)

// Layout turns a ticket into its printed content.
func Layout(t Ticket) PrintLayout {
	l := PrintLayout{
		Header:  names(t.HallName),
		Number:  truncate(clean(t.Number), maxNumberCols),
		Mark:    channelMark(t.Channel),
		Service: names(t.ServiceName),
	}

	if ahead := t.WaitingAhead; ahead > 0 {
		l.Lines = append(l.Lines, fmt.Sprintf(textAhead, ahead, ahead))
	} else {
		l.Lines = append(l.Lines, textAheadNone)
	}
	if t.EstWait > 0 {
		m := ceilMinutes(t.EstWait)
		l.Lines = append(l.Lines, fmt.Sprintf(textEstWait, m, m))
	}
	if !t.IssuedAt.IsZero() {
		l.Lines = append(l.Lines, fmt.Sprintf(textIssuedAt, t.IssuedAt.Format(issuedAtFormat)))
	}
	if qr := strings.TrimSpace(t.QRURL); qr != "" && len(qr) <= MaxQRBytes {
		l.QR = qr
		l.Lines = append(l.Lines, textScanQR)
	}

	l.Footer = []string{textFooterZh, textFooterEn1, textFooterEn2}
	return l
}

// names returns the non-empty cleaned zh and en lines of a bilingual name.
func names(n [2]string) []string {
	var out []string
	for _, s := range n {
		if s = truncate(clean(s), maxNameCols); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// channelMark returns the badge printed for a channel, or "" for none.
func channelMark(channel string) string {
	switch strings.TrimSpace(channel) {
	case channelGreen:
		return textMarkGreen
	case channelAppointment:
		return textMarkAppointment
	default: // channelWalkIn and anything unknown
		return ""
	}
}

// ceilMinutes rounds d up to whole minutes without overflowing.
func ceilMinutes(d time.Duration) int64 {
	m := int64(d / time.Minute)
	if d%time.Minute != 0 {
		m++
	}
	return m
}
