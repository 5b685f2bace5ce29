package main

import (
	"encoding/json"

	"github.com/hallq/hallq/devices"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/kiosk"
	"github.com/hallq/hallq/queue"
)

// qrScale is the pixels per QR module of ticket QR codes on screens.
const qrScale = 8

// kioskPrint is the print data of tickets: the layout and QR link added to
// every ticket.take result (by the hall, for MQTT and HTTP kiosks alike)
// and the ESC/POS rendering.
func (m *Main) kioskPrint(spec *queue.Spec) kiosk.Decorator {
	return kiosk.Decorator{Spec: spec, BaseURL: m.publicURL()}
}

// decorateAPI wires the kiosk's QR codes and ESC/POS print data into the API.
func (m *Main) decorateAPI(cfg *httpapi.Config) {
	cfg.QRPNG = func(text string) ([]byte, error) { return kiosk.QRPNG(text, qrScale) }
	cfg.PrintESCPOS = m.kioskPrint(m.Hall.Spec()).ESCPOS
}

// kioskReplies adds the print data to kiosks' recorded replies as the
// devices layer reloads them after a restart, so that a repeated req_id
// gets what hall.Do answered the first time (the hall records the plain
// result and decorates in Do). Other replies pass unchanged.
func (m *Main) kioskReplies() func(source string, response []byte) []byte {
	d := m.kioskPrint(m.Hall.Spec())
	kiosks := map[string]bool{}
	for _, dev := range m.Config.Devices {
		if dev.Kind == "kiosk" {
			kiosks[devices.Source(dev.ID)] = true
		}
	}
	return func(source string, response []byte) []byte {
		var rep hall.Reply
		if !kiosks[source] || json.Unmarshal(response, &rep) != nil || !rep.OK || len(rep.Result) == 0 {
			return response
		}
		rep.Result = d.Ticket(rep.Result)
		out, err := json.Marshal(rep)
		if err != nil {
			return response
		}
		return out
	}
}
