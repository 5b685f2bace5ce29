package devices

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hallq/hallq/queue"
)

// TestMalformed sends what a broken device might: every request with a
// readable req_id gets bad_request, nothing is carried out, and hallqd keeps
// serving (CONTRACT §2 malformed input).
func TestMalformed(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	long := strings.Repeat("x", 65)
	for _, tc := range []struct{ name, reqID, payload string }{
		{"NotJSON", "m1", `{"req_id":"m1","op":"ticket.take","service":`},
		{"NotJSONGarbageAfterID", "m2", `{"req_id":"m2", op: ticket.take}`},
		{"MissingOp", "m3", `{"req_id":"m3","service":"general"}`},
		{"OpNotString", "m4", `{"req_id":"m4","op":42}`},
		{"UnknownOp", "m5", `{"req_id":"m5","op":"ticket.print"}`},
		{"EmptyOp", "m6", `{"req_id":"m6","op":""}`},
		{"WrongArgType", "m7", `{"req_id":"m7","op":"ticket.take","service":["general"]}`},
		{"ReqIDTooLong", long, `{"req_id":"` + long + `","op":"ticket.take","service":"general"}`},
		{"Oversize", "m8", `{"req_id":"m8","op":"ticket.take","service":"general","id_hash":"` + strings.Repeat("a", 9000) + `"}`},
		{"OversizeNotJSON", "m9", `{"req_id":"m9","pad":"` + strings.Repeat("a", 20000)},
		{"NotUTF8", "m10", "{\"req_id\":\"m10\",\"op\":\"ticket.take\",\"service\":\"gen\xffral\"}"},
	} {
		t.Run("ErrBadRequest"+tc.name, func(t *testing.T) {
			k := k.in(t)
			ch := k.expect(tc.reqID)
			k.send([]byte(tc.payload))
			r := k.await(tc.reqID, ch)
			wantErr(t, r, queue.BadRequest)
			want(t, "req_id", r.ReqID, tc.reqID)
		})
	}
	t.Run("DroppedWithoutReqID", func(t *testing.T) {
		k := k.in(t)
		for _, p := range []string{`not json`, `[1,2]`, `null`, `{"op":"ticket.take","service":"general"}`, `{"req_id":7,"op":"ticket.take"}`, ``,
			`{"op":"ticket.take","service":"general","pad":"` + strings.Repeat("a", 9000) + `"}`} {
			k.send([]byte(p))
		}
		r := k.ok("ticket.take", map[string]any{"service": "general"})
		want(t, "first ticket after the malformed requests", r["number"], any("A001"))
		select {
		case s := <-k.stray:
			t.Errorf("unexpected response %s", s.raw)
		default: // responses to one device arrive in order, so none is on its way
		}
	})
	t.Run("OKUnknownFieldsIgnored", func(t *testing.T) {
		k := k.in(t)
		r := k.ok("ticket.take", map[string]any{"service": "general", "printer": map[string]any{"paper": "low"}, "REQ_ID": 1})
		want(t, "number", r["number"], any("A002"))
	})
}

// TestResponseShape checks the exact keys of responses (CONTRACT §2).
func TestResponseShape(t *testing.T) {
	e := newEnv(t)
	k := e.connect("kiosk-01")
	keys := func(raw []byte) string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for _, k := range []string{"req_id", "ok", "result", "error"} {
			if _, ok := m[k]; ok {
				ks = append(ks, k)
			}
		}
		if len(ks) != len(m) {
			t.Errorf("unexpected keys in %s", raw)
		}
		return strings.Join(ks, ",")
	}
	t.Run("OK", func(t *testing.T) {
		r := k.in(t).do("ticket.take", map[string]any{"service": "general"})
		want(t, "keys", keys(r.raw), "req_id,ok,result")
	})
	t.Run("ErrUnknownService", func(t *testing.T) {
		r := k.in(t).do("ticket.take", map[string]any{"service": "nope"})
		want(t, "keys", keys(r.raw), "req_id,ok,error")
		var m map[string]map[string]any
		json.Unmarshal(r.raw, &m)
		if _, ok := m["error"]["message"].(string); !ok || len(m["error"]) != 2 {
			t.Errorf("error object %v, want code and message", m["error"])
		}
	})
}
