package devices

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/internal/testenv"
)

// TestAcceptAfterEMFILE: with the process out of file handles the embedded
// broker's accept fails (too many open files); /readyz's broker check says
// so, and once handles are free again devices connect without a restart
// (mochi-mqtt's own accept loop gave up for good). It runs in a child
// process whose RLIMIT_NOFILE is lowered.
func TestAcceptAfterEMFILE(t *testing.T) {
	if os.Getenv("HALLQ_EMFILE_CHILD") == "1" {
		emfileChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcceptAfterEMFILE$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HALLQ_EMFILE_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
}

func emfileChild(t *testing.T) {
	e := newEnv(t)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	lim := syscall.Rlimit{Cur: uint64(len(fds) + 64), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	var hog []*os.File
	release := func() {
		for _, f := range hog {
			f.Close()
		}
		hog = nil
	}
	defer release()
	for { // use up every handle
		f, err := os.Open(os.DevNull)
		if err != nil {
			break
		}
		hog = append(hog, f)
	}
	hog[len(hog)-1].Close() // one left: the device's own socket
	hog = hog[:len(hog)-1]
	id := "kiosk-01"
	po := paho.NewClientOptions().AddBroker("tcp://" + e.addr).SetClientID(id).SetUsername(id).SetPassword(e.secret(id)).
		SetAutoReconnect(false).SetConnectTimeout(30 * time.Second)
	c := paho.NewClient(po)
	tok := c.Connect() // the broker's accept now fails: no handle left
	testenv.Eventually(t, wait, func() bool { return e.srv.Ready() != nil }, "readyz reports the broker not accepting")
	t.Logf("while out of handles: %v", e.srv.Ready())
	release()
	if !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("device not connected after handles came back: %v", tok.Error())
	}
	defer c.Disconnect(0)
	testenv.Eventually(t, wait, func() bool { return e.srv.Ready() == nil }, "readyz ok again")
	e.connect("kiosk-02").in(t).ok("ticket.take", map[string]any{"service": "general"})
}
