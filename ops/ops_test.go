package ops

import (
	"testing"

	"github.com/hallq/hallq/queue"
)

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cmd, qe := Parse("ticket.take", []byte(`{"req_id":"r1","op":"ticket.take","service":"social","channel":"green","extra":1}`), "")
		if qe != nil {
			t.Fatal(qe)
		}
		if got, want := cmd.(queue.TakeTicket).Channel, "green"; got != want {
			t.Fatalf("channel = %q, want %q", got, want)
		}
		cmd, qe = Parse("rating.submit", []byte(`{"level":5,"dims":{"attitude":4}}`), "12")
		if qe != nil || cmd.(queue.SubmitRating).Counter != "12" || cmd.(queue.SubmitRating).Level != 5 {
			t.Fatalf("rating = %#v, %v", cmd, qe)
		}
	})
	bad := []struct{ name, op, payload string }{
		{"ErrUnknownOp", "ticket.eat", `{}`},
		{"ErrServiceMissing", "ticket.take", `{}`},
		{"ErrServiceType", "ticket.take", `{"service":12}`},
		{"ErrLevelFraction", "rating.submit", `{"level":4.5}`},
		{"ErrLevelRange", "rating.submit", `{"level":6}`},
		{"ErrLevelString", "rating.submit", `{"level":"5"}`},
		{"ErrLevelMissing", "rating.submit", `{}`},
		{"ErrNumberMissing", "call.number", `{}`},
		{"ErrNotObject", "call.next", `[1,2]`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, qe := Parse(tc.op, []byte(tc.payload), "1"); qe == nil || qe.Code != queue.BadRequest {
				t.Fatalf("Parse(%s, %s) = %v, want bad_request", tc.op, tc.payload, qe)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("ticket.take", []byte(`{"service":"social"}`))
	f.Add("rating.submit", []byte(`{"level":3,"dims":{"a":1}}`))
	f.Add("call.number", []byte(`{"number":"A001"}`))
	f.Fuzz(func(t *testing.T, op string, payload []byte) {
		cmd, qe := Parse(op, payload, "1")
		if (cmd == nil) == (qe == nil) {
			t.Fatalf("Parse returned cmd=%v err=%v", cmd, qe)
		}
		if qe != nil && qe.Code != queue.BadRequest {
			t.Fatalf("code %s, want bad_request", qe.Code)
		}
	})
}
