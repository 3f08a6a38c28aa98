//go:build unix

package main

import "syscall"

// raiseFileLimit lifts the soft limit on open files to the hard one, where
// the system allows, and returns the limit in force. Every connection is a
// file; a low soft limit (1024 is common) makes accept fail long before
// the machine is busy. (Go's os package does this too since 1.19; doing it
// here makes the figure known and the step explicit.)
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
			lim = want
		}
	}
	return uint64(lim.Cur), nil //nolint:unconvert // Cur is int64 on some BSDs
}
