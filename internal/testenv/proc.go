package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// process is one run of an external server, with its output appended to a
// log file.
type process struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited and been reaped
	err     error         // the result of cmd.Wait, valid once done is closed
}

// startProcess starts bin with args in dir, appending its stdout and stderr
// to logPath. The process is killed if the test binary dies (Linux).
func startProcess(dir, logPath, bin string, args ...string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log for %s: %w", bin, err)
	}
	// The child gets its own copy of the descriptor; ours is not needed
	// once the process has started.
	defer logf.Close()
	fmt.Fprintf(logf, "=== %s testenv: starting %s %s\n", time.Now().Format(time.RFC3339Nano), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	p := &process{cmd: cmd, logPath: logPath, done: make(chan struct{})}

	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that started the child exits,
		// not the process (go.dev/issue/27505), so the starting goroutine
		// keeps its thread until the child is gone. It never unlocks: the
		// thread ends with the goroutine, after the child has exited.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			runtime.UnlockOSThread()
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes how the process ended; only valid once exited.
func (p *process) exitError() error {
	if p.err == nil {
		return errors.New("exited with status 0")
	}
	return p.err
}

// killWait is how long a SIGKILLed process may take to be reaped.
const killWait = 30 * time.Second

// stop sends sig, waits up to grace for the process to exit, and then
// SIGKILLs it. It returns once the process has been reaped.
func (p *process) stop(sig syscall.Signal, grace time.Duration) error {
	if p.exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send %v to %s (pid %d): %w", sig, p.cmd.Path, p.cmd.Process.Pid, err)
	}
	if p.waitFor(grace) {
		return nil
	}
	if sig != syscall.SIGKILL {
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("kill %s (pid %d): %w", p.cmd.Path, p.cmd.Process.Pid, err)
		}
		if p.waitFor(killWait) {
			return fmt.Errorf("%s (pid %d) ignored %v for %v and had to be killed", p.cmd.Path, p.cmd.Process.Pid, sig, grace)
		}
	}
	return fmt.Errorf("%s (pid %d) still running %v after SIGKILL", p.cmd.Path, p.cmd.Process.Pid, killWait)
}

// waitFor waits up to d for the process to exit and reports whether it did.
func (p *process) waitFor(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}
