package ops

import (
	"testing"

	"github.com/hallq/hallq/queue"
)

// CONTRACT §2 serve.finish case (1.1).
func TestParseCase(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cmd, qe := Parse("serve.finish", []byte(`{"case":{"kind":"joint","case_no":"NT-1","lead_counter":"5","x":1}}`), "12")
		if qe != nil {
			t.Fatal(qe)
		}
		f := cmd.(queue.Finish)
		if f.Counter != "12" || f.Case == nil || f.Case.Kind != "joint" || f.Case.No != "NT-1" || f.Case.LeadCounter != "5" {
			t.Fatalf("finish = %+v %+v", f, f.Case)
		}
	})
	t.Run("OKNoCase", func(t *testing.T) {
		for _, p := range []string{``, `{}`, `{"case":null}`} {
			cmd, qe := Parse("serve.finish", []byte(p), "12")
			if qe != nil || cmd.(queue.Finish).Case != nil {
				t.Fatalf("%q: %+v %v", p, cmd, qe)
			}
		}
	})
	for name, p := range map[string]string{
		"ErrNotObject":   `{"case":"promised"}`,
		"ErrArray":       `{"case":["promised"]}`,
		"ErrKindMissing": `{"case":{"case_no":"X"}}`,
		"ErrKindType":    `{"case":{"kind":3}}`,
		"ErrCaseNoType":  `{"case":{"kind":"instant","case_no":7}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, qe := Parse("serve.finish", []byte(p), "12"); qe == nil || qe.Code != queue.BadRequest {
				t.Fatalf("%s: %v, want bad_request", p, qe)
			}
		})
	}
}

func FuzzParseCase(f *testing.F) {
	f.Add([]byte(`{"case":{"kind":"promised","case_no":"NT-1"}}`))
	f.Add([]byte(`{"case":{"kind":"joint","lead_counter":"5"}}`))
	f.Add([]byte(`{"case":null}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		cmd, qe := Parse("serve.finish", payload, "1")
		if (cmd == nil) == (qe == nil) {
			t.Fatalf("Parse returned cmd=%v err=%v", cmd, qe)
		}
		if qe != nil && qe.Code != queue.BadRequest {
			t.Fatalf("code %s, want bad_request", qe.Code)
		}
		if qe == nil && cmd.(queue.Finish).Case != nil && cmd.(queue.Finish).Case.Kind == "" {
			t.Fatal("a case without a kind was accepted")
		}
	})
}
