//go:build !linux

package testservice

import "syscall"

func childProcAttr() *syscall.SysProcAttr { return nil }
