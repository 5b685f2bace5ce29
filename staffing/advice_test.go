package staffing

import (
	"fmt"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
)

func adviceState(t *testing.T) (*queue.State, time.Time) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	sp := &queue.Spec{HallID: "t", Location: loc,
		Services: map[string]*queue.ServiceSpec{
			"social": {ID: "social", Prefix: "A", Name: queue.Name{Zh: "社保", En: "Social security"}, TargetWait: 10 * time.Minute, AvgService: 300 * time.Second},
			"tax":    {ID: "tax", Prefix: "C", Name: queue.Name{Zh: "税务", En: "Tax"}, TargetWait: 30 * time.Minute, AvgService: 300 * time.Second},
		},
		ServiceOrder: []string{"social", "tax"},
		Counters:     map[string]*queue.CounterSpec{},
		Staff: map[string]*queue.StaffSpec{
			"s01": {ID: "s01", Name: "张敏", Role: "staff"},
			"s02": {ID: "s02", Name: "李强", Role: "staff", Counters: []string{"9"}},
			"s03": {ID: "s03", Name: "王芳", Role: "staff"},
			"sup": {ID: "sup", Name: "主管", Role: "supervisor"},
		},
		StaffOrder: []string{"s01", "s02", "s03", "sup"},
	}
	for i := 1; i <= 6; i++ {
		id := fmt.Sprint(i)
		svcs := []string{"social"}
		if i == 6 {
			svcs = []string{"tax"}
		}
		sp.Counters[id] = &queue.CounterSpec{ID: id, Services: svcs}
		sp.CounterOrder = append(sp.CounterOrder, id)
	}
	s := queue.NewState(sp)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	var seq int64
	apply := func(e queue.Event) {
		seq++
		e.Seq = seq
		queue.Apply(s, &e)
	}
	apply(queue.Event{Kind: queue.EvDayStarted, At: now.Add(-2 * time.Hour), Day: "2026-11-23"})
	apply(queue.Event{Kind: queue.EvCounterOpened, At: now.Add(-time.Hour), Counter: "1", StaffID: "s03"})
	// 24 social arrivals in the last 30 min (48 an hour), one long before.
	apply(queue.Event{Kind: queue.EvTicketIssued, At: now.Add(-90 * time.Minute), TicketID: "20261123-A000", Ticket: "A000", Service: "social"})
	for i := 0; i < 24; i++ {
		n := fmt.Sprintf("A%03d", i+1)
		apply(queue.Event{Kind: queue.EvTicketIssued, At: now.Add(-time.Duration(i) * 75 * time.Second), TicketID: "20261123-" + n, Ticket: n, N: i + 1, Service: "social"})
	}
	return s, now
}

func TestFromState(t *testing.T) {
	s, now := adviceState(t)
	adv := FromState(s, now)
	if len(adv) != 2 {
		t.Fatalf("advice for %d services", len(adv))
	}
	a := adv[0]
	// λ = 48/h, mean 300 s: 4 Erlangs; 80% within 10 min needs 5.
	want, ok := Needed(48.0/3600, 300, 600, Goal, 5)
	if want != 5 || a.ArrivalsPerHour != 48 || a.OfferedLoad != 4 || a.CountersOpen != 1 || a.CountersNeeded != want || !ok || a.More != want-1 {
		t.Fatalf("social advice = %+v (want %d needed)", a, want)
	}
	if a.More < 1 || a.Text.Zh != fmt.Sprintf("社保 需再开 %d 个窗口", a.More) || a.Text.En != fmt.Sprintf("open %d more counters for Social security", a.More) {
		t.Fatalf("text = %+v", a.Text)
	}
	if fmt.Sprint(a.Counters) != "[2 3 4 5]" {
		t.Errorf("counters to open = %v", a.Counters)
	}
	// s03 is at counter 1, s02 may only sign in at 9, sup is no counter staff.
	if len(a.IdleStaff) != 1 || a.IdleStaff[0].ID != "s01" || fmt.Sprint(a.IdleStaff[0].Counters) != "[2 3 4 5]" {
		t.Errorf("idle staff = %+v", a.IdleStaff)
	}
	if tax := adv[1]; tax.More != 0 || tax.CountersNeeded != 0 || tax.Text.Zh != "税务 窗口充足" {
		t.Errorf("tax advice = %+v", tax)
	}
}
