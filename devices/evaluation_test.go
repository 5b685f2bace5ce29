package devices

import (
	"strings"
	"testing"

	"github.com/hallq/hallq/queue"
)

// staffYAML adds a staff roster to the test hall: s01 anywhere, s02 only at
// counter 12.
const staffYAML = testYAML + `staff:
  - {id: s01, name: 张敏, staff_no: "A0317", unit: 人社局, role: staff, password: pw-s01}
  - {id: s02, name: 王磊, staff_no: "A0322", unit: 税务局, role: staff, password: pw-s02, counters: ["12"]}
`

// TestStaffIdentity: counter.open takes only configured staff who may sign
// in at the counter (CONTRACT §2, issue 11).
func TestStaffIdentity(t *testing.T) {
	e := newEnv(t, withYAML(staffYAML))
	c := e.connect("caller-1")
	t.Run("ErrUnknownStaff", func(t *testing.T) {
		wantErr(t, c.in(t).do("counter.open", map[string]any{"staff_id": "nobody"}), queue.BadRequest)
	})
	t.Run("ErrNotThisCounter", func(t *testing.T) {
		wantErr(t, c.in(t).do("counter.open", map[string]any{"staff_id": "s02"}), queue.Forbidden)
	})
	t.Run("OK", func(t *testing.T) {
		r := c.in(t).ok("counter.open", map[string]any{"staff_id": "s01"})
		want(t, "staff_id", r["staff_id"], any("s01"))
	})
}

// TestRatingEvaluation: the prompt carries the staff card, fires on a
// transfer too, and a 差评 with dims, reasons and text opens a case.
func TestRatingEvaluation(t *testing.T) {
	e := newEnv(t, withYAML(staffYAML))
	k, c, r := e.connect("kiosk-01"), e.connect("caller-1"), e.connect("rater-1")
	c.ok("counter.open", map[string]any{"staff_id": "s01"})
	t.Run("OKStaffCard", func(t *testing.T) {
		serveOne(t, k, c)
		p := nextCmd(t, r)
		card, _ := p["staff"].(map[string]any)
		want(t, "staff.id", card["id"], any("s01"))
		want(t, "staff.name", card["name"], any("张敏"))
		want(t, "staff.staff_no", card["staff_no"], any("A0317"))
		want(t, "staff.unit", card["unit"], any("人社局"))
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		r := r.in(t)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 2, "dims": map[string]any{"mood": 1}}), queue.BadRequest)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 2, "dims": map[string]any{"attitude": 6}}), queue.BadRequest)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 2, "dims": map[string]any{"attitude": 1.5}}), queue.BadRequest)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 2, "reasons": []any{1}}), queue.BadRequest)
		wantErr(t, r.do("rating.submit", map[string]any{"level": 2, "text": strings.Repeat("字", 501)}), queue.BadRequest)
	})
	t.Run("OKBadRatingOpensCase", func(t *testing.T) {
		res := r.in(t).ok("rating.submit", map[string]any{"level": 2, "dims": map[string]any{"attitude": 1, "fees": 5},
			"reasons": []any{"态度差"}, "text": strings.Repeat("字", 500)})
		id, _ := res["rating_id"].(string)
		cid, _ := res["case_id"].(string)
		if id == "" || cid == "" {
			t.Fatalf("result %v: want rating_id and case_id", res)
		}
		want(t, "staff_id", res["staff_id"], any("s01"))
	})
	t.Run("OKTransferPrompts", func(t *testing.T) {
		k.in(t).ok("ticket.take", map[string]any{"service": "general"})
		called := c.in(t).ok("call.next", nil)
		c.in(t).ok("ticket.transfer", map[string]any{"to_counter": "2"})
		p := nextCmd(t, r)
		want(t, "op", p["op"], any("rate.prompt"))
		want(t, "ticket_id", p["ticket_id"], called["ticket_id"])
		res := r.in(t).ok("rating.submit", map[string]any{"level": 5})
		want(t, "ticket_id", res["ticket_id"], called["ticket_id"])
		if _, ok := res["case_id"]; ok {
			t.Errorf("a good rating opened a case: %v", res)
		}
	})
}
