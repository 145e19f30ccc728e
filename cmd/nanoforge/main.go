// Command nanoforge is the Nanoforge dedicated server; with --cli as its first argument it is the CLI.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--cli" {
		os.Exit(runCLI(os.Args[2:]))
	}
	_ = newScriptHost
	fmt.Fprintln(os.Stderr, "nanoforge: the server is not wired up in this build")
	os.Exit(1)
}
