//go:build !linux

package testenv

import "syscall"

// sysProcAttr has nothing to add outside Linux, which lacks Pdeathsig.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
