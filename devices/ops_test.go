package devices

import (
	"fmt"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// wantErr checks a response is a refusal with code.
func wantErr(tb testing.TB, r answer, code queue.Code) {
	tb.Helper()
	if r.OK || r.code() != string(code) {
		tb.Fatalf("response %s, want error %s", r.raw, code)
	}
	if r.Error.Message == "" {
		tb.Errorf("error %s has no message", code)
	}
	if r.Result != nil {
		tb.Errorf("error response carries a result: %s", r.raw)
	}
}

func TestTicketTake(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	t.Run("OK", func(t *testing.T) {
		k := k.in(t)
		r := k.ok("ticket.take", map[string]any{"service": "general"})
		want(t, "number", r["number"], any("A001"))
		want(t, "service", r["service"], any("general"))
		want(t, "waiting_ahead", r["waiting_ahead"], any(0.0))
		if _, ok := r["est_wait_s"].(float64); !ok {
			t.Errorf("est_wait_s = %v, want a number", r["est_wait_s"])
		}
		if id, _ := r["ticket_id"].(string); id == "" {
			t.Errorf("no ticket_id in %v", r)
		}
		at, _ := r["issued_at"].(string)
		if _, err := time.Parse(time.RFC3339, at); err != nil {
			t.Errorf("issued_at %q is not RFC 3339: %v", at, err)
		}
		r = k.ok("ticket.take", map[string]any{"service": "general", "unknown_field": []int{1}})
		want(t, "second number", r["number"], any("A002"))
		want(t, "waiting_ahead", r["waiting_ahead"], any(1.0))
	})
	t.Run("OKGreen", func(t *testing.T) {
		k := k.in(t)
		r := k.ok("ticket.take", map[string]any{"service": "general", "channel": "green"})
		want(t, "channel", r["channel"], any("green"))
		want(t, "waiting_ahead", r["waiting_ahead"], any(0.0)) // green goes first
	})
	t.Run("OKAppointment", func(t *testing.T) {
		k := k.in(t)
		now := e.hallClock.Now().In(e.cfg.Spec().Location)
		end := "24:00"
		if now.Hour() < 23 {
			end = now.Add(30 * time.Minute).Format("15:04")
		}
		if rep := e.do(queue.BookAppointment{Code: "APT-1", Service: "tax", Date: now.Format("2006-01-02"), Start: now.Format("15:04"), End: end}); !rep.OK {
			t.Fatalf("book: %v", rep.Error)
		}
		r := k.ok("ticket.take", map[string]any{"service": "tax", "channel": "appointment", "appointment_code": "APT-1"})
		want(t, "channel", r["channel"], any("appointment"))
		t.Run("ErrUnknownAppointmentUsed", func(t *testing.T) {
			k := k.in(t)
			wantErr(t, k.do("ticket.take", map[string]any{"service": "tax", "channel": "appointment", "appointment_code": "APT-1"}), queue.UnknownAppointment)
		})
	})
	t.Run("ErrUnknownService", func(t *testing.T) {
		k := k.in(t)
		wantErr(t, k.do("ticket.take", map[string]any{"service": "passport"}), queue.UnknownService)
	})
	t.Run("ErrQuotaExhausted", func(t *testing.T) {
		k := k.in(t)
		k.ok("ticket.take", map[string]any{"service": "social"})
		k.ok("ticket.take", map[string]any{"service": "social"})
		wantErr(t, k.do("ticket.take", map[string]any{"service": "social"}), queue.QuotaExhausted)
	})
	t.Run("ErrDuplicateTicket", func(t *testing.T) {
		k := k.in(t)
		k.ok("ticket.take", map[string]any{"service": "tax", "id_hash": "9f86d081884c7d65"})
		wantErr(t, k.do("ticket.take", map[string]any{"service": "tax", "id_hash": "9f86d081884c7d65"}), queue.DuplicateTicket)
	})
	t.Run("ErrUnknownAppointment", func(t *testing.T) {
		k := k.in(t)
		wantErr(t, k.do("ticket.take", map[string]any{"service": "tax", "channel": "appointment", "appointment_code": "NOPE"}), queue.UnknownAppointment)
	})
	t.Run("ErrBadRequest", func(t *testing.T) {
		k := k.in(t)
		for name, args := range map[string]map[string]any{
			"no service":      {},
			"service number":  {"service": 7},
			"unknown channel": {"service": "general", "channel": "vip"},
			"channel number":  {"service": "general", "channel": 1},
		} {
			t.Run(name, func(t *testing.T) { wantErr(t, k.do("ticket.take", args), queue.BadRequest) })
		}
	})
}

func TestTicketTakeServiceClosed(t *testing.T) {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	open, closeAt := "01:00", "02:00" // closed now, whatever the hour
	if now.Hour() < 3 {
		open, closeAt = "12:00", "13:00"
	}
	y := testYAML[:len("\nhall:\n")] + fmt.Sprintf("  hours:\n    - {days: [mon, tue, wed, thu, fri, sat, sun], open: %q, close: %q}\n", open, closeAt) + testYAML[len("\nhall:\n"):]
	e := newEnv(t, withYAML(y))
	k := e.connect("kiosk-01")
	t.Run("ErrServiceClosed", func(t *testing.T) {
		k := k.in(t)
		wantErr(t, k.do("ticket.take", map[string]any{"service": "general"}), queue.ServiceClosed)
	})
}

func TestCounterOps(t *testing.T) {
	e := newEnv(t)
	c := e.connect("caller-1")
	t.Run("OKOpen", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("counter.open", map[string]any{"staff_id": "s01"})
		want(t, "counter", r["counter"], any("1"))
		want(t, "status", r["status"], any("open"))
		want(t, "staff_id", r["staff_id"], any("s01"))
		r = c.ok("counter.open", map[string]any{"staff_id": "s01"}) // an open counter stays as it is
		want(t, "staff_id after second open", r["staff_id"], any("s01"))
		r = c.ok("counter.open", map[string]any{"staff_id": "s02"}) // someone else signing in is a handover (AB岗)
		want(t, "staff_id after a handover", r["staff_id"], any("s02"))
	})
	t.Run("OKPause", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("counter.pause", map[string]any{"reason": "lunch"})
		want(t, "status", r["status"], any("paused"))
		wantErr(t, c.do("call.next", nil), queue.InvalidState)
		r = c.ok("counter.resume", nil)
		want(t, "status", r["status"], any("open"))
	})
	t.Run("OKClose", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("counter.close", nil)
		want(t, "status", r["status"], any("closed"))
	})
	t.Run("ErrCounterClosed", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("counter.pause", nil), queue.CounterClosed)
		wantErr(t, c.do("call.next", nil), queue.CounterClosed)
	})
	t.Run("ErrBadRequest", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("counter.open", map[string]any{"staff_id": 5}), queue.BadRequest)
	})
}

func TestCalls(t *testing.T) {
	e := newEnv(t)
	k, c := e.connect("kiosk-01"), e.connect("caller-1")
	take := func(t *testing.T) string {
		return k.in(t).ok("ticket.take", map[string]any{"service": "general"})["number"].(string)
	}
	t.Run("ErrCounterClosed", func(t *testing.T) {
		c := c.in(t)
		take(t)
		wantErr(t, c.do("call.next", nil), queue.CounterClosed) // before queue_empty is considered
	})
	c.ok("counter.open", map[string]any{"staff_id": "s01"})
	t.Run("OKCallNext", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("call.next", nil)
		want(t, "number", r["number"], any("A001"))
		want(t, "service", r["service"], any("general"))
		if _, ok := r["waited_s"].(float64); !ok {
			t.Errorf("waited_s = %v, want a number", r["waited_s"])
		}
		if r["ticket_id"] == nil {
			t.Errorf("no ticket_id in %v", r)
		}
	})
	t.Run("OKRecall", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("call.recall", nil)
		want(t, "number", r["number"], any("A001"))
	})
	t.Run("ErrInvalidStateRecallLimit", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("call.recall", nil), queue.InvalidState) // recall_limit is 1
	})
	t.Run("OKServe", func(t *testing.T) {
		c := c.in(t)
		r := c.ok("serve.start", nil)
		want(t, "status", r["status"], any("serving"))
		// CONTRACT §2 serve.finish case (1.1): bad cases are bad_request and change nothing
		wantErr(t, c.do("serve.finish", map[string]any{"case": map[string]any{"kind": "bogus"}}), queue.BadRequest)
		wantErr(t, c.do("serve.finish", map[string]any{"case": "promised"}), queue.BadRequest)
		r = c.ok("serve.finish", map[string]any{"case": map[string]any{"kind": "promised", "case_no": "NT-1"}})
		want(t, "status", r["status"], any("done"))
		want(t, "case_kind", r["case_kind"], any("promised"))
		if d, _ := r["promised_date"].(string); len(d) != 10 {
			t.Fatalf("promised_date = %v, want YYYY-MM-DD", r["promised_date"])
		}
		want(t, "number", r["number"], any("A001"))
	})
	t.Run("ErrInvalidStateFinish", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("serve.finish", nil), queue.InvalidState)
		wantErr(t, c.do("serve.start", nil), queue.InvalidState)
	})
	t.Run("ErrQueueEmpty", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("call.next", nil), queue.QueueEmpty)
	})
	t.Run("OKNoShowAndCallNumber", func(t *testing.T) {
		c := c.in(t)
		n := take(t)
		c.ok("call.next", nil)
		r := c.ok("call.no_show", nil)
		want(t, "status", r["status"], any("no_show"))
		wantErr(t, c.do("call.no_show", nil), queue.InvalidState)
		r = c.ok("call.number", map[string]any{"number": n}) // reinstated and called
		want(t, "number", r["number"], any(n))
		want(t, "status", r["status"], any("called"))
		c.ok("serve.finish", nil)
	})
	t.Run("ErrUnknownTicket", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("call.number", map[string]any{"number": "Z999"}), queue.UnknownTicket)
	})
	t.Run("ErrBadRequestCallNumber", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("call.number", nil), queue.BadRequest)
		wantErr(t, c.do("call.number", map[string]any{"number": 12}), queue.BadRequest)
	})
	t.Run("OKTransfer", func(t *testing.T) {
		c := c.in(t)
		n := take(t)
		c.ok("call.next", nil)
		wantErr(t, c.do("ticket.transfer", map[string]any{"to_service": "passport"}), queue.UnknownService)
		wantErr(t, c.do("ticket.transfer", nil), queue.BadRequest)
		r := c.ok("ticket.transfer", map[string]any{"to_service": "tax"})
		want(t, "number", r["number"], any(n))
		want(t, "service", r["service"], any("tax"))
		want(t, "status", r["status"], any("waiting"))
		wantErr(t, c.do("ticket.transfer", map[string]any{"to_service": "tax"}), queue.InvalidState)
		c12 := e.connect("caller-12")
		c12.ok("counter.open", nil)
		r = c12.ok("call.next", nil)
		want(t, "transferred ticket called at 12", r["number"], any(n))
		c12.ok("serve.finish", nil)
	})
	t.Run("OKHoldResume", func(t *testing.T) {
		c := c.in(t)
		wantErr(t, c.do("ticket.resume", nil), queue.InvalidState)
		n1, n2 := take(t), take(t)
		c.ok("call.next", nil)
		r := c.ok("ticket.hold", map[string]any{"reason": "缺少身份证复印件"})
		want(t, "held", r["number"], any(n1))
		want(t, "status", r["status"], any("held"))
		r = c.ok("call.next", nil)
		want(t, "next while holding", r["number"], any(n2))
		wantErr(t, c.do("ticket.hold", nil), queue.InvalidState) // one held ticket per counter
		r = c.ok("ticket.resume", nil)
		want(t, "resumed", r["number"], any(n1))
		want(t, "status", r["status"], any("serving"))
		c.ok("serve.finish", nil)
	})
}

func TestRating(t *testing.T) {
	e := newEnv(t)
	k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
	t.Run("ErrNothingToRate", func(t *testing.T) {
		r := r.in(t)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 5}), queue.NothingToRate)
	})
	c.ok("counter.open", map[string]any{"staff_id": "s07"})
	k.ok("ticket.take", map[string]any{"service": "general"})
	c.ok("call.next", nil)
	fin := c.ok("serve.finish", nil)
	t.Run("ErrBadRequest", func(t *testing.T) {
		r := r.in(t)
		for _, level := range []any{6, 0, 4.5, "5", nil, 5e0 + 0.000001} {
			wantErr(t, r.do("rating.submit", map[string]any{"level": level}), queue.BadRequest)
		}
		wantErr(t, r.do("rating.submit", map[string]any{"level": 5, "dims": map[string]any{"speed": 9}}), queue.BadRequest)
	})
	t.Run("OK", func(t *testing.T) {
		r := r.in(t)
		res := r.ok("rating.submit", map[string]any{"level": 5, "dims": map[string]any{"attitude": 4}}) // CONTRACT §2 (1.1): the five pinned keys only
		want(t, "ticket_id", res["ticket_id"], fin["ticket_id"])
		want(t, "level", res["level"], any(5.0))
		want(t, "staff_id", res["staff_id"], any("s07"))
	})
	t.Run("ErrAlreadyRated", func(t *testing.T) {
		r := r.in(t)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 4}), queue.AlreadyRated)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 4, "ticket_id": fin["ticket_id"]}), queue.AlreadyRated)
	})
	t.Run("ErrNothingToRateAfterWindow", func(t *testing.T) {
		k, c, r := k.in(t), c.in(t), r.in(t)
		k.ok("ticket.take", map[string]any{"service": "general"})
		c.ok("call.next", nil)
		c.ok("serve.finish", nil)
		e.hallClock.Advance(11 * time.Second) // past the 10 s window
		wantErr(t, r.do("rating.submit", map[string]any{"level": 3}), queue.NothingToRate)
	})
}

func TestForbidden(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ device, op string }{
		{"kiosk-01", "call.next"},
		{"kiosk-01", "rating.submit"},
		{"caller-1", "ticket.take"},
		{"caller-1", "rating.submit"},
		{"rater-1", "call.next"},
		{"led-1", "call.next"},
		{"led-1", "ticket.take"},
		{"screen-01", "counter.open"},
	} {
		t.Run(tc.device+"/"+tc.op, func(t *testing.T) {
			d := e.connect(tc.device)
			wantErr(t, d.do(tc.op, map[string]any{"service": "general", "level": 5}), queue.Forbidden)
		})
	}
	t.Run("ErrForbiddenChangesNothing", func(t *testing.T) {
		k := e.connect("kiosk-01")
		r := k.ok("ticket.take", map[string]any{"service": "general"})
		want(t, "first ticket after forbidden attempts", r["number"], any("A001"))
	})
}
