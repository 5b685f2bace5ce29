package hall

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// TestDiskFullRecovers: when the journal cannot grow (here RLIMIT_FSIZE in
// a child process stands for a full disk), appends are refused
// unavailable and Healthy is false; once space returns the hall is healthy
// again by itself, without waiting for a request, and carries on with the
// next number. The probe saw writes fail for good after space was freed.
func TestDiskFullRecovers(t *testing.T) {
	if os.Getenv("HALLQ_DISKFULL_CHILD") == "1" {
		diskFullChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullRecovers$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HALLQ_DISKFULL_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
}

func diskFullChild(t *testing.T) {
	signal.Ignore(syscall.SIGXFSZ) // a write past the limit fails with EFBIG instead of killing the process
	dir, sp := t.TempDir(), testSpec(t)
	h, j := MustOpenHall(t, dir, sp)
	for i := 0; i < 20; i++ {
		if rep := do(t, h, "test", "", queue.TakeTicket{Service: "social"}); !rep.OK {
			t.Fatal(rep.Error)
		}
	}
	if err := j.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	var biggest int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && fi.Size() > biggest {
			biggest = fi.Size()
		}
		return nil
	})
	var old syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old)
	full := syscall.Rlimit{Cur: uint64(biggest + 32<<10), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Fatal(err)
	}
	issued := 20
	refused := false
	for i := 0; i < 5000 && !refused; i++ {
		rep := do(t, h, "test", "", queue.TakeTicket{Service: "social"})
		switch {
		case rep.OK:
			issued++
		case rep.Error.Code == queue.Unavailable:
			refused = true
		default:
			t.Fatalf("take: %v", rep.Error)
		}
	}
	if !refused || h.Healthy() {
		t.Fatalf("with the disk full: refused %v, healthy %v", refused, h.Healthy())
	}
	t.Logf("disk full after %d tickets; WAL %d bytes", issued, j.WALBytes())
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !h.Healthy() { // no request is sent: the hall finds out by itself
		if time.Now().After(deadline) {
			t.Fatal("hall not healthy within 10 s of space returning")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	rep := do(t, h, "test", "", queue.TakeTicket{Service: "social"})
	if !rep.OK {
		t.Fatalf("take after space returned: %v", rep.Error)
	}
	if got, want := h.View().Services[0].Issued, issued+1; got != want {
		t.Errorf("issued %d, want %d: the refused take left no trace", got, want)
	}
	if w := j.WALBytes(); w > store.WALSizeLimit {
		t.Errorf("WAL %d bytes, above the limit %d", w, store.WALSizeLimit)
	}
}
