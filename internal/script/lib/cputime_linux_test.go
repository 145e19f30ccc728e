package lib

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used, so a
// benchmark can report a figure that does not depend on machine load.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
