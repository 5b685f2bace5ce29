package main

import (
	"encoding/json"
	"time"

	"github.com/hallq/hallq/httpapi"
	"github.com/hallq/hallq/kiosk"
	"github.com/hallq/hallq/queue"
)

// qrScale is the pixels per QR module of ticket QR codes on screens.
const qrScale = 8

// decorateAPI adds the kiosk's print layout and QR codes to the API: the
// ticket QR PNG, and "qr_url" (the citizen's ticket page) and "print" (the
// printed ticket's layout) in every ticket.take result.
func (m *Main) decorateAPI(cfg *httpapi.Config) {
	base := cfg.BaseURL
	cfg.QRPNG = func(text string) ([]byte, error) { return kiosk.QRPNG(text, qrScale) }
	spec := m.Config.Spec()
	cfg.Decorate = func(result json.RawMessage) json.RawMessage {
		return decorateTicket(spec, base, result)
	}
}

// decorateTicket adds qr_url and print to a ticket.take result; a result it
// cannot read is returned as it is.
func decorateTicket(spec *queue.Spec, base string, result json.RawMessage) json.RawMessage {
	var t queue.TicketResult
	var fields map[string]json.RawMessage
	if json.Unmarshal(result, &t) != nil || json.Unmarshal(result, &fields) != nil || t.TicketID == "" {
		return result
	}
	qrURL := base + "/t/" + t.TicketID
	kt := kiosk.Ticket{
		HallName: [2]string{spec.HallName.Zh, spec.HallName.En},
		Number:   t.Number,
		IssuedAt: t.IssuedAt.In(spec.Location),
		QRURL:    qrURL,
		Channel:  t.Channel,
	}
	if svc := spec.Services[t.Service]; svc != nil {
		kt.ServiceName = [2]string{svc.Name.Zh, svc.Name.En}
	}
	if t.WaitingAhead != nil {
		kt.WaitingAhead = *t.WaitingAhead
	}
	if t.EstWaitS != nil {
		kt.EstWait = time.Duration(*t.EstWaitS) * time.Second
	}
	fields["qr_url"], _ = json.Marshal(qrURL)
	fields["print"], _ = json.Marshal(kiosk.Layout(kt))
	out, err := json.Marshal(fields)
	if err != nil {
		return result
	}
	return out
}
