//go:build linux

package testenv

import "syscall"

// sysProcAttr makes the kernel SIGKILL a server when the test binary dies,
// for example on a go test timeout, so that no server outlives its test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
