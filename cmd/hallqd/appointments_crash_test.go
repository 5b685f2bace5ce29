package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hallq/hallq/config"
)

const apptCrashConfig = `
hall: {id: crash, name: {zh: 崩溃测试, en: Crash test}}
appointments: {capacity: 10000}
integrations:
  - {id: booking, token_hash: %q, roles: [appointments]}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}, promise_days: 5}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
staff:
  - {id: s1, name: 张敏, role: staff, password: pw-s1}
listen: {http: "127.0.0.1:%d", mqtt: "127.0.0.1:%d"}
storage: {dir: %q}
`

func getJSON(t *testing.T, url string, hdr map[string]string) *apiReply {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiReply
	json.NewDecoder(resp.Body).Decode(&r)
	return &r
}

// TestCrashKeepsBookingsAndCases kills hallqd with SIGKILL while an
// integration books appointments and a counter finishes visits as 承诺件;
// after each restart every acknowledged booking is there, and every
// acknowledged finish keeps its case kind, case number and promised date.
func TestCrashKeepsBookingsAndCases(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(apptCrashConfig, config.HashToken("tok"), hp, mp, filepath.Join(dir, "data"))), 0o644)
	base := fmt.Sprintf("http://127.0.0.1:%d", hp)
	hall := base + "/api/v1/halls/crash"
	booker := map[string]string{"Authorization": "Bearer booking:tok"}
	kiosk := map[string]string{"Authorization": "Bearer kiosk-01:k1"}
	rng := rand.New(rand.NewSource(13))

	type finished struct{ caseNo, promised string }
	var mu sync.Mutex
	booked := map[string]bool{}    // acknowledged codes
	cases := map[string]finished{} // ticket id -> acknowledged case
	loc, _ := time.LoadLocation("Asia/Shanghai")
	tomorrow := time.Now().In(loc).AddDate(0, 0, 1).Format("2006-01-02")

	for round := 0; round < 3; round++ {
		c := startChild(t, cfgPath, base)
		for code := range booked {
			r := getJSON(t, hall+"/appointments/"+code, booker)
			var b struct{ Status string }
			json.Unmarshal(r.Result, &b)
			if !r.OK || b.Status != "booked" {
				t.Fatalf("round %d: acknowledged booking %s lost (%+v)", round, code, r.Error)
			}
		}
		for id, want := range cases {
			r := getJSON(t, hall+"/tickets/"+id, nil)
			var tk struct {
				CaseKind     *string `json:"case_kind"`
				CaseNo       *string `json:"case_no"`
				PromisedDate *string `json:"promised_date"`
			}
			json.Unmarshal(r.Result, &tk)
			if !r.OK || tk.CaseKind == nil || *tk.CaseKind != "promised" || tk.CaseNo == nil || *tk.CaseNo != want.caseNo ||
				tk.PromisedDate == nil || *tk.PromisedDate != want.promised {
				t.Fatalf("round %d: acknowledged case of %s lost: %s", round, id, r.Result)
			}
		}
		jar, _ := cookiejar.New(nil)
		staff := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		login, err := post(staff, base+"/api/v1/login", nil, `{"username":"s1","password":"pw-s1"}`)
		if err != nil || !login.OK {
			t.Fatalf("login: %v %+v", err, login)
		}
		var me struct {
			CSRF string `json:"csrf_token"`
		}
		json.Unmarshal(login.Result, &me)
		staffHdr := map[string]string{"X-CSRF-Token": me.CSRF}
		post(staff, hall+"/counters/1/signin", staffHdr, "")
		post(staff, hall+"/counters/1/ops/counter.open", staffHdr, "")

		killAfter := 40 + rng.Intn(80)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		count := 0
		note := func() {
			mu.Lock()
			count++
			if count == killAfter {
				c.kill()
				cancel()
			}
			mu.Unlock()
		}
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					code := fmt.Sprintf("R%dW%dN%d", round, w, i)
					body := fmt.Sprintf(`{"service":"social","date":%q,"start":"09:00","end":"09:30","code":%q}`, tomorrow, code)
					r, err := post(httpClient(), hall+"/appointments", booker, body)
					if err != nil || !r.OK {
						return
					}
					mu.Lock()
					booked[code] = true
					mu.Unlock()
					note()
				}
			}(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				if r, err := post(httpClient(), hall+"/tickets", kiosk, `{"service":"social"}`); err != nil || !r.OK {
					return
				}
				if r, err := post(staff, hall+"/counters/1/ops/call.next", staffHdr, ""); err != nil || !r.OK {
					return
				}
				no := fmt.Sprintf("NT-%d-%d", round, i)
				r, err := post(staff, hall+"/counters/1/ops/serve.finish", staffHdr, `{"case":{"kind":"promised","case_no":"`+no+`"}}`)
				if err != nil || !r.OK {
					return
				}
				var tk struct {
					ID           string `json:"ticket_id"`
					PromisedDate string `json:"promised_date"`
				}
				json.Unmarshal(r.Result, &tk)
				mu.Lock()
				cases[tk.ID] = finished{caseNo: no, promised: tk.PromisedDate}
				mu.Unlock()
				note()
			}
		}()
		wg.Wait()
		c.kill()
	}
	c := startChild(t, cfgPath, base)
	defer c.kill()
	// the public lookup finds an acknowledged case by its number
	for id, want := range cases {
		r := getJSON(t, hall+"/case-lookup?case_no="+want.caseNo, nil)
		var rec struct {
			TicketID     string  `json:"ticket_id"`
			PromisedDate *string `json:"promised_date"`
		}
		json.Unmarshal(r.Result, &rec)
		if !r.OK || rec.TicketID != id || rec.PromisedDate == nil || *rec.PromisedDate != want.promised {
			t.Fatalf("lookup of %s after the crashes: %s", want.caseNo, r.Result)
		}
		break
	}
	if len(booked) < 30 || len(cases) < 5 {
		t.Fatalf("too little load to mean anything: %d bookings, %d cases acknowledged", len(booked), len(cases))
	}
	t.Logf("%d bookings and %d cases acknowledged across 3 SIGKILLs; none lost", len(booked), len(cases))
}
