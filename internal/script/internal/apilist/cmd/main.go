// Command apilist writes the list of apilist.Generate to a file (see internal/script/gen.go).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/nanoforge/nanoforge/internal/script/internal/apilist"
)

func main() {
	api := flag.String("api", "", "folder of a nanos-world/api checkout (holds StaticClasses/, Structs/…)")
	out := flag.String("out", "", "file to write the list to")
	enums := flag.Bool("enums", false, "write the enum constants instead of the function list")
	flag.Parse()
	if *api == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: apilist -api <nanos-world/api folder> [-enums] -out <file>")
		os.Exit(2)
	}
	generate := apilist.Generate
	if *enums {
		generate = apilist.Enums
	}
	list, err := generate(*api)
	if err == nil {
		err = os.WriteFile(*out, list, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apilist:", err)
		os.Exit(1)
	}
}
