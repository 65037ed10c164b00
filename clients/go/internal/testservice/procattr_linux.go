package testservice

import "syscall"

// childProcAttr makes the kernel SIGKILL the service if the test binary dies first (a panic, a
// -timeout), so no orphan keeps its ports and data directory.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
