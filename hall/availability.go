package hall

import (
	"context"

	"github.com/hallq/hallq/queue"
)

// Availability answers, for each service in order, the error a walk-in
// ticket.take would get now (nil: a ticket would be issued). It asks the same
// queue.Decide the take goes through, so the kiosk shows a closed service or
// a used-up quota by the rules that refuse it; nothing is changed.
func (h *Hall) Availability(ctx context.Context) ([]ServiceAvailability, error) {
	var out []ServiceAvailability
	err := h.Query(ctx, func(s *queue.State) {
		now := h.clock()
		for _, id := range s.Spec.ServiceOrder {
			a := ServiceAvailability{Service: id, Available: true}
			if e := queue.Decide(s, now, queue.TakeTicket{Service: id}).Err; e != nil {
				a.Available, a.Code = false, string(e.Code)
			}
			out = append(out, a)
		}
	})
	return out, err
}

// ServiceAvailability is whether a walk-in ticket for a service is issued now.
type ServiceAvailability struct {
	Service   string `json:"service"`
	Available bool   `json:"available"`
	Code      string `json:"code,omitempty"` // the refusal's contract code, e.g. service_closed
}
