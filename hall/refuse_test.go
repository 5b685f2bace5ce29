package hall

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestRefusalsRecorded: a refusal a transport gives (bad_request, forbidden,
// rate_limited) is recorded by the hall like any answer: a repeated req_id
// gets it again, also after a restart, and a req_id carried out before
// keeps its first answer (CONTRACT §2 idempotency: one record, in the
// journal's requests table).
func TestRefusalsRecorded(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	limited := &queue.Error{Code: queue.RateLimited, Message: "slow down", RetryAfterMS: 120}
	first := do(t, h, "dev:kiosk-01", "carried", queue.TakeTicket{Service: "social"})
	if !first.OK {
		t.Fatal(first.Error)
	}
	reps := h.Refuse(ctx, []Request{
		{Source: "dev:kiosk-01", ReqID: "flood-1", Refusal: limited},
		{Source: "dev:kiosk-01", ReqID: "carried", Refusal: limited},
		{Source: "dev:kiosk-01", ReqID: "bad", Refusal: queue.Errorf(queue.BadRequest, "bad")},
	})
	enc := func(r Reply) string { b, _ := json.Marshal(r); return string(b) }
	check := func(t *testing.T, h *Hall) {
		t.Run("ErrRateLimitedRepeat", func(t *testing.T) {
			r := do(t, h, "dev:kiosk-01", "flood-1", queue.TakeTicket{Service: "social"})
			if got, want := enc(r), enc(Reply{Error: limited}); got != want || !r.Repeat {
				t.Errorf("repeat of a rate_limited req_id = %s (repeat %v), want %s", got, r.Repeat, want)
			}
		})
		t.Run("OKCarriedOutStands", func(t *testing.T) {
			if got, want := enc(reps[1]), enc(first); got != want {
				t.Errorf("refusal of a carried-out req_id answered %s, want the first answer %s", got, want)
			}
		})
		t.Run("ErrBadRequestRepeat", func(t *testing.T) {
			r := do(t, h, "dev:kiosk-01", "bad", queue.TakeTicket{Service: "social"})
			if r.Error == nil || r.Error.Code != queue.BadRequest {
				t.Errorf("repeat of a bad_request req_id = %s", enc(r))
			}
		})
		t.Run("OKNothingIssued", func(t *testing.T) {
			if got := h.View().Services[0].Issued; got != 1 {
				t.Errorf("issued %d, want 1: refusals change nothing", got)
			}
		})
	}
	t.Run("Live", func(t *testing.T) { check(t, h) })
	h.Close()
	j.Close()
	h2, _ := MustOpenHall(t, dir, sp)
	t.Run("AfterRestart", func(t *testing.T) { check(t, h2) })
}
