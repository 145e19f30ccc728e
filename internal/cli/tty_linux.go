//go:build linux

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTTY asks the kernel for the terminal settings of f, which only a terminal has.
func isTTY(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
