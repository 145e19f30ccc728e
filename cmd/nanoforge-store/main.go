// Command nanoforge-store is the Nanoforge Store: a registry for packages and asset packs.
//
// With no flags it serves on 127.0.0.1:8080 with SQLite and blobs under ./store-data; see
// `nanoforge-store -h` and docs/store.md. `nanoforge-store admin ...` holds the operator commands.
package main

import (
	"os"

	"github.com/nanoforge/nanoforge/internal/store"
)

func main() {
	os.Exit(store.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
