package kiosk

import (
	"encoding/json"
	"time"

	"github.com/hallq/hallq/queue"
)

// Decorator adds the kiosk's print data to ticket.take results, whichever
// transport the kiosk uses: the transports run Ticket on every answer as it
// is sent, the first and each repeat alike, while the hall records the
// plain result, so a repeated req_id gets the same print data back, also
// after a restart (CONTRACT §2 idempotency; docs/devices.md "print").
type Decorator struct {
	Spec    *queue.Spec
	BaseURL string // the citizen's ticket page is BaseURL + "/t/" + ticket id
}

// Ticket adds qr_url and print (the PrintLayout) to a ticket.take result; a
// result it cannot read is returned as it is.
func (d Decorator) Ticket(result json.RawMessage) json.RawMessage {
	var t queue.TicketResult
	var fields map[string]json.RawMessage
	if json.Unmarshal(result, &t) != nil || json.Unmarshal(result, &fields) != nil || t.TicketID == "" {
		return result
	}
	kt := d.TicketOf(t)
	fields["qr_url"], _ = json.Marshal(kt.QRURL)
	fields["print"], _ = json.Marshal(Layout(kt))
	out, err := json.Marshal(fields)
	if err != nil {
		return result
	}
	return out
}

// QRURL is the citizen's ticket page of a ticket id.
func (d Decorator) QRURL(ticketID string) string { return d.BaseURL + "/t/" + ticketID }

// TicketOf is what the printed ticket of t shows.
func (d Decorator) TicketOf(t queue.TicketResult) Ticket {
	kt := Ticket{
		HallName: [2]string{d.Spec.HallName.Zh, d.Spec.HallName.En},
		Number:   t.Number,
		IssuedAt: t.IssuedAt.In(d.Spec.Location),
		QRURL:    d.QRURL(t.TicketID),
		Channel:  t.Channel,
	}
	if svc := d.Spec.Services[t.Service]; svc != nil {
		kt.ServiceName = [2]string{svc.Name.Zh, svc.Name.En}
	}
	if t.WaitingAhead != nil {
		kt.WaitingAhead = *t.WaitingAhead
	}
	if t.EstWaitS != nil {
		kt.EstWait = time.Duration(*t.EstWaitS) * time.Second
	}
	return kt
}

// ESCPOS is t printed for the kiosk's thermal printer (RenderESCPOS).
func (d Decorator) ESCPOS(t queue.TicketResult) []byte { return RenderESCPOS(Layout(d.TicketOf(t))) }
