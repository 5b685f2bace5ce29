package kiosk

import "time"

// Ticket is what a printed ticket shows.
type Ticket struct {
	HallName     [2]string // zh, en
	Number       string    // "A024"
	ServiceName  [2]string // zh, en
	WaitingAhead int
	EstWait      time.Duration
	IssuedAt     time.Time // already in hall-local time zone
	QRURL        string    // e.g. http://192.168.1.10:8080/t/20261123-A024
	Channel      string    // walk_in | green | appointment
}

// PrintLayout is the content of a ticket as data, top to bottom, Chinese before English.
type PrintLayout struct {
	Header  []string `json:"header"`         // hall name lines; the first is emphasised
	Number  string   `json:"number"`         // ticket number, printed large
	Mark    string   `json:"mark,omitempty"` // channel badge such as 绿色通道, printed reversed
	Service []string `json:"service"`        // service name lines; the first is emphasised
	Lines   []string `json:"lines"`          // bilingual "zh / en" information lines
	QR      string   `json:"qr,omitempty"`   // QR code payload; empty prints no code
	Footer  []string `json:"footer"`         // closing notice lines
}
