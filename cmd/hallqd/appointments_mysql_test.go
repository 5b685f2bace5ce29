package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// TestRestoreKeepsBookingsAndCases replicates bookings, a cancellation and
// finishes with case kinds to a real MariaDB, loses the data dir, restores it
// with `hallqd restore --from-mysql`, and checks that the slots, the
// cancellation, the case kinds, numbers and promised dates are all back and
// that the public lookup finds the case.
func TestRestoreKeepsBookingsAndCases(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	path, dsn := withMySQL(t, dir, "restore_appt", fmt.Sprintf(apptCrashConfig, config.HashToken("tok"), freePort(t), freePort(t), data))
	m := startMain(t, path)
	ctx := context.Background()
	do := func(cmd queue.Command) hall.Reply {
		t.Helper()
		rep := m.Hall.Do(ctx, hall.Request{Source: "t", Cmd: cmd})
		if !rep.OK {
			t.Fatalf("%T: %v", cmd, rep.Error)
		}
		return rep
	}
	tomorrow := time.Now().In(m.Hall.Spec().Location).AddDate(0, 0, 1).Format("2006-01-02")
	do(queue.BookAppointment{Code: "KEEP1", Service: "social", Date: tomorrow, Start: "09:00", End: "09:30"})
	do(queue.BookAppointment{Code: "KEEP2", Service: "social", Date: tomorrow, Start: "10:00", End: "11:00"})
	do(queue.CancelAppointment{Code: "KEEP2"})
	do(queue.OpenCounter{Counter: "1", StaffID: "s1"})
	do(queue.TakeTicket{Service: "social"})
	do(queue.CallNext{Counter: "1"})
	fin := do(queue.Finish{Counter: "1", Case: &queue.CaseInfo{Kind: queue.CasePromised, No: "NT-MYSQL-1"}})
	var r queue.TicketResult
	json.Unmarshal(fin.Result, &r)
	if r.PromisedDate == "" {
		t.Fatalf("finish gave no promised date: %s", fin.Result)
	}
	do(queue.TakeTicket{Service: "social"})
	do(queue.CallNext{Counter: "1"})
	do(queue.Finish{Counter: "1", Case: &queue.CaseInfo{Kind: queue.CaseJoint, No: "NT-MYSQL-2"}})

	waitReplicated(t, m, dsn)
	m2 := wipeAndRestore(t, m, path, data)
	defer m2.Close()
	var k1, k2 *queue.Booking
	var tk *queue.Ticket
	m2.Hall.Query(ctx, func(s *queue.State) {
		if b := s.Appointments["KEEP1"]; b != nil {
			c := *b
			k1 = &c
		}
		if b := s.Appointments["KEEP2"]; b != nil {
			c := *b
			k2 = &c
		}
		if x := s.Tickets[r.TicketID]; x != nil {
			c := *x
			tk = &c
		}
	})
	loc := m2.Hall.Spec().Location
	if k1 == nil || k1.Status() != "booked" || k1.Slot.In(loc).Format("15:04") != "09:00" || k1.EndAt().In(loc).Format("15:04") != "09:30" {
		t.Fatalf("booking KEEP1 after restore: %+v", k1)
	}
	if k2 == nil || k2.Status() != "cancelled" || k2.EndAt().In(loc).Format("15:04") != "11:00" {
		t.Fatalf("booking KEEP2 after restore: %+v", k2)
	}
	if tk == nil || tk.CaseKind != queue.CasePromised || tk.CaseNo != "NT-MYSQL-1" || tk.PromisedDate != r.PromisedDate {
		t.Fatalf("finished ticket after restore: %+v", tk)
	}
	// the public lookup finds the case (today: from the restored state)
	d := &e2eDaemon{m: m2, base: "http://" + m2.HTTPAddr}
	lr := d.call(t, nil, "GET", "/api/v1/halls/crash/case-lookup?case_no=NT-MYSQL-2", nil, "")
	var rec struct {
		Kind        string  `json:"kind"`
		LeadCounter *string `json:"lead_counter"`
	}
	json.Unmarshal(lr.Result, &rec)
	if !lr.OK || rec.Kind != "joint" || rec.LeadCounter == nil || *rec.LeadCounter != "1" {
		t.Fatalf("lookup after restore: %v", lr)
	}
}
