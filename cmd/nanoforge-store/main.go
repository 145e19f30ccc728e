// Command nanoforge-store is the Nanoforge Store: a registry for packages and asset packs.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nanoforge-store: the store is not wired up in this build")
	os.Exit(1)
}
