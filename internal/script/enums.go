package script

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// enumsList is the API's enum constants, one "Enum.Key = value" a line, values written as Lua
// integer expressions ("1 << 2"); generated from the official definitions (see gen.go).
//
//go:embed enums.txt
var enumsList []byte

// enumLine accepts a constant whose value is an integer expression and nothing else, so the
// generated chunk can only define constants.
var enumLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*) = ([0-9()<>| \-+]+)$`)

// enumsSource returns a Lua chunk that defines every enum as a global table of integers.
func enumsSource(data []byte) (string, error) {
	var b strings.Builder
	current := ""
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := enumLine.FindStringSubmatch(line)
		if m == nil {
			return "", fmt.Errorf("enums.txt:%d: %q is not Enum.Key = integer", i+1, line)
		}
		if m[1] != current {
			if current != "" {
				b.WriteString(" }\n")
			}
			current = m[1]
			fmt.Fprintf(&b, "%s = {", current)
		}
		fmt.Fprintf(&b, " %s = %s,", m[2], m[3])
	}
	if current != "" {
		b.WriteString(" }\n")
	}
	return b.String(), nil
}
