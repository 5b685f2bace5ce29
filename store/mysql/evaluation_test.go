package mysql

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// TestRestoreKeepsCases: a 差评 case, its steps and a complaint are journal
// events; replicated to MySQL and restored into an empty data dir they come
// back exactly (issue 11: hallqd restore --from-mysql keeps them).
func TestRestoreKeepsCases(t *testing.T) {
	noLeaks(t)
	ctx := context.Background()
	_, db, dsn := mariaDB(t, "cases")
	sp, clk, dir := newSpec("east"), newFakeClock(), t.TempDir()
	sp.VerifyDays, sp.RectifyDays = 1, 15
	th := openHall(t, dir, sp, clk)
	do := func(cmd queue.Command) hall.Reply {
		t.Helper()
		rep := th.Do(ctx, hall.Request{Source: "test", Cmd: cmd})
		if !rep.OK {
			t.Fatalf("%T: %+v", cmd, rep.Error)
		}
		return rep
	}
	do(queue.OpenCounter{Counter: "1", StaffID: "s01"})
	do(queue.TakeTicket{Service: "general"})
	do(queue.CallNext{Counter: "1"})
	do(queue.Finish{Counter: "1"})
	var res queue.RatingResult
	json.Unmarshal(do(queue.SubmitRating{Counter: "1", Level: 1, Reasons: []string{"服务态度差"}, Text: "不理人"}).Result, &res)
	if res.CaseID == nil {
		t.Fatalf("a level-1 rating opened no case: %+v", res)
	}
	yes := true
	do(queue.StepCase{CaseID: *res.CaseID, Action: queue.StepVerify, By: "super", Valid: &yes, Note: "属实"})
	do(queue.LogComplaint{Channel: "hotline", Counter: "1", Text: "电话投诉", By: "super"})

	r := newReplicator(t, th, dsn, nil)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := th.stateJSON(t)
	th.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	j, err := store.Open(dir, sp.HallID, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, db, j, RestoreOptions{Hall: sp.HallID}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	j.Close()
	th2 := openHall(t, dir, sp, clk)
	if got := th2.stateJSON(t); got != want {
		t.Fatalf("state after restore differs:\n%s", firstDiff(want, got))
	}
	var st struct {
		Cases      map[string]*queue.Case      `json:"cases"`
		Complaints map[string]*queue.Complaint `json:"complaints"`
	}
	json.Unmarshal([]byte(want), &st)
	c := st.Cases[*res.CaseID]
	if c == nil || c.Status != queue.CaseVerified || len(c.History) != 2 || len(st.Complaints) != 1 {
		t.Fatalf("restored case %+v, %d complaints", c, len(st.Complaints))
	}
}
