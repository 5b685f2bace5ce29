package kiosk

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hallq/hallq/queue"
)

// decorator is the a024 ticket's hall as a spec.
func decorator(t testing.TB) Decorator {
	sp := &queue.Spec{HallName: queue.Name{Zh: "南通市政务服务中心", En: "Nantong Government Service Centre"},
		Location: issuedAt(t).Location(),
		Services: map[string]*queue.ServiceSpec{"estate": {ID: "estate", Prefix: "A",
			Name: queue.Name{Zh: "不动产登记", En: "Real Estate Registration"}}}}
	return Decorator{Spec: sp, BaseURL: "http://192.168.1.10:8080"}
}

// a024Result is the ticket.take result behind a024.
func a024Result(t testing.TB) queue.TicketResult {
	ahead, est := 12, 14*60+20
	return queue.TicketResult{TicketID: "20261123-A024", Number: "A024", Service: "estate", Status: queue.Waiting,
		Channel: "walk_in", IssuedAt: issuedAt(t).UTC(), WaitingAhead: &ahead, EstWaitS: &est}
}

func TestDecorateTicket(t *testing.T) {
	d := decorator(t)
	raw, _ := json.Marshal(a024Result(t))
	t.Run("OK", func(t *testing.T) {
		var got map[string]json.RawMessage
		if err := json.Unmarshal(d.Ticket(raw), &got); err != nil {
			t.Fatal(err)
		}
		var qr string
		var print PrintLayout
		json.Unmarshal(got["qr_url"], &qr)
		json.Unmarshal(got["print"], &print)
		if want := "http://192.168.1.10:8080/t/20261123-A024"; qr != want {
			t.Errorf("qr_url = %q, want %q", qr, want)
		}
		if want := Layout(a024(t)); !reflect.DeepEqual(print, want) {
			t.Errorf("print = %+v\nwant %+v", print, want)
		}
		if string(got["number"]) != `"A024"` || string(got["waiting_ahead"]) != "12" {
			t.Errorf("the result's own fields changed: %v", got)
		}
	})
	t.Run("OKUnreadableUnchanged", func(t *testing.T) {
		for _, bad := range []string{`null`, `{"number":"A1"}`, `[1]`, `x`} {
			if got := d.Ticket(json.RawMessage(bad)); string(got) != bad {
				t.Errorf("Ticket(%s) = %s", bad, got)
			}
		}
	})
	t.Run("OKESCPOSIsTheGoldenTicket", func(t *testing.T) {
		if got, want := d.ESCPOS(a024Result(t)), RenderESCPOS(Layout(a024(t))); !bytes.Equal(got, want) {
			t.Errorf("ESCPOS differs from the golden ticket's rendering")
		}
	})
}

// FuzzDecorateTicket: any result is decorated or returned as it is, never a panic.
func FuzzDecorateTicket(f *testing.F) {
	d := decorator(f)
	raw, _ := json.Marshal(a024Result(f))
	f.Add(string(raw))
	f.Fuzz(func(t *testing.T, s string) {
		out := d.Ticket(json.RawMessage(s))
		if string(out) != s && !json.Valid(out) {
			t.Fatalf("Ticket(%q) = %q, not JSON", s, out)
		}
	})
}
