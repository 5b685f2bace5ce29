package devices

import (
	"testing"

	"github.com/hallq/hallq/queue"
)

// TestIdempotency: a repeated (device, req_id) changes nothing and gets the
// first response again, even with other arguments and after a restart
// (CONTRACT §2 idempotency).
func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	first := k.request("r1", "ticket.take", map[string]any{"service": "general"})
	if !first.OK {
		t.Fatalf("first take: %s", first.raw)
	}
	unknown := k.request("r2", "ticket.take", map[string]any{"service": "passport"})
	forbidden := k.request("r3", "call.next", nil)
	wantErr(t, forbidden, queue.Forbidden)

	check := func(t *testing.T, k *client) {
		t.Run("OKRedelivery", func(t *testing.T) {
			k := k.in(t)
			want(t, "same payload", string(k.request("r1", "ticket.take", map[string]any{"service": "general"}).raw), string(first.raw))
		})
		t.Run("OKOtherArguments", func(t *testing.T) {
			k := k.in(t)
			want(t, "other service", string(k.request("r1", "ticket.take", map[string]any{"service": "tax"}).raw), string(first.raw))
		})
		t.Run("OKMalformedRepeat", func(t *testing.T) {
			k := k.in(t)
			ch := k.expect("r1")
			k.send([]byte(`{"req_id":"r1","op":"ticket.take","service":`))
			want(t, "malformed repeat", string(k.await("r1", ch).raw), string(first.raw))
			want(t, "forbidden-op repeat", string(k.request("r1", "call.next", nil).raw), string(first.raw))
		})
		t.Run("ErrUnknownServiceRepeat", func(t *testing.T) {
			k := k.in(t)
			want(t, "repeat with a valid service", string(k.request("r2", "ticket.take", map[string]any{"service": "general"}).raw), string(unknown.raw))
		})
		t.Run("ErrForbiddenRepeat", func(t *testing.T) {
			k := k.in(t)
			want(t, "repeat as a valid take", string(k.request("r3", "ticket.take", map[string]any{"service": "general"}).raw), string(forbidden.raw))
		})
	}
	t.Run("Live", func(t *testing.T) { check(t, k.in(t)) })
	e.restart()
	k = e.connect("kiosk-01")
	t.Run("AfterRestart", func(t *testing.T) {
		k := k.in(t)
		check(t, k)
		t.Run("OKOneTicket", func(t *testing.T) {
			r := k.in(t).ok("ticket.take", map[string]any{"service": "general"})
			want(t, "next number", r["number"], any("A002"))
		})
	})
	t.Run("OKOtherDeviceSameReqID", func(t *testing.T) {
		k2 := e.connect("kiosk-02").in(t)
		r := k2.request("r1", "ticket.take", map[string]any{"service": "general"})
		if !r.OK || string(r.raw) == string(first.raw) {
			t.Errorf("kiosk-02 r1 = %s; req_ids are per device", r.raw)
		}
	})
}

// TestIdempotencyInFlight sends the same req_id twice without waiting, as a
// QoS 1 redelivery can: one ticket, two equal responses.
func TestIdempotencyInFlight(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	ch := k.expect("dup")
	for _, svc := range []string{"general", "tax"} {
		k.send([]byte(`{"req_id":"dup","op":"ticket.take","service":"` + svc + `"}`))
	}
	a, b := k.await("dup", ch), k.await("dup", ch)
	if !a.OK || string(a.raw) != string(b.raw) {
		t.Fatalf("responses differ or failed:\n%s\n%s", a.raw, b.raw)
	}
	if v := e.hall.View(); v.Services[0].Issued+v.Services[2].Issued != 1 {
		t.Errorf("issued %d general and %d tax tickets, want 1 in all", v.Services[0].Issued, v.Services[2].Issued)
	}
}
