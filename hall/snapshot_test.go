package hall

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hallq/hallq/queue"
)

// TestSnapshotRestoresState: the shutdown snapshot is stored compressed
// and a restart from it gives the same state; a journal whose snapshot is
// the plain JSON of earlier versions still opens to the same state.
func TestSnapshotRestoresState(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	do(t, h, "s", "", queue.OpenCounter{Counter: "1"})
	for i := 0; i < 30; i++ {
		do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: []string{"social", "housing"}[i%2]})
	}
	do(t, h, "s", "", queue.CallNext{Counter: "1"})
	want := stateJSON(t, h)
	h.Close()
	seq, data, err := j.LatestSnapshot()
	if err != nil || data == nil {
		t.Fatalf("no snapshot after Close: %v", err)
	}
	if data[0] != 0x1f || data[1] != 0x8b {
		t.Fatalf("snapshot starts %q, want gzip", data[:8])
	}
	j.Close()

	h2, j2 := MustOpenHall(t, dir, sp)
	if got := stateJSON(t, h2); got != want {
		t.Fatalf("state from the compressed snapshot differs:\n%s\n%s", got, want)
	}
	h2.Close()
	var st queue.State
	if err := decodeSnapshot(data, &st); err != nil {
		t.Fatal(err)
	}
	plain, err := json.Marshal(&st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j2.WriteDB().Exec("UPDATE snapshots SET data = ? WHERE seq = ?", plain, seq); err != nil {
		t.Fatal(err)
	}
	j2.Close()
	h3, _ := MustOpenHall(t, dir, sp)
	if got := stateJSON(t, h3); got != want {
		t.Fatalf("state from a plain JSON snapshot differs:\n%s\n%s", got, want)
	}
}

// TestSnapshotDamageIsAnError: a compressed snapshot whose bytes changed
// does not load as a state.
func TestSnapshotDamageIsAnError(t *testing.T) {
	h, _ := MustOpenHall(t, t.TempDir(), testSpec(t))
	do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: "social"})
	var st *queue.State
	if err := h.Query(context.Background(), func(s *queue.State) { st = s.Clone() }); err != nil {
		t.Fatal(err)
	}
	data, err := encodeSnapshot(st, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ok queue.State
	if err := decodeSnapshot(data, &ok); err != nil {
		t.Fatalf("intact snapshot: %v", err)
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)-6] ^= 0xff // inside the gzip trailer's checksum
	if err := decodeSnapshot(bad, new(queue.State)); err == nil {
		t.Fatal("a snapshot with a wrong checksum loaded")
	}
}

// TestDamagedSnapshotFallsBackToReplay: a hall whose latest snapshot cannot
// be read starts from the journal's events alone, with the same state.
func TestDamagedSnapshotFallsBackToReplay(t *testing.T) {
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	do(t, h, "s", "", queue.OpenCounter{Counter: "1"})
	for i := 0; i < 5; i++ {
		do(t, h, "dev:kiosk-01", "", queue.TakeTicket{Service: "social"})
	}
	do(t, h, "s", "", queue.CallNext{Counter: "1"})
	want := stateJSON(t, h)
	h.Close()
	if _, err := j.WriteDB().Exec("UPDATE snapshots SET data = substr(data, 1, length(data) - 9)"); err != nil {
		t.Fatal(err)
	}
	j.Close()
	h2, _ := MustOpenHall(t, dir, sp)
	if got := stateJSON(t, h2); got != want {
		t.Fatalf("state after replaying past a damaged snapshot differs:\n%s\n%s", got, want)
	}
}
