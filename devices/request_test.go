package devices

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/ops"
	"github.com/hallq/hallq/queue"
)

func TestDecodeRequest(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
		reqID         string
		hasID         bool
		code          queue.Code
	}{
		{"OK", `{"req_id":"a1","op":"ticket.take","service":"general"}`, "a1", true, ""},
		{"OKUnicodeReqID", `{"req_id":"` + strings.Repeat("号", 64) + `","op":"call.next"}`, strings.Repeat("号", 64), true, ""},
		{"ErrBadRequestReqIDTooLong", `{"req_id":"` + strings.Repeat("号", 65) + `","op":"call.next"}`, strings.Repeat("号", 65), true, queue.BadRequest},
		{"ErrBadRequestEmptyReqID", `{"req_id":"","op":"call.next"}`, "", true, queue.BadRequest},
		{"ErrBadRequestTruncated", `{"req_id":"a2","op":"tick`, "a2", true, queue.BadRequest},
		{"ErrBadRequestReqIDAfterJunk", `{"x":[1,{"y":2}],"req_id":"a3",}`, "a3", true, queue.BadRequest},
		{"ErrBadRequestNoOp", `{"req_id":"a4"}`, "a4", true, queue.BadRequest},
		{"ErrBadRequestNullOp", `{"req_id":"a5","op":null}`, "a5", true, queue.BadRequest},
		{"DropNoReqID", `{"op":"call.next"}`, "", false, queue.BadRequest},
		{"DropNumberReqID", `{"req_id":5,"op":"call.next"}`, "", false, queue.BadRequest},
		{"DropNullReqID", `{"req_id":null,"op":"call.next"}`, "", false, queue.BadRequest},
		{"DropNestedReqID", `{"a":{"req_id":"x"}}x`, "", false, queue.BadRequest},
		{"DropArray", `[{"req_id":"x"}]`, "", false, queue.BadRequest},
		{"DropNull", `null`, "", false, queue.BadRequest},
		{"DropEmpty", ``, "", false, queue.BadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := DecodeRequest([]byte(tc.payload))
			want(t, "has req_id", r.HasReqID, tc.hasID)
			want(t, "req_id", r.ReqID, tc.reqID)
			code := queue.Code("")
			if err != nil {
				code = err.Code
			}
			want(t, "code", code, tc.code)
		})
	}
}

// FuzzDecodeRequest: no payload panics the decoder, the gate or the
// response encoder; whatever is accepted is a well-formed request, and every
// answer is valid JSON carrying the req_id read.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"req_id":"r1","op":"ticket.take","service":"general","channel":"green","id_hash":"ab"}`,
		`{"req_id":"r2","op":"rating.submit","level":4.5,"dims":{"speed":5}}`,
		`{"req_id":"r3","op":"call.number","number":12}`,
		`{"req_id":"r4","op":"ticket.transfer","to_counter":"12"}`,
		`{"req_id":"r5","op":`, `{"req_id":"\ud800","op":"x"}`, "{\"req_id\":\"\xff\"}", `[]`, `{}`, `"req_id"`,
		`{"req_id":"r6","op":"ticket.take","service":"` + strings.Repeat("a", ops.MaxPayload) + `"}`,
	} {
		f.Add([]byte(s))
	}
	kinds := []string{"kiosk", "caller", "counter_display", "rater", "hall_screen"}
	f.Fuzz(func(t *testing.T, payload []byte) {
		r, qerr := DecodeRequest(payload)
		if qerr != nil && qerr.Code != queue.BadRequest {
			t.Fatalf("code %s, want bad_request", qerr.Code)
		}
		if qerr == nil {
			if !r.HasReqID || r.ReqID == "" || utf8.RuneCountInString(r.ReqID) > ops.MaxReqID || r.Op == "" {
				t.Fatalf("accepted %+v", r)
			}
			if len(payload) > ops.MaxPayload || !json.Valid(payload) {
				t.Fatalf("accepted a payload of %d bytes that is not valid JSON or too big", len(payload))
			}
			for _, k := range kinds {
				cmd, gerr := gate(queue.DeviceSpec{ID: "d", Kind: k, Counter: "1"}, r)
				if (cmd == nil) == (gerr == nil) {
					t.Fatalf("gate(%s) = %v, %v", k, cmd, gerr)
				}
			}
		}
		if !r.HasReqID {
			return
		}
		rep := hall.Reply{Error: qerr}
		if qerr == nil {
			rep = hall.Reply{OK: true}
		}
		body := encodeResponse(r.ReqID, rep)
		var back response
		if err := json.Unmarshal(body, &back); err != nil {
			t.Fatalf("response %q is not JSON: %v", body, err)
		}
		if utf8.ValidString(r.ReqID) && back.ReqID != r.ReqID {
			t.Fatalf("response req_id %q, want %q", back.ReqID, r.ReqID)
		}
	})
}
