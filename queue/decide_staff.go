package queue

import "time"

// checkStaff checks that id may sign in at counter: a configured staff
// member (bad_request otherwise) whose staff[].counters include it
// (forbidden otherwise). A hall with no staff roster accepts any id.
func checkStaff(s *State, counter, id string) *Error {
	if err := checkText("staff_id", id, maxStaffID); err != nil {
		return err
	}
	if len(s.Spec.Staff) == 0 {
		return nil
	}
	st := s.Spec.Staff[id]
	if st == nil {
		return Errorf(BadRequest, "未登记的工作人员 %s unknown staff_id %q", id, id)
	}
	if !st.MaySignInAt(counter) {
		return Errorf(Forbidden, "%s 不能在窗口 %s 签到 staff %s may not sign in at counter %s", st.Name, counter, id, counter)
	}
	return nil
}

// signedIn is the sign-in of id at counter ct; at an open counter held by
// someone else it names the person handed over from (AB岗).
func signedIn(ct *Counter, id string, now time.Time) Event {
	e := Event{Kind: EvStaffSignedIn, At: now, Counter: ct.ID, StaffID: id}
	if ct.StaffID != id {
		e.FromStaff = ct.StaffID
	}
	return e
}

func decideSignIn(s *State, now time.Time, c SignIn) Outcome {
	ct := s.Counters[c.Counter]
	if ct == nil {
		return refuse(BadRequest, "没有此窗口 unknown counter %q", c.Counter)
	}
	if c.StaffID == "" {
		return refuse(BadRequest, "缺少工作人员 staff_id is required")
	}
	if err := checkStaff(s, c.Counter, c.StaffID); err != nil {
		return Outcome{Err: err}
	}
	if ct.StaffID == c.StaffID { // already signed in here: nothing changes
		return Outcome{Result: counterNow(c.Counter)}
	}
	return Outcome{Events: []Event{signedIn(ct, c.StaffID, now)}, Result: counterNow(c.Counter)}
}
