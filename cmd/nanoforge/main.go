// Command nanoforge is the Nanoforge dedicated server; with --cli as its first argument it is the CLI.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nanoforge: the server is not wired up in this build")
	os.Exit(1)
}
