package queue

import (
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// An appointment.booked event journalled before slots had an end carries
// only "slot"; replaying it gives a 30-minute slot whose code still checks in.
func TestAppointmentOldJournal(t *testing.T) {
	h := newHarness()
	h.apply(Rollover(h.s, h.now))
	var e Event
	old := `{"kind":"appointment.booked","at":"2026-11-23T08:00:00+08:00","appointment_code":"OLD1","service":"tax","day":"2026-11-23","slot":"2026-11-23T09:20:00+08:00"}`
	if err := json.Unmarshal([]byte(old), &e); err != nil {
		t.Fatal(err)
	}
	h.apply([]Event{e})
	b := h.s.Appointments["OLD1"]
	if b == nil {
		t.Fatal("old booking not applied")
	}
	if got, want := b.EndAt().In(h.s.Spec.Location).Format("15:04"), "09:50"; got != want {
		t.Fatalf("end = %s, want %s", got, want)
	}
	h.now = h.now.Add(45 * time.Minute) // 09:45, inside [08:50, 09:50)
	if _, _, qe := h.do(TakeTicket{Service: "tax", Channel: Appointment, AppointmentCode: "OLD1"}); qe != nil {
		t.Fatalf("old booking does not check in: %v", qe)
	}
}

// The public stream shows bookings only as {"kind":"restricted"}: their codes
// are what a citizen checks in with (CONTRACT §3).
func TestAppointmentEventsRestricted(t *testing.T) {
	for _, k := range []Kind{EvAppointmentBooked, EvAppointmentCancelled, EvAppointmentMissed} {
		p := Event{Seq: 7, Kind: k, Appointment: "SECRET", Service: "tax"}.Public()
		if p.Kind != EvRestricted || p.Appointment != "" || p.Service != "" || p.Seq != 7 {
			t.Fatalf("%s on the public stream: %+v", k, p)
		}
	}
	if p := (Event{Kind: EvTicketIssued, IDHash: "h"}).Public(); p.Kind != EvTicketIssued || p.IDHash != "" {
		t.Fatalf("ticket.issued on the public stream: %+v", p)
	}
}

// The check-in window holds to the letter (CONTRACT §5): a code checks in
// once, on its date, from 30 min before start until end; any other moment is
// unknown_appointment, and the state is unchanged by a refusal.
func TestPropertyCheckInWindow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness()
		h.now = time.Date(2026, 11, 23, 8, 0, 0, 0, h.s.Spec.Location)
		startMin := rapid.IntRange(9*60, 16*60).Draw(t, "start")
		length := rapid.IntRange(1, 60).Draw(t, "length")
		clock := func(m int) string { return time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04") }
		_, _, qe := h.do(BookAppointment{Code: "K1", Service: "tax", Date: "2026-11-23", Start: clock(startMin), End: clock(startMin + length)})
		if qe != nil {
			t.Fatalf("book: %v", qe)
		}
		used := false
		for i := 0; i < rapid.IntRange(1, 6).Draw(t, "tries"); i++ {
			at := rapid.IntRange(8*60, 17*60+29).Draw(t, "at")
			h.now = time.Date(2026, 11, 23, at/60, at%60, rapid.IntRange(0, 59).Draw(t, "sec"), 0, h.s.Spec.Location)
			svc := rapid.SampledFrom([]string{"tax", "tax", "social"}).Draw(t, "svc")
			before := len(h.log)
			_, _, qe := h.do(TakeTicket{Service: svc, Channel: Appointment, AppointmentCode: "K1"})
			inWindow := at >= startMin-30 && at < startMin+length
			want := inWindow && !used && svc == "tax"
			if want != (qe == nil) {
				t.Fatalf("take at %s (slot %s+%dm, used %v, %s): err %v, want ok=%v", clock(at), clock(startMin), length, used, svc, qe, want)
			}
			if qe != nil && qe.Code != UnknownAppointment {
				t.Fatalf("refusal code %s, want unknown_appointment", qe.Code)
			}
			if qe != nil && len(h.log) != before {
				t.Fatalf("a refused check-in stored events")
			}
			used = used || qe == nil
		}
	})
}

// Bookings and cancellations never put more than the capacity in a slot.
func TestPropertySlotCapacity(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness()
		h.s.Spec.Appointments.Capacity = rapid.IntRange(1, 3).Draw(t, "cap")
		codes := []string{"A", "B", "C", "D", "E", "F"}
		for i := 0; i < 20; i++ {
			code := rapid.SampledFrom(codes).Draw(t, "code")
			if rapid.IntRange(0, 3).Draw(t, "op") == 0 {
				h.do(CancelAppointment{Code: code})
				continue
			}
			start := rapid.SampledFrom([]string{"10:00", "10:30"}).Draw(t, "slot")
			end := map[string]string{"10:00": "10:30", "10:30": "11:00"}[start]
			h.do(BookAppointment{Code: code, Service: "tax", Date: "2026-11-23", Start: start, End: end})
			per := map[time.Time]int{}
			for _, b := range h.s.Appointments {
				if !b.Cancelled {
					per[b.Slot]++
				}
			}
			for slot, n := range per {
				if n > h.s.Spec.Appointments.Capacity {
					t.Fatalf("slot %v holds %d bookings, capacity %d", slot, n, h.s.Spec.Appointments.Capacity)
				}
			}
		}
	})
}

// A promised date is exactly promise_days working days after today: a
// working day, after today, with n-1 working days strictly between.
func TestPropertyPromisedDate(t *testing.T) {
	cal := testCalendar{holidays: set("2026-10-01,2026-10-02,2026-10-03,2026-10-04,2026-10-05,2026-10-06,2026-10-07,2027-01-01"),
		workdays: set("2026-09-27,2026-10-11")}
	rapid.Check(t, func(t *rapid.T) {
		sp := testSpec()
		sp.Calendar = cal
		n := rapid.IntRange(1, 30).Draw(t, "n")
		sp.Services["tax"].PromiseDays = n
		now := time.Date(2026, 9, 1, 0, 0, 0, 0, sp.Location).Add(time.Duration(rapid.IntRange(0, 150*24*60).Draw(t, "min")) * time.Minute)
		got, err := PromisedDate(sp, "tax", now)
		if err != nil {
			t.Fatal(err)
		}
		today := sp.BusinessDay(now)
		if got <= today || !cal.IsWorkday(got) {
			t.Fatalf("promised %s from %s: not a later working day", got, today)
		}
		d, _ := time.Parse("2006-01-02", today)
		count := 0
		for day := d.AddDate(0, 0, 1); day.Format("2006-01-02") <= got; day = day.AddDate(0, 0, 1) {
			if cal.IsWorkday(day.Format("2006-01-02")) {
				count++
			}
		}
		if count != n {
			t.Fatalf("promised %s from %s counts %d working days, want %d", got, today, count, n)
		}
	})
}

// Bookings from outside input: whatever the strings, Decide never panics, a
// refusal stores nothing, and a booking it accepts is a sane slot on its date.
func FuzzBook(f *testing.F) {
	f.Add("AP1", "tax", "2026-11-23", "10:00", "10:30")
	f.Add("x", "social", "2026-11-24", "24:00", "23:00")
	f.Add("", "tax", "2026-02-30", "9:00", "09:30")
	f.Fuzz(func(t *testing.T, code, service, date, start, end string) {
		h := newHarness()
		h.apply(Rollover(h.s, h.now))
		before := len(h.log)
		evs, _, qe := h.do(BookAppointment{Code: code, Service: service, Date: date, Start: start, End: end})
		if qe != nil {
			if len(h.log) != before || len(evs) != 0 {
				t.Fatalf("refused booking stored %d events", len(evs))
			}
			return
		}
		b := h.s.Appointments[NormalizeCode(code)]
		if b == nil || b.Day != date || !b.EndAt().After(b.Slot) || b.EndAt().Sub(b.Slot) > MaxSlotLength ||
			h.s.Spec.BusinessDay(b.Slot) != date || !b.EndAt().After(h.now) {
			t.Fatalf("accepted booking %+v for %q %q-%q", b, date, start, end)
		}
	})
}

// A restricted event is exactly {"kind":"restricted"} on the public stream (CONTRACT §3).
func TestRestrictedJSON(t *testing.T) {
	raw, err := json.Marshal(Event{Seq: 3, Kind: EvAppointmentBooked, At: time.Now(), Appointment: "X", Service: "tax"}.Public())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(raw), `{"kind":"restricted"}`; got != want {
		t.Fatalf("public booking = %s, want %s", got, want)
	}
}
