package queue

import "testing"

// TestViewStaffCard: a counter's view carries the card of who opened it, from
// the spec's staff (CONTRACT §2 staff card); unknown fields are null.
func TestViewStaffCard(t *testing.T) {
	sp := testSpec()
	sp.Staff = map[string]*StaffSpec{"s01": {ID: "s01", Name: "张敏", StaffNo: "A0317", Unit: "人社局"}}
	s := NewState(sp)
	Apply(s, &Event{Seq: 1, Kind: EvCounterOpened, Counter: "1", StaffID: "s01"})
	Apply(s, &Event{Seq: 2, Kind: EvCounterOpened, Counter: "2", StaffID: "guest"})
	v := NewView(s)
	c1, c2, c3 := v.Counters[0].Staff, v.Counters[1].Staff, v.Counters[2].Staff
	if c1 == nil || c1.ID == nil || *c1.ID != "s01" || c1.Name == nil || *c1.Name != "张敏" || *c1.StaffNo != "A0317" || *c1.Unit != "人社局" {
		t.Errorf("counter 1 staff = %+v", c1)
	}
	if c2 == nil || c2.ID == nil || *c2.ID != "guest" || c2.Name != nil || c2.StaffNo != nil || c2.Unit != nil {
		t.Errorf("counter 2 (staff not in the config) = %+v", c2)
	}
	if c3 != nil {
		t.Errorf("closed counter 3 has staff %+v", c3)
	}
	Apply(s, &Event{Seq: 3, Kind: EvCounterClosed, Counter: "1"})
	if got := NewView(s).Counters[0].Staff; got != nil {
		t.Errorf("counter 1 staff after close = %+v", got)
	}
}
