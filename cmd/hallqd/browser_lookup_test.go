package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hallq/hallq/internal/testenv"
)

// TestBrowserTicketLookupByNumber: the start page's ticket lookup takes
// today's number alone ("a001" as well as "20261203-A001"), and the ticket
// page then follows the ticket by its id.
func TestBrowserTicketLookupByNumber(t *testing.T) {
	d := startE2E(t)
	browser := testenv.StartChromium(t)
	r := d.call(t, nil, "POST", demoHall+"/tickets", map[string]string{"Authorization": demoKiosk}, takeGeneral)
	if !r.OK {
		t.Fatalf("take: %v", r)
	}
	var res struct {
		TicketID string `json:"ticket_id"`
		Number   string `json:"number"`
	}
	json.Unmarshal(r.Result, &res)

	index := openTab(t, browser, "index", d.base+"/", 390, 844, true)
	index.do(chromedp.WaitVisible(testid("ticket-lookup-id")),
		chromedp.SendKeys(testid("ticket-lookup-id"), strings.ToLower(res.Number)+"\n"),
		chromedp.WaitVisible(testid("ticket-status"))) // on the ticket page now
	index.until("ticket page by number", jsText("ticket-number")+` === '`+res.Number+`' && `+
		jsAttr("ticket-status", "status")+` === 'waiting' && location.pathname === '/t/`+res.TicketID+`'`)

	c, csrf := d.login(t, "s01", "demo-s01")
	for _, op := range []string{"signin", "ops/counter.open", "ops/call.next"} {
		if r := d.call(t, c, "POST", demoHall+"/counters/1/"+op, csrf, `{}`); !r.OK {
			t.Fatalf("%s: %v", op, r)
		}
	}
	index.until("the page looked up by number follows the call", jsAttr("ticket-status", "status")+` === 'called'`)
}
