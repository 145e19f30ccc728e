//go:build !linux

package cli

import "os"

// isTTY trusts the character-device check made by isTerminal where the terminal ioctl differs.
func isTTY(*os.File) bool { return true }
