package main

import (
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/kiosk"
	"github.com/hallq/hallq/queue"
)

// qrScale is the pixels per QR module of ticket QR codes on screens.
const qrScale = 8

// kioskPrint is the print data of tickets: the layout and QR link added to
// every ticket.take result (by the HTTP API and, for MQTT kiosks, by the
// devices layer) and the ESC/POS rendering.
func (m *Main) kioskPrint(spec *queue.Spec) kiosk.Decorator {
	return kiosk.Decorator{Spec: spec, BaseURL: m.publicURL()}
}

// decorateAPI wires the kiosk's print data, QR codes and ESC/POS into the API.
func (m *Main) decorateAPI(cfg *httpapi.Config) {
	d := m.kioskPrint(m.Hall.Spec())
	cfg.Decorate = d.Ticket
	cfg.QRPNG = func(text string) ([]byte, error) { return kiosk.QRPNG(text, qrScale) }
	cfg.PrintESCPOS = d.ESCPOS
}
