package main

import (
	"fmt"
	"os"
)

// runCLI runs `nanoforge --cli ARGS...` and returns the process exit status.
func runCLI(args []string) int {
	fmt.Fprintln(os.Stderr, "nanoforge: the CLI is not part of this build")
	return 1
}
