package ops

import (
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

// ratedState is a hall with one visit finished at counter 1, rateable now.
func ratedState(now time.Time) *queue.State {
	loc := time.FixedZone("CST", 8*3600)
	sp := &queue.Spec{HallID: "f", Location: loc, RatingWindow: 2 * time.Minute, VerifyDays: 1, RectifyDays: 15,
		Services:     map[string]*queue.ServiceSpec{"s": {ID: "s", Prefix: "A"}},
		ServiceOrder: []string{"s"},
		Counters:     map[string]*queue.CounterSpec{"1": {ID: "1", Services: []string{"s"}}},
		CounterOrder: []string{"1"}}
	st := queue.NewState(sp)
	seq := int64(0)
	for _, cmd := range []queue.Command{queue.OpenCounter{Counter: "1"}, queue.TakeTicket{Service: "s"},
		queue.CallNext{Counter: "1"}, queue.Finish{Counter: "1"}} {
		evs := append(queue.Rollover(st, now), queue.Decide(st, now, cmd).Events...)
		for i := range evs {
			seq++
			evs[i].Seq = seq
			queue.Apply(st, &evs[i])
		}
	}
	return st
}

// FuzzRatingSubmit: any rating.submit payload is parsed and decided without
// panicking; a refusal stores nothing, and a stored rating has a rating_id and,
// for a 差评 only, a case.
func FuzzRatingSubmit(f *testing.F) {
	for _, s := range []string{`{"level":2,"dims":{"attitude":1},"reasons":["态度差"],"text":"慢"}`, `{"level":5}`,
		`{"level":1,"dims":{"mood":3}}`, `{"level":2,"reasons":[1]}`, `{"level":3,"dims":{"fees":1.5}}`,
		`{"level":2,"text":"\u0001"}`, `{"level":4,"ticket_id":"x"}`, `[]`, `{"level":2,"reasons":null,"dims":null}`} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		cmd, qe := Parse("rating.submit", payload, "1")
		if qe != nil {
			if qe.Code != queue.BadRequest {
				t.Fatalf("parse refused with %s", qe.Code)
			}
			return
		}
		st := ratedState(now)
		out := queue.Decide(st, now, cmd)
		if out.Err != nil {
			if len(out.Events) != 0 {
				t.Fatalf("refusal %s with %d events", out.Err.Code, len(out.Events))
			}
			return
		}
		r := cmd.(queue.SubmitRating)
		if out.Events[0].RatingID == "" || (r.Level <= 2) != (len(out.Events) == 2) {
			t.Fatalf("level %d gave %d events", r.Level, len(out.Events))
		}
	})
}
