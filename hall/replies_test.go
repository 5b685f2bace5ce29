package hall

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// TestRepeatTellsSharedHashesApart: the in-memory index keeps only a hash
// of each (source, req_id); a new request whose hash is already there (as
// another key's would be) is carried out, not answered with someone else's
// reply, and then repeats like any other.
func TestRepeatTellsSharedHashesApart(t *testing.T) {
	h, _ := MustOpenHall(t, t.TempDir(), testSpec(t))
	first := do(t, h, "dev:kiosk-01", "a", queue.TakeTicket{Service: "social"})
	if err := h.Query(context.Background(), func(*queue.State) {
		h.idem.add(h.idem.key("dev:kiosk-01", "b"), time.Now()) // "b" shares a hash with a record
	}); err != nil {
		t.Fatal(err)
	}
	b := do(t, h, "dev:kiosk-01", "b", queue.TakeTicket{Service: "social"})
	var tb queue.TicketResult
	if err := json.Unmarshal(b.Result, &tb); err != nil || !b.OK || b.Repeat || tb.Number != "A002" {
		t.Fatalf("request b = %+v %s, want carried out as A002", b, b.Result)
	}
	for _, c := range []struct {
		reqID string
		want  Reply
	}{{"a", first}, {"b", b}} {
		again := do(t, h, "dev:kiosk-01", c.reqID, queue.TakeTicket{Service: "housing"})
		if !again.Repeat || string(again.Result) != string(c.want.Result) {
			t.Fatalf("repeat of %s = %s (repeat %v), want %s", c.reqID, again.Result, again.Repeat, c.want.Result)
		}
	}
}

// TestRepeatWithinOneBatch: a req_id answered twice in one group commit
// gets the first answer the second time, before it is in the journal.
func TestRepeatWithinOneBatch(t *testing.T) {
	h, j := MustOpenHall(t, t.TempDir(), testSpec(t))
	refusal := queue.Errorf(queue.RateLimited, "slow down")
	reps := h.Refuse(context.Background(), []Request{
		{Source: "dev:kiosk-01", ReqID: "x", Refusal: refusal},
		{Source: "dev:kiosk-01", ReqID: "x", Refusal: queue.Errorf(queue.BadRequest, "other")},
	})
	if len(reps) != 2 || reps[0].Repeat || !reps[1].Repeat || reps[1].Error == nil || reps[1].Error.Code != queue.RateLimited {
		t.Fatalf("replies = %+v, want the second a repeat of the first (rate_limited)", reps)
	}
	body, ok, err := j.Response("dev:kiosk-01", "x")
	if err != nil || !ok {
		t.Fatalf("record of x: ok %v err %v", ok, err)
	}
	if rep := decodeReply(body); rep.Error == nil || rep.Error.Code != queue.RateLimited {
		t.Fatalf("recorded %s, want the rate_limited answer", body)
	}
}
